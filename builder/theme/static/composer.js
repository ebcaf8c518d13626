/* The composer (compare.html?a=<slug>&b=<slug>): two texts side by side, each its own page in a frame.
   Works from file://: frames talk to this page with postMessage only. */
(function () {
  "use strict";
  var form = document.getElementById("composer-form");
  var box = document.getElementById("composer");
  if (!form || !box) return;
  var picks = { a: document.getElementById("composer-a"), b: document.getElementById("composer-b") };
  var frames = { a: document.getElementById("composer-frame-a"), b: document.getElementById("composer-frame-b") };
  var heads = { a: document.getElementById("composer-h-a"), b: document.getElementById("composer-h-b") };
  var params = new URLSearchParams(location.search);

  function option(select, slug) {
    for (var i = 0; i < select.options.length; i++) if (select.options[i].value === slug) return select.options[i];
    return null;
  }
  function show(side, url) {
    frames[side].src = url;
    var chosen = picks[side].options[picks[side].selectedIndex];
    heads[side].textContent = chosen ? chosen.textContent : "";
  }
  function choose(side, slug, fragment) {
    var found = option(picks[side], slug);
    if (!found) return false;
    picks[side].value = slug;
    show(side, found.getAttribute("data-url") + (fragment || ""));
    return true;
  }
  var a = params.get("a"), b = params.get("b");
  if (a && b && choose("a", a) && choose("b", b)) box.hidden = false;
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    choose("a", picks.a.value);
    choose("b", picks.b.value);
    box.hidden = false;
    history.replaceState(null, "", "?a=" + encodeURIComponent(picks.a.value) + "&b=" + encodeURIComponent(picks.b.value));
  });
  /* A frame asks to open a passage (a cross-reference marker was followed): show it in the other column. */
  window.addEventListener("message", function (event) {
    var data = event.data;
    if (!data || data.counterpoint !== "open" || typeof data.path !== "string") return;
    var from = event.source === frames.a.contentWindow ? "a" : event.source === frames.b.contentWindow ? "b" : null;
    if (!from) return;
    var other = from === "a" ? "b" : "a";
    var slug = data.path.replace(/^.*\//, "").replace(/\.html$/, "");
    if (!choose(other, slug, data.fragment ? "#" + data.fragment : "")) return;
    frames[other].focus();
  });
})();

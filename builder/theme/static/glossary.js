/* Counterpoint glossary: the filter box. Typing keeps the entries whose term, expansion or
   definition contains every word typed (capitals and accents ignored), hides the letters left
   empty, and says how many entries are shown. Without JavaScript the box stays hidden. */
(function () {
  "use strict";
  var box = document.querySelector(".glossary-filter");
  var input = document.getElementById("glossary-filter");
  var status = document.getElementById("glossary-filter-status");
  if (!box || !input || !status) return;
  function fold(s) { return s.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase(); }
  var entries = Array.prototype.map.call(document.querySelectorAll(".term-entry"), function (el) {
    var about = el.querySelector("dt"), def = el.querySelector(".definition");
    return { el: el, text: fold((about ? about.textContent : "") + " " + (def ? def.textContent : "")) };
  });
  var sections = document.querySelectorAll(".letter-section"), letters = document.querySelectorAll(".letters a");

  function apply() {
    var words = fold(input.value).split(/[^\p{L}\p{N}]+/u).filter(Boolean), shown = 0;
    entries.forEach(function (e) {
      var keep = words.every(function (w) { return e.text.indexOf(w) >= 0; });
      e.el.hidden = !keep;
      if (keep) shown++;
    });
    Array.prototype.forEach.call(sections, function (section, i) {
      var empty = !section.querySelector(".term-entry:not([hidden])");
      section.hidden = empty;
      if (letters[i]) letters[i].parentNode.hidden = empty;
    });
    status.textContent = !words.length ? "" : shown
      ? shown + " of " + entries.length + (entries.length === 1 ? " entry" : " entries") + " shown."
      : "No entry contains \u201c" + input.value.trim() + "\u201d.";
  }
  input.addEventListener("input", apply);
  box.hidden = false;
})();

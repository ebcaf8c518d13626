/* Counterpoint: highlights the words of a search (?hl=words, put there by the search page's
   result links) on the page the result opens. Words are matched as search.js matches them
   (its tokenise: folded, a query word matches the start of a word), so what was found is
   what is marked. Loads search.js only when there is something to highlight. */
(function () {
  "use strict";
  var query = "";
  try { query = new URLSearchParams(window.location.search).get("hl") || ""; } catch (e) { return; }
  if (!query.trim()) return;
  var SKIP = "script, style, textarea, input, select, .pnum, .visually-hidden, .cp-pop, mark.search-hl, [aria-hidden=true]";

  /* [start, end) of every word of `text` that starts with one of the query's words. */
  function ranges(S, text, words) {
    var tok = S.tokenise(text), out = [];
    for (var k = 0; k < tok.keys.length; k++) {
      for (var w = 0; w < words.length; w++) {
        if (tok.keys[k].lastIndexOf(words[w], 0) === 0) { out.push([tok.start[k], tok.end[k]]); break; }
      }
    }
    out.sort(function (a, b) { return a[0] - b[0] || b[1] - a[1]; });
    return out.filter(function (r, i) { return !i || r[0] >= out[i - 1][1]; });
  }

  function mark(S, root, words) {
    var walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT), nodes = [], node, count = 0;
    while ((node = walker.nextNode())) {
      if (node.data.trim() && !(node.parentNode.closest && node.parentNode.closest(SKIP))) nodes.push(node);
    }
    nodes.forEach(function (text) {
      var found = ranges(S, text.data, words);
      for (var i = found.length - 1; i >= 0; i--) {
        var tail = text.splitText(found[i][0]);
        tail.splitText(found[i][1] - found[i][0]);
        var m = document.createElement("mark");
        m.className = "search-hl";
        tail.parentNode.replaceChild(m, tail);
        m.appendChild(tail);
        count++;
      }
    });
    return count;
  }

  function run() {
    var S = window.CounterpointSearch, main = document.getElementById("main");
    if (!S || !main) return;
    var words = S.terms(query);
    if (!words.length) return;
    var count = mark(S, main, words);
    var bar = document.createElement("p"), clear = document.createElement("a");
    bar.className = "search-hl-bar";
    bar.setAttribute("role", "status");
    bar.appendChild(document.createTextNode(
      (count ? "Highlighted: " : "Not on this page: ") + "\u201c" + query.trim() + "\u201d. "));
    clear.href = location.pathname + location.hash;
    clear.textContent = "Remove the highlighting";
    bar.appendChild(clear);
    main.insertBefore(bar, main.firstChild);
  }

  function start() {
    if (window.CounterpointSearch) { run(); return; }
    var script = document.createElement("script");
    script.src = (document.documentElement.getAttribute("data-root") || "") + "static/search.js";
    script.onload = run;
    document.head.appendChild(script);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();

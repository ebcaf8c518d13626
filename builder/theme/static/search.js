/* Counterpoint search: window.COUNTERPOINT_SEARCH (search-index.js) -> ranked results.
   Classic script, works from file://. Words are folded (lower case, no diacritics,
   one kind of quote and dash); hyphenated words are indexed whole, joined and by part;
   each query word must be the prefix of some indexed word. */
(function () {
  "use strict";
  var MARKS = /\p{M}/gu, WORD = /[\p{L}\p{N}]/u, HAN = /\p{Script=Han}/u;
  var QUOTE = /['\u2018\u2019\u201a\u201b\u2032\u02bc`\u00b4]/;
  var DASH = /[\u2010-\u2015\u2212\u2e3a\u2e3b\ufe58\ufe63\uff0d]/;
  var IGNORE = /[\u00ad\u200b-\u200d\u2060\ufeff]/;
  var EXTRA = { "\u0142": "l", "\u00f8": "o", "\u0111": "d", "\u00df": "ss",
    "\u00e6": "ae", "\u0153": "oe", "\u0131": "i", "\u00fe": "th" };
  var JOIN = 1, SEP = 2, MAX_SHOWN = 100, foldCache = new Map(), docsCache = null, ASCII = [];

  /* One character -> its folded form ("" = ignore, JOIN = joins word parts, SEP = gap). */
  function fold(c) {
    var f = foldCache.get(c);
    if (f === undefined) {
      if (c === "-" || c === "'" || c === "." || QUOTE.test(c) || DASH.test(c)) f = JOIN;
      else if (IGNORE.test(c)) f = "";
      else {
        f = c.normalize("NFD").replace(MARKS, "").toLowerCase();
        f = EXTRA[f] || f;
        if (!WORD.test(f)) f = f ? SEP : "";
      }
      foldCache.set(c, f);
    }
    return f;
  }
  for (var a = 0; a < 128; a++) ASCII.push(fold(String.fromCharCode(a)));

  /* Text -> flat arrays: keys (per word its joined form first, then its parts, if more
     than one), and per key its word number and [start, end) in the text; first[w] is
     word w's first key. Flat arrays keep the garbage collector out of the first search. */
  function tokenise(text) {
    var tok = { keys: [], word: [], start: [], end: [], first: [] };
    var pk = [], ps = [], pe = [], part = "", start = 0, joined = false, i = 0, ch;
    function endPart(end) {
      if (part) { pk.push(part); ps.push(start); pe.push(end); }
      part = "";
    }
    function add(key, s, e) {
      tok.keys.push(key); tok.word.push(tok.first.length - 1); tok.start.push(s); tok.end.push(e);
    }
    function endWord() {
      joined = false;
      if (!pk.length) return;
      tok.first.push(tok.keys.length);
      if (pk.length > 1) add(pk.join(""), ps[0], pe[pe.length - 1]);
      for (var k = 0; k < pk.length; k++) add(pk[k], ps[k], pe[k]);
      pk.length = ps.length = pe.length = 0;
    }
    for (; i < text.length; i += ch.length) {
      var n = text.charCodeAt(i), f;
      ch = text[i];
      if (n < 128) f = ASCII[n];
      else {
        if (n >= 0xd800 && n < 0xdc00) ch = text.substr(i, 2);
        f = fold(ch);
      }
      if (typeof f === "string" && f !== "") {
        if (n >= 0x2e80 && HAN.test(ch)) { endPart(i); endWord(); part = f; start = i; endPart(i + ch.length); endWord(); }
        else {
          if (!part) { if (!joined) endWord(); start = i; }
          part += f; joined = false;
        }
      } else if (f === JOIN && part && !joined) { endPart(i); joined = true; }
      else if (f !== "") { endPart(i); endWord(); }
    }
    endPart(i); endWord();
    return tok;
  }

  function normalise(s) {
    var tok = tokenise(String(s));
    return tok.first.map(function (k) { return tok.keys[k]; }).join(" ");
  }

  /* A query's words, each as its joined key ("de-risk" -> "derisk"), without repeats. */
  function terms(query) {
    var seen = {};
    return normalise(query).split(" ").filter(function (t) {
      if (!t || seen[t]) return false;
      seen[t] = true;
      return true;
    });
  }

  function index() {
    var data = window.COUNTERPOINT_SEARCH;
    if (!data) return null;
    if (!docsCache) {
      docsCache = data.docs.map(function (d) {
        var page = data.pages[d[0]];
        return { url: page[0] + d[1], title: page[1], kind: data.kinds[d[2]],
          label: d[3], text: d[4], tok: null };
      });
    }
    return docsCache;
  }

  /* For each term, the keys (at most one a word) that start with it. */
  function findHits(tok, qterms) {
    var hits = [], last = [], keys = tok.keys, t, k;
    for (t = 0; t < qterms.length; t++) { hits.push([]); last.push(-1); }
    for (k = 0; k < keys.length; k++) {
      for (t = 0; t < qterms.length; t++) {
        if (last[t] !== tok.word[k] && keys[k].lastIndexOf(qterms[t], 0) === 0) {
          hits[t].push(k);
          last[t] = tok.word[k];
        }
      }
    }
    return hits;
  }

  /* Smallest run of words that holds every term: [first, last]. */
  function bestWindow(tok, hits) {
    var all = [];
    hits.forEach(function (list, t) { list.forEach(function (k) { all.push([tok.word[k], t]); }); });
    all.sort(function (a, b) { return a[0] - b[0] || a[1] - b[1]; });
    var count = hits.map(function () { return 0; }), covered = 0, lo = 0, best = null;
    for (var hi = 0; hi < all.length; hi++) {
      if (count[all[hi][1]]++ === 0) covered++;
      while (covered === hits.length) {
        if (!best || all[hi][0] - all[lo][0] < best[1] - best[0]) best = [all[lo][0], all[hi][0]];
        if (--count[all[lo][1]] === 0) covered--;
        lo++;
      }
    }
    return best;
  }

  function score(tok, hits, qterms, win) {
    var exact = 0, many = 0;
    hits.forEach(function (list, t) {
      if (list.some(function (k) { return tok.keys[k] === qterms[t]; })) exact++;
      many += Math.min(list.length, 5);
    });
    var gap = win[1] - win[0] - (qterms.length - 1);
    /* A hit on the first word: a glossary term's name, a heading. */
    return 40 / (1 + Math.max(0, gap)) + 10 * exact + 3 * many + (win[0] === 0 ? 15 : 0);
  }

  /* The text around the window, as [{text, mark}] parts with matched words marked. */
  function snippet(doc, hits, win) {
    var tok = doc.tok, count = tok.first.length, first = 0, last = count - 1;
    if (count > 40) {
      first = Math.max(0, win[0] - 12);
      last = Math.min(count - 1, Math.max(first + 35, Math.min(win[1], first + 50)));
    }
    var spans = [];
    hits.forEach(function (list) {
      list.forEach(function (k) {
        if (tok.word[k] >= first && tok.word[k] <= last) spans.push([tok.start[k], tok.end[k]]);
      });
    });
    spans.sort(function (a, b) { return a[0] - b[0] || b[1] - a[1]; });
    var text = doc.text, from = first ? tok.start[tok.first[first]] : 0;
    var to = last < count - 1 ? tok.end[tok.first[last]] : text.length, parts = [], pos = from;
    if (from > 0) parts.push({ text: "\u2026 ", mark: false });
    spans.forEach(function (s) {
      if (s[1] <= pos) return;
      var a = Math.max(s[0], pos);
      if (a > pos) parts.push({ text: text.slice(pos, a), mark: false });
      parts.push({ text: text.slice(a, s[1]), mark: true });
      pos = s[1];
    });
    if (to > pos) parts.push({ text: text.slice(pos, to), mark: false });
    if (to < text.length) parts.push({ text: " \u2026", mark: false });
    return parts;
  }

  /* Query -> ranked results [{url, title, label, kind, parts}]; every word is required. */
  function search(query) {
    var docs = index(), qterms = terms(query), results = [];
    if (!docs || !qterms.length) return results;
    docs.forEach(function (doc, n) {
      if (!doc.tok) doc.tok = tokenise(doc.text);
      var hits = findHits(doc.tok, qterms);
      if (hits.some(function (list) { return !list.length; })) return;
      var win = bestWindow(doc.tok, hits);
      results.push({ url: doc.url, title: doc.title, label: doc.label, kind: doc.kind,
        score: score(doc.tok, hits, qterms, win), order: n, parts: snippet(doc, hits, win) });
    });
    results.sort(function (a, b) { return b.score - a.score || a.order - b.order; });
    return results;
  }

  /* ---- the search page ---- */

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }

  function resultItem(r, root) {
    var li = el("li", "search-hit search-hit-" + r.kind), a = el("a");
    a.href = root + r.url;
    a.appendChild(el("span", "search-hit-title", r.title));
    a.appendChild(document.createTextNode(" "));
    a.appendChild(el("span", "search-hit-label", r.label));
    li.appendChild(a);
    var p = el("p", "search-hit-snippet");
    r.parts.forEach(function (part) {
      p.appendChild(part.mark ? el("mark", "", part.text) : document.createTextNode(part.text));
    });
    li.appendChild(p);
    return li;
  }

  function statusText(query, total) {
    if (!window.COUNTERPOINT_SEARCH) return "The search index could not be loaded.";
    if (!terms(query).length) return "";
    if (!total) return "No results for \u201c" + query.trim() + "\u201d.";
    var shown = total > MAX_SHOWN ? " (showing the first " + MAX_SHOWN + ")" : "";
    return total + (total === 1 ? " result" : " results") + " for \u201c" + query.trim() + "\u201d" + shown + ".";
  }

  function show(box, query, root) {
    var results = search(query), list = el("ol", "search-hits");
    results.slice(0, MAX_SHOWN).forEach(function (r) { list.appendChild(resultItem(r, root)); });
    box.textContent = "";
    box.appendChild(el("p", "search-status", statusText(query, results.length)));
    if (results.length) box.appendChild(list);
  }

  function remember(query) {
    try {
      var url = new URL(window.location.href);
      if (query) url.searchParams.set("q", query); else url.searchParams.delete("q");
      window.history.replaceState(null, "", url.href);
    } catch (e) { /* some browsers refuse history changes on file:// pages */ }
  }

  function loadIndex(root, done) {
    if (window.COUNTERPOINT_SEARCH) { done(); return; }
    var script = el("script");
    script.src = root + "search-index.js";
    script.onload = script.onerror = done;
    document.head.appendChild(script);
  }

  function initPage() {
    var form = document.getElementById("search-form"), input = document.getElementById("search-input");
    var box = document.getElementById("search-results");
    if (!form || !input || !box) return;
    var root = document.documentElement.dataset.root || "", timer = 0;
    var query = new URLSearchParams(window.location.search).get("q") || "";
    input.value = query;
    function update() { show(box, input.value, root); remember(input.value); }
    form.addEventListener("submit", function (event) { event.preventDefault(); update(); });
    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(update, 120);
    });
    loadIndex(root, function () { show(box, input.value, root); });
  }

  window.CounterpointSearch = { search: search, normalise: normalise, terms: terms, tokenise: tokenise };
  if (typeof document !== "undefined") {
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", initPage);
    else initPage();
  }
})();

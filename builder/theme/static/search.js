/* Counterpoint search: window.COUNTERPOINT_SEARCH (search-index.js) -> ranked results.
   Classic script, works from file://. Words are folded (lower case, no diacritics,
   one kind of quote and dash); hyphenated words are indexed whole, joined and by part;
   each query word must be the prefix of some indexed word. Each text's title, authors and
   outlet are one more document, ranked first; then whole words rank above prefixes. */
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
      var persp = data.perspectives || [];
      var pages = data.pages.map(function (p) {
        var q = p.length > 2 && p[2] >= 0 ? persp[p[2]] : null;
        return { path: p[0], title: p[1], isText: p.length > 2, authors: p[3] || "", outlet: p[4] || "",
          persp: q ? { key: q[0], label: q[1], colour: q[2] } : null };
      });
      function doc(page, fragment, kind, label, text, meta) {
        return { url: page.path + fragment, title: page.title, kind: kind, label: label, text: text,
          meta: meta, persp: page.persp, tok: null };
      }
      docsCache = [];
      pages.forEach(function (page) {
        if (!page.isText) return;
        var about = [page.title, page.authors, page.outlet].filter(Boolean).join(" \u00b7 ");
        docsCache.push(doc(page, "", "text", "Title and authors", about, true));
      });
      data.docs.forEach(function (d) {
        docsCache.push(doc(pages[d[0]], d[1], data.kinds[d[2]], d[3], d[4], false));
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

  /* How many query words occur as whole words ("Wang Yi" is whole in "Wang Yi", not in "Wang Yiwei"). */
  function wholeWords(tok, hits, qterms) {
    var exact = 0;
    hits.forEach(function (list, t) {
      if (list.some(function (k) { return tok.keys[k] === qterms[t]; })) exact++;
    });
    return exact;
  }

  /* Among results alike in the above: close hits, many hits, a hit on the first word. */
  function score(hits, qterms, win) {
    var many = 0;
    hits.forEach(function (list) { many += Math.min(list.length, 5); });
    var gap = win[1] - win[0] - (qterms.length - 1);
    /* A hit on the first word: a glossary term's name, a heading. */
    return 40 / (1 + Math.max(0, gap)) + 3 * many + (win[0] === 0 ? 15 : 0);
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

  /* Query -> ranked results [{url, title, label, kind, perspective, parts}]; every word is required.
     Order: title and author matches first, then more whole words, then the score, then reading order. */
  function search(query) {
    var docs = index(), qterms = terms(query), results = [];
    if (!docs || !qterms.length) return results;
    docs.forEach(function (doc, n) {
      if (!doc.tok) doc.tok = tokenise(doc.text);
      var hits = findHits(doc.tok, qterms);
      if (hits.some(function (list) { return !list.length; })) return;
      var win = bestWindow(doc.tok, hits);
      results.push({ url: doc.url, title: doc.title, label: doc.label, kind: doc.kind, meta: doc.meta,
        perspective: doc.persp, whole: wholeWords(doc.tok, hits, qterms), score: score(hits, qterms, win),
        order: n, parts: snippet(doc, hits, win) });
    });
    results.sort(function (a, b) {
      return b.meta - a.meta || b.whole - a.whole || b.score - a.score || a.order - b.order;
    });
    return results;
  }

  /* ---- the search page ---- */

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }

  var KIND_NAMES = { text: "the texts", note: "editor notes", term: "the glossary" };

  /* A result's link carries the query (?hl=) so that the page it opens highlights the words. */
  function resultHref(r, root, query) {
    var cut = r.url.indexOf("#"), path = cut < 0 ? r.url : r.url.slice(0, cut);
    return root + path + "?hl=" + encodeURIComponent(query.trim()) + (cut < 0 ? "" : r.url.slice(cut));
  }

  function resultItem(r, root, query) {
    var li = el("li", "search-hit search-hit-" + r.kind + (r.meta ? " search-hit-about" : "")), a = el("a");
    a.href = resultHref(r, root, query);
    a.appendChild(el("span", "search-hit-title", r.title));
    a.appendChild(document.createTextNode(" "));
    a.appendChild(el("span", "search-hit-label", r.label));
    li.appendChild(a);
    if (r.perspective) {
      var badge = el("span", "badge small search-hit-perspective");
      badge.style.setProperty("--badge", r.perspective.colour);
      badge.setAttribute("data-perspective", r.perspective.key);
      var dot = el("span", "badge-dot");
      dot.setAttribute("aria-hidden", "true");
      badge.appendChild(dot);
      badge.appendChild(document.createTextNode(r.perspective.label));
      li.appendChild(document.createTextNode(" "));
      li.appendChild(badge);
    }
    var p = el("p", "search-hit-snippet");
    r.parts.forEach(function (part) {
      p.appendChild(part.mark ? el("mark", "", part.text) : document.createTextNode(part.text));
    });
    li.appendChild(p);
    return li;
  }

  /* The filters' current choice: {kind, perspective, words} ("" = any). */
  function filtersOf(form) {
    var kind = form && form.querySelector("[name=kind]"), persp = form && form.querySelector("[name=perspective]");
    var f = { kind: kind ? kind.value : "", perspective: persp ? persp.value : "", words: [] };
    if (f.kind) f.words.push(KIND_NAMES[f.kind] || f.kind);
    if (f.perspective && persp) f.words.push(persp.options[persp.selectedIndex].text);
    return f;
  }

  function passes(r, f) {
    if (f.kind && r.kind !== f.kind) return false;
    return !f.perspective || (r.perspective ? r.perspective.key : "none") === f.perspective;
  }

  function statusText(query, total, shown, f) {
    if (!window.COUNTERPOINT_SEARCH) return "The search index could not be loaded.";
    if (!terms(query).length) return "";
    var q = "\u201c" + query.trim() + "\u201d", among = f.words.length ? " among " + f.words.join(", ") : "";
    if (!total) return "No results for " + q + ". Try fewer words, or only the start of a word.";
    if (!shown) return "No results for " + q + among + "; " + total + " without the filters.";
    var more = shown > MAX_SHOWN ? " (showing the first " + MAX_SHOWN + ")" : "";
    var all = shown < total ? " (" + total + " without the filters)" : "";
    return shown + (shown === 1 ? " result" : " results") + " for " + q + among + all + more + ".";
  }

  function show(box, query, root, form) {
    var f = filtersOf(form), all = search(query), results = all.filter(function (r) { return passes(r, f); });
    var list = el("ol", "search-hits");
    results.slice(0, MAX_SHOWN).forEach(function (r) { list.appendChild(resultItem(r, root, query)); });
    box.textContent = "";
    box.appendChild(el("p", "search-status", statusText(query, all.length, results.length, f)));
    if (results.length) box.appendChild(list);
    var help = document.getElementById("search-help");
    if (help) help.hidden = terms(query).length > 0;
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
    var params = new URLSearchParams(window.location.search), query = params.get("q") || "";
    input.value = query;
    ["kind", "perspective"].forEach(function (name) {
      var select = form.querySelector("[name=" + name + "]");
      if (select && params.get(name)) select.value = params.get(name);
    });
    function update() { show(box, input.value, root, form); remember(input.value); }
    form.addEventListener("submit", function (event) { event.preventDefault(); update(); });
    form.addEventListener("change", function () { show(box, input.value, root, form); });
    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(update, 120);
    });
    loadIndex(root, function () { show(box, input.value, root, form); });
  }

  window.CounterpointSearch = { search: search, normalise: normalise, terms: terms, tokenise: tokenise };
  if (typeof document !== "undefined") {
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", initPage);
    else initPage();
  }
})();

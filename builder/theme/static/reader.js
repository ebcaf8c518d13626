/* Counterpoint reader: progressive enhancement of the built pages. Classic script,
   no framework, works from file://. Everything it does is also reachable without it:
   footnotes, notes, terms and cross-references are real links to real targets. */
(function () {
  "use strict";
  var doc = document, root = doc.documentElement;
  root.classList.add("js");
  var reduced = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  var glossary = window.COUNTERPOINT_GLOSSARY || {};
  var compareLinks = window.COUNTERPOINT_COMPARE || null;
  var lastPointer = "mouse", popCount = 0, suppress = null;

  function $$(sel, ctx) { return Array.prototype.slice.call((ctx || doc).querySelectorAll(sel)); }
  function el(tag, cls, text) {
    var n = doc.createElement(tag);
    if (cls) n.className = cls;
    if (text) n.textContent = text;
    return n;
  }
  function hashOf(a) {
    var h = a.getAttribute("href") || "", i = h.indexOf("#");
    return i < 0 ? "" : decodeURIComponent(h.slice(i + 1));
  }
  function isLocal(a) { return (a.getAttribute("href") || "").charAt(0) === "#"; }
  function byId(id) { return id ? doc.getElementById(id) : null; }
  function scrollTo(node, block) {
    node.scrollIntoView({ block: block || "center", inline: "nearest", behavior: reduced ? "auto" : "smooth" });
  }
  function flash(node) {
    node.classList.remove("is-flash");
    void node.offsetWidth;
    node.classList.add("is-flash");
    window.setTimeout(function () { node.classList.remove("is-flash"); }, 1700);
  }
  /* Block HTML copied into a phrasing context (a popup sits inside a paragraph). */
  function inlineCopy(source) {
    var box = el("span", "cp-pop-body");
    box.innerHTML = source.innerHTML;
    $$("p, div, ul, ol, li, blockquote, h1, h2, h3, h4, h5, h6, pre, table", box).forEach(function (b) {
      var s = el("span", "cp-p cp-" + b.tagName.toLowerCase());
      while (b.firstChild) s.appendChild(b.firstChild);
      b.parentNode.replaceChild(s, b);
    });
    $$("[id]", box).forEach(function (n) { n.removeAttribute("id"); });
    $$(".pnum, .fn-back, .fn-label, .sidenote, .ed-marker, .cp-pop", box).forEach(function (n) { n.parentNode.removeChild(n); });
    $$("a.term", box).forEach(function (a) {
      var s = el("span", "term-occ");
      while (a.firstChild) s.appendChild(a.firstChild);
      a.parentNode.replaceChild(s, a);
    });
    return box;
  }

  /* ------------------------------------------------------------------ toast */
  var toast = null, toastTimer = 0;
  function showToast(message, url) {
    if (!toast) {
      toast = el("div", "cp-toast");
      toast.setAttribute("role", "status");
      toast.hidden = true;
      doc.body.appendChild(toast);
    }
    toast.textContent = message;
    if (url) {
      var input = el("input");
      input.type = "text";
      input.readOnly = true;
      input.value = url;
      input.setAttribute("aria-label", "Link to this paragraph");
      toast.appendChild(input);
    }
    toast.hidden = false;
    window.clearTimeout(toastTimer);
    toastTimer = window.setTimeout(function () {
      if (!toast.contains(doc.activeElement)) toast.hidden = true;
    }, url ? 8000 : 3500);
    return toast;
  }

  /* ------------------------------------------------------------------ ¶ permalinks */
  function copyText(text, done) {
    function fallback() {
      var ta = el("textarea"), ok = false;
      ta.value = text;
      ta.setAttribute("readonly", "");
      ta.style.position = "fixed";
      ta.style.opacity = "0";
      doc.body.appendChild(ta);
      ta.select();
      try { ok = doc.execCommand("copy"); } catch (e) { ok = false; }
      doc.body.removeChild(ta);
      done(ok);
    }
    try {
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(text).then(function () { done(true); }, fallback);
        return;
      }
    } catch (e) { /* fall through */ }
    fallback();
  }
  window.COUNTERPOINT_COPY = copyText; /* cite.js uses it too */

  function onPnum(a, event) {
    event.preventDefault();
    var id = hashOf(a), url = location.href.split("#")[0] + "#" + id;
    try { history.pushState(null, "", "#" + id); } catch (e) { /* file:// may refuse */ }
    markTarget(id);
    a.classList.add("is-copied");
    window.setTimeout(function () { a.classList.remove("is-copied"); }, 1500);
    var label = a.getAttribute("aria-label") || "this paragraph";
    copyText(url, function (ok) {
      if (ok) showToast("Link to " + label.replace("Paragraph", "¶").replace("¶ ", "¶") + " copied.", url);
      else {
        var t = showToast("Copy this link to " + label.toLowerCase() + ":", url);
        var input = t.querySelector("input");
        if (input) { input.focus(); input.select(); }
      }
    });
  }

  /* ------------------------------------------------------------------ targets */
  var targeted = [];
  function markTarget(id) {
    targeted.forEach(function (n) { n.classList.remove("is-target"); });
    targeted = [];
    var node = byId(id);
    if (!node) return;
    var key = node.getAttribute("data-anchor");
    targeted = key ? $$('[data-anchor="' + key.replace(/"/g, '\\"') + '"]') : [node];
    targeted.forEach(function (n) { n.classList.add("is-target"); });
    var note = node.classList.contains("sidenote") ? node : null;
    if (note) openNote(note, true);
  }
  function onHash() { markTarget(location.hash ? decodeURIComponent(location.hash.slice(1)) : ""); }

  /* ------------------------------------------------------------------ editor notes */
  function noteInline(note) { return window.getComputedStyle(note).float === "none"; }
  function syncNote(marker) {
    var note = byId(hashOf(marker));
    if (note) marker.setAttribute("aria-expanded", String(note.classList.contains("is-open") || !noteInline(note)));
  }
  function openNote(note, open) {
    note.classList.toggle("is-open", open);
    var marker = doc.querySelector('a.note-marker[href="#' + note.id + '"]');
    if (marker) syncNote(marker);
  }
  function onNoteMarker(a, event) {
    var note = byId(hashOf(a));
    if (!note) return;
    event.preventDefault();
    if (noteInline(note)) openNote(note, !note.classList.contains("is-open"));
    else {
      flash(note);
      var r = note.getBoundingClientRect();
      if (r.top < 0 || r.bottom > window.innerHeight) scrollTo(note, "nearest");
    }
  }

  /* ------------------------------------------------------------------ popups */
  var pop = null; /* {trigger, node, pinned, kind} */
  var hoverTimer = 0, leaveTimer = 0;

  function popKind(a) {
    if (a.matches("button.fn-unres")) return "unres";
    if (a.matches("sup.fn-ref a")) return "fn";
    if (a.matches("a.term")) return glossary[hashOf(a)] ? "term" : "";
    if (a.matches("a.xref")) return "xref";
    return "";
  }

  function linkIdOf(hash) {
    var id = hash.replace(/^(?:[ab]-)?link-/, "");
    var bare = id.replace(/-to$/, "");
    return byId("dialogue-" + bare) ? bare : id;
  }

  /* head, then the explanation (it may scroll), then the way out (it never scrolls away) */
  function buildPop(a, kind) {
    var node = el("span", "cp-pop cp-pop-" + kind), head = el("span", "cp-pop-head"), go = el("a", "cp-pop-go");
    var box = el("span", "cp-pop-scroll");
    node.id = "cp-pop-" + (++popCount);
    node.setAttribute("role", "dialog");
    node.appendChild(head);
    node.appendChild(box);
    go.href = a.getAttribute("href");
    if (kind === "unres") {
      var ref = a.textContent.replace(/[\[\]]/g, "");
      head.textContent = "Reference " + ref;
      node.setAttribute("aria-label", "Reference " + ref);
      box.appendChild(el("span", "cp-pop-body", "The source prints this reference mark but gives no text for it, so there is no note to show."));
      return node;
    }
    if (kind === "fn") {
      var label = a.textContent.trim(), target = byId(hashOf(a)), li = target && target.closest("li");
      head.textContent = "Authors’ note " + label;
      node.setAttribute("aria-label", "Authors’ note " + label);
      box.appendChild(li ? inlineCopy(li) : el("span", "cp-pop-body", "The note’s text is at the end of the page."));
      go.textContent = "Go to the note at the end ↓";
    } else if (kind === "term") {
      var entry = glossary[hashOf(a)];
      node.classList.add("cp-pop-ed");
      head.appendChild(el("span", "ed-tag", "Editor"));
      head.appendChild(doc.createTextNode(" Glossary"));
      node.setAttribute("aria-label", "Glossary: " + entry.term);
      box.appendChild(el("span", "cp-pop-title", entry.term));
      var def = el("span");
      def.innerHTML = entry.html.split("%ROOT%").join(doc.documentElement.getAttribute("data-root") || "");  // links in definitions are written relative to the site root
      box.appendChild(inlineCopy(def));
      go.textContent = "Full entry and every occurrence →";
    } else {
      var rel = a.getAttribute("data-relation") || "";
      node.classList.add("cp-pop-ed", "rel-" + rel);
      head.appendChild(el("span", "ed-tag", "Editor"));
      head.appendChild(doc.createTextNode(" Cross-reference"));
      var full = fullLabel(a);
      node.setAttribute("aria-label", "Cross-reference: " + full);
      box.appendChild(el("span", "cp-pop-title", full));
      if (a.getAttribute("data-preview")) box.appendChild(el("span", "cp-pop-quote", a.getAttribute("data-preview")));
      var noteHtml = linkNote(a);
      if (noteHtml) {
        var holder = el("span");
        holder.innerHTML = noteHtml;
        var body = inlineCopy(holder);
        body.classList.add("link-note");
        box.appendChild(body);
      }
      var counterpart = a.getAttribute("data-counterpart");
      if (counterpart) go.href = "#" + counterpart;
      go.textContent = counterpart ? "Show it in the other column →" : "Read the passage →";
      if (counterpart) go.setAttribute("data-counterpart", counterpart);
    }
    node.appendChild(go);
    return node;
  }

  /* the marker names the other text by a short title; the popup gives the whole title */
  function fullLabel(a) {
    var label = a.textContent.trim(), item = byId("dialogue-" + linkIdOf(hashOf(a)));
    var there = item && item.querySelector(".dialogue-there"), m = /^(.*?[\u2190\u2192\u2194])/.exec(label);
    return there && m ? m[1] + " " + there.textContent.replace(/,\s*(\u00b6\S+)$/, " $1") : label;
  }

  function linkNote(a) {
    var hash = hashOf(a);
    if (compareLinks) {
      var id = a.getAttribute("data-link-id");
      for (var i = 0; i < compareLinks.length; i++) if (compareLinks[i].id === id) return compareLinks[i].note_html;
      return "";
    }
    var item = byId("dialogue-" + linkIdOf(hash)), note = item && item.querySelector(".link-note");
    return note ? note.innerHTML : "";
  }

  /* On a wide screen the popup sits beside its marker, on the side with more room, never taller than
     that room; on a phone it is a sheet at the bottom and the page moves so that it covers no line
     near the marker. Either way the way out (.cp-pop-go) stays in view: only the middle scrolls. */
  var sheetQuery = window.matchMedia ? window.matchMedia("(max-width: 40rem)") : { matches: false };
  function place() {
    if (!pop) return;
    var r = pop.trigger.getBoundingClientRect(), n = pop.node, vw = doc.documentElement.clientWidth, vh = window.innerHeight;
    n.classList.toggle("cp-pop-sheet", sheetQuery.matches);
    if (sheetQuery.matches) {
      n.style.left = n.style.top = n.style.maxHeight = "";
      return;
    }
    var gap = 6, below = vh - r.bottom - gap - 8, above = r.top - gap - 8;
    n.style.left = "0px";
    n.style.top = "0px";
    n.style.maxHeight = Math.max(120, Math.min(352, Math.max(below, above))) + "px";
    var w = n.offsetWidth, h = n.offsetHeight;
    var left = Math.max(8, Math.min(r.left, vw - w - 8));
    var top = h <= below || below >= above ? r.bottom + gap : r.top - gap - h;
    n.style.left = Math.round(left) + "px";
    n.style.top = Math.round(Math.max(8, Math.min(top, vh - h - 8))) + "px";
  }
  function clearSheet() {
    if (!pop || !pop.node.classList.contains("cp-pop-sheet")) return;
    var r = pop.trigger.getBoundingClientRect(), sheet = pop.node.getBoundingClientRect().top, room = 72;
    doc.body.style.paddingBottom = pop.node.offsetHeight + "px"; /* so the last lines can rise above it */
    if (r.bottom + room > sheet) window.scrollBy(0, r.bottom + room - sheet);
    else if (r.top < room) window.scrollBy(0, r.top - room);
  }

  function openPop(a, pinned) {
    window.clearTimeout(leaveTimer);
    if (pop && pop.trigger === a) {
      if (pinned) pop.pinned = true;
      return;
    }
    closePop(false);
    var kind = popKind(a);
    if (!kind) return;
    var node = buildPop(a, kind), after = a.parentNode.matches("sup") ? a.parentNode : a;
    after.parentNode.insertBefore(node, after.nextSibling);
    a.setAttribute("aria-expanded", "true");
    a.setAttribute("aria-controls", node.id);
    pop = { trigger: a, node: node, pinned: !!pinned, t: Date.now() };
    node.addEventListener("pointerenter", function () { window.clearTimeout(leaveTimer); });
    node.addEventListener("pointerleave", function (e) { if (e.pointerType === "mouse") scheduleClose(); });
    place();
    clearSheet();
  }

  function closePop(refocus) {
    window.clearTimeout(hoverTimer);
    window.clearTimeout(leaveTimer);
    if (!pop) return;
    var p = pop;
    pop = null;
    var hadFocus = p.node.contains(doc.activeElement);
    p.trigger.setAttribute("aria-expanded", "false");
    p.trigger.removeAttribute("aria-controls");
    if (p.node.parentNode) p.node.parentNode.removeChild(p.node);
    doc.body.style.paddingBottom = "";
    if ((refocus || hadFocus) && doc.activeElement !== p.trigger) {
      suppress = p.trigger;
      p.trigger.focus({ preventScroll: true });
      suppress = null;
    }
  }

  function scheduleClose() {
    window.clearTimeout(leaveTimer);
    leaveTimer = window.setTimeout(function () { if (pop && !pop.pinned) closePop(false); }, 350);
  }

  function trig(target) { return target && target.closest ? target.closest("a, button.fn-unres") : null; }
  function popTrigger(target) {
    var a = trig(target);
    return a && popKind(a) && !a.closest(".cp-pop") ? a : null;
  }

  doc.addEventListener("pointerdown", function (e) {
    lastPointer = e.pointerType || "mouse";
    if (!pop) return;
    if (pop.node.contains(e.target)) pop.pinned = true;
    else if (trig(e.target) !== pop.trigger) closePop(false);
  }, true);

  doc.addEventListener("pointerover", function (e) {
    if (e.pointerType !== "mouse") return;
    var a = popTrigger(e.target);
    if (!a) return;
    window.clearTimeout(hoverTimer);
    window.clearTimeout(leaveTimer);
    if (pop && pop.trigger === a) return;
    hoverTimer = window.setTimeout(function () { if (!pop || !pop.pinned) openPop(a, false); }, 180);
  });
  doc.addEventListener("pointerout", function (e) {
    if (e.pointerType !== "mouse") return;
    var a = popTrigger(e.target);
    if (!a || (e.relatedTarget && a.contains(e.relatedTarget))) return;
    window.clearTimeout(hoverTimer);
    if (pop && pop.trigger === a) scheduleClose();
  });

  doc.addEventListener("focusin", function (e) {
    var a = popTrigger(e.target);
    if (a === suppress) return;
    if (a) { if (!pop || pop.trigger !== a) openPop(a, false); return; }
    if (pop && !pop.node.contains(e.target)) closePop(false);
  });
  doc.addEventListener("focusout", function (e) {
    if (!pop) return;
    var next = e.relatedTarget;
    if (next && (next === pop.trigger || pop.node.contains(next))) return;
    if (!next && (e.target === pop.trigger || pop.node.contains(e.target))) {
      /* focus left the window or went to the body: keep a pinned popup */
      if (!pop.pinned) closePop(false);
      return;
    }
    closePop(false);
  });

  doc.addEventListener("keydown", function (e) {
    if (e.key === "Escape" || e.key === "Esc") {
      if (pop) { e.preventDefault(); closePop(true); return; }
      var marker = e.target.closest && e.target.closest("a.note-marker");
      var note = marker ? byId(hashOf(marker)) : e.target.closest && e.target.closest(".sidenote.is-open");
      if (note && note.classList.contains("is-open")) {
        openNote(note, false);
        var m = doc.querySelector('a.note-marker[href="#' + note.id + '"]');
        if (m) m.focus();
      }
      if (toast && !toast.hidden) toast.hidden = true;
    }
  });

  doc.addEventListener("click", function (e) {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    var a = trig(e.target);
    if (!a) return;
    if (a.classList.contains("pnum")) { onPnum(a, e); return; }
    if (a.classList.contains("note-marker")) { onNoteMarker(a, e); return; }
    var counterpart = a.getAttribute("data-counterpart");
    if (a.hasAttribute("data-compare-from")) { e.preventDefault(); compareList(a); return; }
    if (a.closest(".cp-pop") && !a.classList.contains("cp-pop-go")) return;
    var kind = popKind(a);
    if (kind === "fn" || kind === "term" || kind === "unres") {
      e.preventDefault();
      if (pop && pop.trigger === a && pop.pinned) closePop(false);
      else openPop(a, true);
      return;
    }
    if (kind === "xref") {
      var fresh = !pop || pop.trigger !== a || (!pop.pinned && Date.now() - pop.t < 700);
      if (lastPointer === "touch" && fresh) { e.preventDefault(); openPop(a, true); return; }
      if (counterpart) { e.preventDefault(); closePop(false); showCounterpart(a, counterpart); }
      return;
    }
    if (counterpart && a.classList.contains("cp-pop-go")) {
      e.preventDefault();
      var trigger = pop && pop.trigger;
      closePop(false);
      if (trigger) showCounterpart(trigger, counterpart);
    }
  });

  var ticking = false;
  function onMove() {
    if (ticking || !pop) return;
    ticking = true;
    window.requestAnimationFrame(function () { ticking = false; place(); });
  }
  window.addEventListener("scroll", onMove, true);
  window.addEventListener("resize", function () {
    onMove();
    $$("a.note-marker").forEach(syncNote);
  });

  /* ------------------------------------------------------------------ markers */
  /* "rebutted by ← Title ¶12": every word stays visible (which ¶12 matters in a text linked to
     five others); the relation and the ¶ only keep from breaking across lines. */
  function shapeXref(a) {
    var label = a.textContent, m = /^(.*?[\u2190\u2192\u2194])\s+(.*?)(?:\s+(\u00b6\S+))?$/.exec(label);
    if (!m || a.querySelector(".xref-rel")) return;
    a.textContent = "";
    a.appendChild(el("span", "xref-rel", m[1]));
    a.appendChild(doc.createTextNode(" " + m[2] + (m[3] ? " " : "")));
    if (m[3]) a.appendChild(el("span", "xref-para", m[3]));
  }
  /* A reference mark the source gives no text for: its explanation opens by keyboard and touch. */
  function unresolvedButton(sup) {
    var label = sup.getAttribute("data-label") || sup.textContent, b = el("button", "fn-unres", sup.textContent);
    b.type = "button";
    b.setAttribute("aria-label", "Reference " + label + ": no text in the source");
    b.setAttribute("aria-expanded", "false");
    sup.removeAttribute("title");
    sup.textContent = "";
    sup.appendChild(b);
  }

  /* ------------------------------------------------------------------ compare view */
  var current = [];
  function sideOf(node) { return node.closest(".compare-side"); }
  function highlight(ids) {
    current.forEach(function (n) { n.classList.remove("is-current"); });
    current = [];
    ids.forEach(function (id) {
      var node = byId(id);
      if (!node) return;
      var key = node.getAttribute("data-anchor");
      (key ? $$('[data-anchor="' + key + '"]') : [node]).forEach(function (n) { n.classList.add("is-current"); current.push(n); });
    });
  }
  function reveal(id) {
    var node = byId(id);
    if (!node) return;
    if (!node.hasAttribute("tabindex")) node.setAttribute("tabindex", "-1");
    node.focus({ preventScroll: true });
    scrollTo(node, "center");
  }
  function showCounterpart(a, id) {
    var here = a.getAttribute("data-here");
    highlight(here ? [here, id] : [id]);
    try { history.replaceState(null, "", "#" + id); } catch (e) { /* ignore */ }
    showSideOf(id);
    reveal(id);
  }

  /* On a narrow screen the two texts are tabs, one shown at a time (stacked, they were ~25,000 px
     and a jump crossed ~10,000 of them); a marker's jump switches to the other text. Without
     JavaScript they stay stacked. */
  var tabs = null; /* {list, buttons, sides, shown, tops} when the compare view has tabs */
  function showSide(i, restore) {
    if (!tabs || !tabs.on) return;
    tabs.tops[tabs.shown] = window.pageYOffset;
    tabs.shown = i;
    tabs.sides.forEach(function (side, j) {
      side.classList.toggle("is-shown", i === j);
      tabs.buttons[j].setAttribute("aria-selected", String(i === j));
      tabs.buttons[j].tabIndex = i === j ? 0 : -1;
    });
    if (restore) window.scrollTo(0, tabs.tops[i] || 0);
  }
  function showSideOf(id) {
    var node = byId(id), side = node && sideOf(node);
    if (tabs && side) showSide(tabs.sides.indexOf(side), false);
  }
  function setTabs() {
    var on = tabs.query.matches;
    tabs.on = on;
    tabs.list.hidden = !on;
    tabs.box.classList.toggle("is-tabbed", on);
    tabs.sides.forEach(function (side, j) {
      if (on) {
        side.setAttribute("role", "tabpanel");
        side.setAttribute("aria-labelledby", tabs.buttons[j].id);
      } else {
        side.removeAttribute("role");
        side.removeAttribute("aria-labelledby");
      }
    });
    if (on) showSide(tabs.shown, false);
  }
  function initTabs() {
    var box = doc.querySelector(".compare"), sides = box ? $$(".compare-side", box) : [];
    if (sides.length !== 2 || !window.matchMedia) return;
    var list = el("div", "compare-tabs");
    list.setAttribute("role", "tablist");
    list.setAttribute("aria-label", "The two texts");
    var buttons = sides.map(function (side, i) {
      var b = el("button", "compare-tab"), bar = side.querySelector(".compare-bar");
      b.type = "button";
      b.id = "compare-tab-" + i;
      b.setAttribute("role", "tab");
      b.setAttribute("aria-controls", side.id);
      b.innerHTML = bar ? bar.innerHTML : "";
      b.addEventListener("click", function () { showSide(i, true); });
      b.addEventListener("keydown", function (e) {
        if (e.key !== "ArrowLeft" && e.key !== "ArrowRight") return;
        e.preventDefault();
        showSide(1 - i, true);
        buttons[1 - i].focus();
      });
      list.appendChild(b);
      return b;
    });
    box.parentNode.insertBefore(list, box);
    tabs = { box: box, list: list, buttons: buttons, sides: sides, shown: 0, tops: [0, 0], query: window.matchMedia("(max-width: 59.99rem)") };
    if (tabs.query.addEventListener) tabs.query.addEventListener("change", setTabs);
    setTabs();
    var target = location.hash && byId(decodeURIComponent(location.hash.slice(1)));
    if (target && sideOf(target) && tabs.on) {
      showSideOf(target.id);
      target.scrollIntoView({ block: "start" });
    }
  }
  function compareList(a) {
    var from = a.getAttribute("data-compare-from"), to = a.getAttribute("data-compare-to");
    highlight([from, to]);
    var f = byId(from), t = byId(to);
    if (f) scrollTo(f, "center");
    if (t) window.setTimeout(function () { reveal(to); }, reduced ? 0 : 350);
  }
  function initCompare() {
    if (!compareLinks) return;
    initTabs();
    var ends = {};
    compareLinks.forEach(function (l) { ends[l.from] = { other: l.to, id: l.id }; ends[l.to] = { other: l.from, id: l.id }; });
    $$(".compare-side a.xref").forEach(function (a) {
      var side = sideOf(a), prefix = side.getAttribute("data-side"), hash = hashOf(a);
      var otherPrefix = prefix === "a-" ? "b-" : "a-", candidate = otherPrefix + hash, end = ends[candidate];
      var other = byId(candidate);
      if (!end || !other || sideOf(other) === side) return;
      a.setAttribute("data-counterpart", candidate);
      a.setAttribute("data-here", end.other);
      a.setAttribute("data-link-id", end.id);
    });
    if (location.hash) {
      var id = decodeURIComponent(location.hash.slice(1));
      if (ends[id]) highlight([id, ends[id].other]);
    }
  }

  /* ------------------------------------------------------------------ embedded in the composer */
  function initEmbedded() {
    if (window.top === window.self) return;
    doc.documentElement.classList.add("embedded");
    doc.addEventListener("click", function (event) {
      var a = event.target.closest && event.target.closest("a.xref");
      if (!a || event.defaultPrevented) return;
      var url = new URL(a.getAttribute("href"), location.href);
      event.preventDefault(); /* the passage opens in the composer's other column */
      window.parent.postMessage({ counterpoint: "open", path: url.pathname, fragment: url.hash.slice(1) }, "*");
    });
  }

  /* ------------------------------------------------------------------ start */
  function start() {
    initEmbedded();
    $$("a.xref").forEach(shapeXref);
    $$("sup.fn-unresolved").forEach(unresolvedButton);
    $$("a.note-marker").forEach(syncNote);
    initCompare();
    onHash();
    window.addEventListener("hashchange", onHash);
  }
  if (doc.readyState === "loading") doc.addEventListener("DOMContentLoaded", start);
  else start();
})();

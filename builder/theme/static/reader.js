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

  function buildPop(a, kind) {
    var node = el("span", "cp-pop cp-pop-" + kind), head = el("span", "cp-pop-head"), go = el("a", "cp-pop-go");
    node.id = "cp-pop-" + (++popCount);
    node.setAttribute("role", "dialog");
    node.appendChild(head);
    go.href = a.getAttribute("href");
    if (kind === "fn") {
      var label = a.textContent.trim(), target = byId(hashOf(a)), li = target && target.closest("li");
      head.textContent = "Authors’ note " + label;
      node.setAttribute("aria-label", "Authors’ note " + label);
      node.appendChild(li ? inlineCopy(li) : el("span", "cp-pop-body", "The note’s text is at the end of the page."));
      go.textContent = "Go to the note at the end ↓";
    } else if (kind === "term") {
      var entry = glossary[hashOf(a)];
      node.classList.add("cp-pop-ed");
      head.appendChild(el("span", "ed-tag", "Editor"));
      head.appendChild(doc.createTextNode(" Glossary"));
      node.setAttribute("aria-label", "Glossary: " + entry.term);
      node.appendChild(el("span", "cp-pop-title", entry.term));
      var def = el("span");
      def.innerHTML = entry.html.split("%ROOT%").join(doc.documentElement.getAttribute("data-root") || "");  // links in definitions are written relative to the site root
      node.appendChild(inlineCopy(def));
      go.textContent = "Full entry and every occurrence →";
    } else {
      var rel = a.getAttribute("data-relation") || "";
      node.classList.add("cp-pop-ed", "rel-" + rel);
      head.appendChild(el("span", "ed-tag", "Editor"));
      head.appendChild(doc.createTextNode(" Cross-reference"));
      var full = a.getAttribute("data-label") || a.textContent;
      node.setAttribute("aria-label", "Cross-reference: " + full);
      node.appendChild(el("span", "cp-pop-title", full));
      if (a.getAttribute("data-preview")) node.appendChild(el("span", "cp-pop-quote", a.getAttribute("data-preview")));
      var noteHtml = linkNote(a);
      if (noteHtml) {
        var holder = el("span");
        holder.innerHTML = noteHtml;
        var body = inlineCopy(holder);
        body.classList.add("link-note");
        node.appendChild(body);
      }
      var counterpart = a.getAttribute("data-counterpart");
      if (counterpart) go.href = "#" + counterpart;
      go.textContent = counterpart ? "Show it in the other column →" : "Read the passage →";
      if (counterpart) go.setAttribute("data-counterpart", counterpart);
    }
    node.appendChild(go);
    return node;
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

  function place() {
    if (!pop) return;
    var r = pop.trigger.getBoundingClientRect(), n = pop.node, vw = doc.documentElement.clientWidth, vh = window.innerHeight;
    n.style.left = "0px";
    n.style.top = "0px";
    var w = n.offsetWidth, h = n.offsetHeight, gap = 6;
    var left = Math.max(8, Math.min(r.left, vw - w - 8));
    var top = r.bottom + gap;
    if (top + h > vh - 8 && r.top - gap - h > 8) top = r.top - gap - h;
    n.style.left = Math.round(left) + "px";
    n.style.top = Math.round(Math.max(8, top)) + "px";
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

  function popTrigger(target) {
    var a = target && target.closest ? target.closest("a") : null;
    return a && popKind(a) && !a.closest(".cp-pop") ? a : null;
  }

  doc.addEventListener("pointerdown", function (e) {
    lastPointer = e.pointerType || "mouse";
    if (!pop) return;
    if (pop.node.contains(e.target)) pop.pinned = true;
    else if (e.target.closest("a") !== pop.trigger) closePop(false);
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
    var a = e.target.closest ? e.target.closest("a") : null;
    if (!a) return;
    if (a.classList.contains("pnum")) { onPnum(a, e); return; }
    if (a.classList.contains("note-marker")) { onNoteMarker(a, e); return; }
    var counterpart = a.getAttribute("data-counterpart");
    if (a.hasAttribute("data-compare-from")) { e.preventDefault(); compareList(a); return; }
    if (a.closest(".cp-pop") && !a.classList.contains("cp-pop-go")) return;
    var kind = popKind(a);
    if (kind === "fn" || kind === "term") {
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

  /* ------------------------------------------------------------------ cross-reference chips */
  /* "rebutted by ← Title ¶12" -> the relation and the ¶ stay visible, the title is read
     out by screen readers and shown in the preview. */
  function compactXref(a) {
    var label = a.textContent, m = /^(.*?[\u2190\u2192\u2194])\s+(.*?)(?:\s+(\u00b6\S+))?$/.exec(label);
    if (!m || a.querySelector(".xref-rel")) return;
    a.setAttribute("data-label", label);
    a.textContent = "";
    a.appendChild(el("span", "xref-rel", m[1]));
    a.appendChild(el("span", "visually-hidden", " " + m[2]));
    if (m[3]) {
      a.appendChild(doc.createTextNode(" "));
      a.appendChild(el("span", "xref-para", m[3]));
    }
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
    reveal(id);
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
    $$("a.xref").forEach(compactXref);
    $$("a.note-marker").forEach(syncNote);
    initCompare();
    onHash();
    window.addEventListener("hashchange", onHash);
  }
  if (doc.readyState === "loading") doc.addEventListener("DOMContentLoaded", start);
  else start();
})();

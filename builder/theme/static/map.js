/* Debate map: one Tab stop, arrow keys between boxes and lines, a selected line lists its links.
   The map is drawn at build time (builder/debate_map.py); this only moves a roving tabindex
   and copies a pair's rows from the table below the map into the panel beside it. */
(function () {
  'use strict';
  var svg = document.querySelector('svg.cpm');
  var panel = document.getElementById('map-detail');
  if (!svg || !panel) return;
  var items = Array.prototype.slice.call(svg.querySelectorAll('.cpm-item'));
  var current = items.filter(function (el) { return el.getAttribute('tabindex') === '0'; })[0] || items[0];
  var keys = { ArrowRight: [1, 0], ArrowLeft: [-1, 0], ArrowDown: [0, 1], ArrowUp: [0, -1] };

  function at(el) { return [parseFloat(el.getAttribute('data-x')), parseFloat(el.getAttribute('data-y'))]; }

  /* The nearest item in the arrow's direction: inside a 60° cone if any, else anywhere ahead. */
  function toward(from, dir) {
    var p = at(from), best = null, bestScore = Infinity, inCone = false;
    items.forEach(function (el) {
      if (el === from) return;
      var q = at(el), dx = q[0] - p[0], dy = q[1] - p[1];
      var ahead = dx * dir[0] + dy * dir[1], aside = Math.abs(dx * dir[1] + dy * dir[0]);
      if (ahead <= 0) return;
      var cone = aside <= ahead * 1.2, score = ahead + 2 * aside;
      if ((cone && !inCone) || (cone === inCone && score < bestScore)) { best = el; bestScore = score; inCone = cone; }
    });
    return best;
  }

  function select(el, focus) {
    if (current && current !== el) { current.setAttribute('tabindex', '-1'); current.classList.remove('is-current'); }
    current = el;
    el.setAttribute('tabindex', '0');
    el.classList.add('is-current');
    var near = neighbours(el);
    svg.classList.add('has-current');
    items.forEach(function (other) { other.classList.toggle('is-near', near.indexOf(other) >= 0); });
    if (el.classList.contains('cpm-edge')) show(el);
    if (focus) el.focus();
  }

  /* A line and its two boxes; a box, its lines and the boxes at their other ends. */
  function neighbours(el) {
    var near = [el];
    items.forEach(function (edge) {
      if (!edge.classList.contains('cpm-edge')) return;
      var a = edge.getAttribute('data-a'), b = edge.getAttribute('data-b');
      if (edge === el || a === el.id || b === el.id) {
        near.push(edge, document.getElementById(a), document.getElementById(b));
      }
    });
    return near;
  }

  /* The panel lists the pair's links, copied from its group of rows in the table. */
  function show(edge) {
    var group = document.getElementById(edge.getAttribute('data-pair'));
    if (!group) return;
    var list = panel.querySelector('ul');
    panel.querySelector('h2').textContent = group.querySelector('th').textContent;
    list.textContent = '';
    Array.prototype.forEach.call(group.querySelectorAll('tr.map-link'), function (row) {
      var li = document.createElement('li');
      var cells = row.querySelectorAll('td');
      li.className = cells[1].className;
      li.appendChild(cells[0].firstElementChild.cloneNode(true));
      li.appendChild(document.createTextNode(' '));
      var rel = document.createElement('strong');
      rel.textContent = cells[1].textContent;
      li.appendChild(rel);
      li.appendChild(document.createTextNode(' '));
      li.appendChild(cells[2].firstElementChild.cloneNode(true));
      list.appendChild(li);
    });
    panel.hidden = false;
  }

  svg.addEventListener('keydown', function (event) {
    var dir = keys[event.key], next = null;
    if (dir) next = toward(current, dir);
    else if (event.key === 'Home') next = items[0];
    else if (event.key === 'End') next = items[items.length - 1];
    else if (event.key === ' ' && current.classList.contains('cpm-edge')) { current.click(); }
    else return;
    event.preventDefault();
    if (next) select(next, true);
  });
  svg.addEventListener('focusin', function (event) {
    var el = event.target.closest && event.target.closest('.cpm-item');
    if (el && el !== current) select(el, false);
  });
  svg.addEventListener('click', function (event) {
    var edge = event.target.closest && event.target.closest('.cpm-edge');
    if (!edge) return;
    event.preventDefault();
    select(edge, false);
    panel.scrollIntoView({ block: 'nearest' });
    if (event.detail === 0) panel.focus({ preventScroll: true }); /* Enter: on to the links; a pointer stays */
  });
  panel.addEventListener('keydown', function (event) {
    if (event.key === 'Escape' && current) { event.preventDefault(); current.focus(); }
  });
}());

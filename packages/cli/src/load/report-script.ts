/**
 * The report's inline script: draws the charts as SVG from the embedded result, with no network.
 * Each chart figure gets `data-rendered="true"`, `data-points`, `data-series` and `data-events`,
 * and <body> gets `data-charts-rendered` (the number of charts drawn): a headless browser's
 * dumped DOM shows whether the charts rendered. Plain ES2017, no template literals.
 */
export const REPORT_SCRIPT = String.raw`
(function () {
  'use strict';
  var NS = 'http://www.w3.org/2000/svg';
  var data = JSON.parse(document.getElementById('load-result').textContent);
  var W = 1100, H = 310, L = 60, R = 20, T = 30, B = 40;
  var COLORS = ['#2563eb', '#d97706', '#dc2626', '#059669', '#7c3aed', '#db2777', '#0891b2', '#65a30d'];

  function el(name, attrs, parent, text) {
    var e = document.createElementNS(NS, name);
    for (var k in attrs) e.setAttribute(k, String(attrs[k]));
    if (text !== undefined) e.textContent = text;
    if (parent) parent.appendChild(e);
    return e;
  }
  function niceMax(v) {
    if (!(v > 0)) return 1;
    var p = Math.pow(10, Math.floor(Math.log10(v)));
    var m = [1, 2, 5, 10];
    for (var i = 0; i < m.length; i++) if (m[i] * p >= v) return m[i] * p;
    return 10 * p;
  }
  function fmt(v) { return v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2).replace(/\.?0+$/, '') || '0'; }

  // one chart: axes, grid, event lines; series drawn by the caller through x() and y()
  function frame(figure, maxY, unit) {
    var n = Math.max(1, data.timeline.length);
    var svg = el('svg', { viewBox: '0 0 ' + W + ' ' + H, width: '100%', role: 'img', 'aria-label': figure.getAttribute('data-title') }, figure);
    var x = function (t) { return L + (t / n) * (W - L - R); };
    var y = function (v) { return H - B - (v / maxY) * (H - T - B); };
    for (var i = 0; i <= 4; i++) {
      var v = (maxY * i) / 4;
      el('line', { x1: L, x2: W - R, y1: y(v), y2: y(v), stroke: '#e5e7eb' }, svg);
      el('text', { x: L - 6, y: y(v) + 4, 'text-anchor': 'end', 'font-size': 11, fill: '#374151' }, svg, fmt(v));
    }
    var step = Math.max(1, Math.ceil(n / 20));
    for (var t = 0; t <= n; t += step) {
      el('text', { x: x(t), y: H - B + 16, 'text-anchor': 'middle', 'font-size': 11, fill: '#374151' }, svg, t + 's');
    }
    el('text', { x: L, y: T - 14, 'text-anchor': 'end', 'font-size': 11, fill: '#6b7280' }, svg, unit);
    el('line', { x1: L, x2: W - R, y1: y(0), y2: y(0), stroke: '#9ca3af' }, svg);
    var events = data.events || [];
    events.forEach(function (e) {
      var ex = x(Math.min(Math.max(e.t, 0), n));
      var g = el('g', { 'class': 'chaos-event', 'data-label': e.label }, svg);
      el('line', { x1: ex, x2: ex, y1: T, y2: H - B, stroke: '#dc2626', 'stroke-width': 1.5, 'stroke-dasharray': '5 3' }, g);
      el('text', { x: ex + 4, y: T - 4, 'font-size': 11, fill: '#dc2626' }, g, e.label + (e.kind === 'point' ? '' : ' (' + e.kind + ')'));
    });
    figure.setAttribute('data-events', String(events.length));
    return { svg: svg, x: x, y: y, n: n };
  }

  function legend(figure, names) {
    var p = document.createElement('p');
    p.className = 'legend';
    names.forEach(function (name, i) {
      var s = document.createElement('span');
      s.innerHTML = '<i style="background:' + COLORS[i % COLORS.length] + '"></i>';
      s.appendChild(document.createTextNode(name));
      p.appendChild(s);
    });
    figure.appendChild(p);
  }

  function lines(figure, series, unit) {
    var max = 0, points = 0;
    series.forEach(function (s) { s.values.forEach(function (v) { if (v !== null && v > max) max = v; }); });
    var f = frame(figure, niceMax(max), unit);
    series.forEach(function (s, i) {
      var d = '', pen = false;
      s.values.forEach(function (v, t) {
        if (v === null) { pen = false; return; }
        d += (pen ? ' L ' : ' M ') + f.x(t + 0.5).toFixed(1) + ' ' + f.y(v).toFixed(1);
        pen = true;
        points++;
        el('circle', { cx: f.x(t + 0.5), cy: f.y(v), r: 2.5, fill: COLORS[i % COLORS.length], 'class': 'point' }, f.svg);
      });
      el('path', { d: d.trim(), fill: 'none', stroke: COLORS[i % COLORS.length], 'stroke-width': 2, 'class': 'series', 'data-series': s.name }, f.svg);
    });
    legend(figure, series.map(function (s) { return s.name; }));
    done(figure, points, series.length);
  }

  function stacked(figure, types) {
    var max = 0, points = 0;
    data.timeline.forEach(function (p) { var s = 0; types.forEach(function (k) { s += p.errorsByType[k] || 0; }); if (s > max) max = s; });
    var f = frame(figure, niceMax(max), 'errors/s');
    var bw = Math.max(2, (W - L - R) / f.n - 2);
    data.timeline.forEach(function (p, t) {
      var base = 0;
      types.forEach(function (k, i) {
        var v = p.errorsByType[k] || 0;
        if (v === 0) return;
        el('rect', { x: f.x(t) + 1, y: f.y(base + v), width: bw, height: f.y(base) - f.y(base + v), fill: COLORS[(i + 2) % COLORS.length], 'class': 'bar', 'data-type': k }, f.svg);
        base += v;
        points++;
      });
    });
    if (types.length === 0) el('text', { x: W / 2, y: H / 2, 'text-anchor': 'middle', fill: '#059669', 'font-size': 14 }, f.svg, 'no errors');
    legend(figure, types.map(function (k, i) { return k; }));
    var spans = figure.querySelectorAll('.legend i');
    for (var i = 0; i < spans.length; i++) spans[i].style.background = COLORS[(i + 2) % COLORS.length];
    done(figure, points, types.length);
  }

  var rendered = 0;
  function done(figure, points, series) {
    figure.setAttribute('data-rendered', 'true');
    figure.setAttribute('data-points', String(points));
    figure.setAttribute('data-series', String(series));
    rendered++;
  }

  var tl = data.timeline;
  lines(document.getElementById('chart-throughput'), [
    { name: 'requests/s', values: tl.map(function (p) { return p.requests; }) },
    { name: 'errors/s', values: tl.map(function (p) { return p.errors; }) },
    { name: 'dropped/s', values: tl.map(function (p) { return p.dropped; }) },
  ], 'per second');
  lines(document.getElementById('chart-latency'), ['p50', 'p95', 'p99'].map(function (k) {
    return { name: k, values: tl.map(function (p) { return p.latencyMs ? p.latencyMs[k] : null; }) };
  }), 'ms');
  stacked(document.getElementById('chart-errors'), Object.keys(data.totals.errorsByType).sort());
  document.body.setAttribute('data-charts-rendered', String(rendered));
})();
`;

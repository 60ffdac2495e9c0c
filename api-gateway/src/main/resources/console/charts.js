// Small inline-SVG charts. Every label goes in as a text node, never as markup.

const NS = 'http://www.w3.org/2000/svg';

/** An SVG element with attributes (numbers and fixed names only) and children (nodes or text). */
export function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  for (const c of children) el.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
  return el;
}

function text(x, y, label, cls, anchor = 'start') {
  return svg('text', { x, y, class: cls, 'text-anchor': anchor }, String(label));
}

/** A colour class per series index (the palette lives in console.css). */
export function seriesClass(i) {
  return 'series-' + (i % 8);
}

/**
 * Grouped vertical bars: one group per `groups[i].label`, one bar per series with
 * `groups[i].values[series]`; each bar carries its value as a label.
 */
export function groupedBars(groups, series, { width = 640, height = 220 } = {}) {
  const left = 36, bottom = 22, top = 14;
  const plotH = height - bottom - top;
  const max = Math.max(1, ...groups.flatMap((g) => series.map((s) => g.values[s] || 0)));
  const groupW = (width - left) / Math.max(1, groups.length);
  const barW = Math.max(2, (groupW - 12) / Math.max(1, series.length));
  const root = svg('svg', { viewBox: `0 0 ${width} ${height}`, class: 'chart', role: 'img' });
  root.appendChild(svg('line', { x1: left, y1: top + plotH, x2: width, y2: top + plotH, class: 'axis' }));
  root.appendChild(text(left - 4, top + 4, fmtCount(max), 'tick', 'end'));
  root.appendChild(text(left - 4, top + plotH, '0', 'tick', 'end'));
  groups.forEach((g, gi) => {
    const x0 = left + gi * groupW + 6;
    series.forEach((s, si) => {
      const v = g.values[s] || 0;
      const h = (v / max) * plotH;
      const x = x0 + si * barW;
      const bar = svg('rect', { x, y: top + plotH - h, width: Math.max(1, barW - 2), height: Math.max(v > 0 ? 1 : 0, h), class: seriesClass(si) });
      bar.appendChild(svg('title', {}, `${g.label} ${s}: ${v}`));
      root.appendChild(bar);
      if (v > 0) root.appendChild(text(x + barW / 2 - 1, top + plotH - h - 2, fmtCount(v), 'value', 'middle'));
    });
    root.appendChild(text(x0 + (series.length * barW) / 2, height - 6, g.label, 'label', 'middle'));
  });
  return root;
}

/** Horizontal bars, one row per item {label, value}; `max` scales them (default: the largest). */
export function hbars(items, { width = 420, row = 20, max, format = (v) => v.toFixed(3), labelWidth = 120 } = {}) {
  const height = Math.max(row, items.length * row) + 4;
  const top = Math.max(1e-12, max ?? Math.max(0, ...items.map((i) => i.value)));
  const plotW = width - labelWidth - 60;
  // Drawn at its own size (not stretched to the card) so labels keep the page's text size.
  const root = svg('svg', { viewBox: `0 0 ${width} ${height}`, width, height, class: 'chart bars', role: 'img' });
  items.forEach((it, i) => {
    const y = i * row + 2;
    const w = Math.max(0, (it.value / top) * plotW);
    root.appendChild(text(labelWidth - 6, y + row * 0.7, clip(it.label, 18), 'label', 'end'));
    const bar = svg('rect', { x: labelWidth, y: y + 3, width: Math.max(it.value > 0 ? 1 : 0, w), height: row - 6, class: seriesClass(it.series ?? 0) });
    bar.appendChild(svg('title', {}, `${it.label}: ${format(it.value)}`));
    root.appendChild(bar);
    root.appendChild(text(labelWidth + w + 4, y + row * 0.7, format(it.value), 'value'));
  });
  return root;
}

/** A legend: one swatch per series name. */
export function legend(series) {
  const width = series.length * 90;
  const root = svg('svg', { viewBox: `0 0 ${width} 18`, class: 'legend', role: 'img' });
  series.forEach((s, i) => {
    root.appendChild(svg('rect', { x: i * 90, y: 4, width: 10, height: 10, class: seriesClass(i) }));
    root.appendChild(text(i * 90 + 14, 13, s, 'label'));
  });
  return root;
}

/** A sparkline of recent rates (values oldest first). */
export function sparkline(values, { width = 240, height = 40 } = {}) {
  const max = Math.max(1, ...values);
  const step = width / Math.max(1, values.length - 1);
  const pts = values.map((v, i) => `${(i * step).toFixed(1)},${(height - 2 - (v / max) * (height - 4)).toFixed(1)}`).join(' ');
  return svg('svg', { viewBox: `0 0 ${width} ${height}`, class: 'chart spark', role: 'img' },
    svg('polyline', { points: pts, class: 'line' }));
}

export function fmtCount(v) {
  if (v >= 1e6) return (v / 1e6).toFixed(1) + 'M';
  if (v >= 1e4) return (v / 1e3).toFixed(0) + 'k';
  return String(v);
}

function clip(s, n) {
  s = String(s);
  return s.length > n ? s.slice(0, n - 1) + '…' : s;
}

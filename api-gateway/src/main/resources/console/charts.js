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
  return 'series-' + (i % 10);
}

/**
 * Grouped vertical bars: one group per `groups[i].label`, one bar per series with
 * `groups[i].values[series]`; each bar carries its value as a label (unless `labels` is false)
 * and as its tooltip. `max` fixes the scale (default: the largest value, at least 1).
 */
export function groupedBars(groups, series, { width = 640, height = 220, max: fixedMax, format = fmtCount, labels = true } = {}) {
  const left = 36, bottom = 22, top = 14;
  const plotH = height - bottom - top;
  const max = fixedMax ?? Math.max(1, ...groups.flatMap((g) => series.map((s) => g.values[s] || 0)));
  const groupW = (width - left) / Math.max(1, groups.length);
  const barW = Math.max(2, (groupW - 12) / Math.max(1, series.length));
  const root = svg('svg', { viewBox: `0 0 ${width} ${height}`, class: 'chart', role: 'img' });
  root.appendChild(svg('line', { x1: left, y1: top + plotH, x2: width, y2: top + plotH, class: 'axis' }));
  root.appendChild(text(left - 4, top + 4, format(max), 'tick', 'end'));
  root.appendChild(text(left - 4, top + plotH, '0', 'tick', 'end'));
  groups.forEach((g, gi) => {
    const x0 = left + gi * groupW + 6;
    series.forEach((s, si) => {
      const v = g.values[s] || 0;
      const h = (v / max) * plotH;
      const x = x0 + si * barW;
      const bar = svg('rect', { x, y: top + plotH - h, width: Math.max(1, barW - 2), height: Math.max(v > 0 ? 1 : 0, h), class: seriesClass(si) });
      bar.appendChild(svg('title', {}, `${g.label} ${s}: ${format(v)}`));
      root.appendChild(bar);
      if (labels && v > 0) root.appendChild(text(x + barW / 2 - 1, top + plotH - h - 2, format(v), 'value', 'middle'));
    });
    root.appendChild(text(x0 + (series.length * barW) / 2, height - 6, g.label, 'label', 'middle'));
  });
  return root;
}

/** Horizontal bars, one row per item {label, value}; `max` scales them (default: the largest). */
export function hbars(items, { width = 420, row = 20, max, format = (v) => v.toFixed(3), labelWidth = 120, clipAt = 18 } = {}) {
  const height = Math.max(row, items.length * row) + 4;
  const top = Math.max(1e-12, max ?? Math.max(0, ...items.map((i) => i.value)));
  const plotW = width - labelWidth - 60;
  // Drawn at its own size (not stretched to the card) so labels keep the page's text size.
  const root = svg('svg', { viewBox: `0 0 ${width} ${height}`, width, height, class: 'chart bars', role: 'img' });
  items.forEach((it, i) => {
    const y = i * row + 2;
    const w = Math.max(0, (it.value / top) * plotW);
    root.appendChild(text(labelWidth - 6, y + row * 0.7, clip(it.label, clipAt), 'label', 'end'));
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

/** A legend with one row per series name (for long names). */
export function legendRows(series, { width = 420, row = 16 } = {}) {
  const height = series.length * row + 2;
  const root = svg('svg', { viewBox: `0 0 ${width} ${height}`, width, height, class: 'legend rows', role: 'img' });
  series.forEach((s, i) => {
    root.appendChild(svg('rect', { x: 0, y: i * row + 3, width: 10, height: 10, class: seriesClass(i) }));
    root.appendChild(text(16, i * row + 12, s, 'label'));
  });
  return root;
}

/**
 * A reliability diagram: for each curve {label, points: [{x, y, count}]} (x predicted, y observed,
 * both 0..1) a line with a dot per bin, over the dashed diagonal of perfect calibration.
 */
export function reliability(curves, { size = 260 } = {}) {
  const left = 34, top = 8, bottom = 34;
  const width = left + size + 10, height = top + size + bottom;
  const px = (v) => left + Math.max(0, Math.min(1, v)) * size;
  const py = (v) => top + size - Math.max(0, Math.min(1, v)) * size;
  const root = svg('svg', { viewBox: `0 0 ${width} ${height}`, width, height, class: 'chart reliability', role: 'img' });
  for (let i = 0; i <= 5; i++) {
    const v = i / 5;
    root.appendChild(svg('line', { x1: left, y1: py(v), x2: left + size, y2: py(v), class: 'grid' }));
    root.appendChild(text(left - 4, py(v) + 3, v.toFixed(1), 'tick', 'end'));
    root.appendChild(text(px(v), top + size + 12, v.toFixed(1), 'tick', 'middle'));
  }
  root.appendChild(svg('line', { x1: px(0), y1: py(0), x2: px(1), y2: py(1), class: 'diagonal' }));
  root.appendChild(text(left + size / 2, height - 4, 'mean predicted probability (observed: up)', 'label', 'middle'));
  curves.forEach((c, i) => {
    const pts = c.points.map((p) => `${px(p.x).toFixed(1)},${py(p.y).toFixed(1)}`).join(' ');
    root.appendChild(svg('polyline', { points: pts, class: 'curve stroke-' + (i % 10) }));
    for (const p of c.points) {
      const dot = svg('circle', { cx: px(p.x).toFixed(1), cy: py(p.y).toFixed(1), r: 3, class: seriesClass(i) });
      dot.appendChild(svg('title', {}, `${c.label}: predicted ${p.x.toFixed(3)}, observed ${p.y.toFixed(3)}, n=${p.count}`));
      root.appendChild(dot);
    }
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

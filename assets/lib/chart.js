// Tiny SVG charts: line and bar, with axes, legend and an accessible data table fallback.
const NS = 'http://www.w3.org/2000/svg';
const COLORS = ['#2563eb', '#dc2626', '#059669', '#d97706', '#7c3aed', '#0891b2'];

function s(tag, attrs, text) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs || {})) el.setAttribute(k, String(v));
  if (text !== undefined) el.textContent = text;
  return el;
}

/** A round tick step (1, 2, 2.5 or 5 times a power of ten) at least `v`. */
function niceStep(v) {
  const p = 10 ** Math.floor(Math.log10(v));
  const m = v / p;
  return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 2.5 ? 2.5 : m <= 5 ? 5 : 10) * p;
}
function shortNum(n) {
  const a = Math.abs(n);
  if (a >= 1e9) return `${(n / 1e9).toFixed(1)}B`;
  if (a >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
  if (a >= 1e3) return `${(n / 1e3).toFixed(1)}k`;
  return Number.isInteger(n) ? String(n) : n.toFixed(2);
}

/**
 * chart({type:'line'|'bar', title, labels:[..], series:[{name, values:[..]}], height})
 * Returns a <figure> with the SVG and a visually hidden table of the data.
 */
export function chart({ type = 'line', title, labels, series, height = 220, width = 640 }) {
  const pad = { l: 56, r: 12, t: 12, b: 42 };
  const hasData = series.some((x) => x.values.some((v) => v !== null && v !== undefined && Number(v) !== 0));
  if (!hasData || !labels.length) {
    const f = document.createElement('figure');
    f.className = 'chart chart-empty';
    const cap = document.createElement('figcaption');
    cap.textContent = title || '';
    const p = document.createElement('p');
    p.className = 'state';
    p.textContent = 'No data in this period yet.';
    f.append(cap, p);
    return f;
  }
  const all = series.flatMap((x) => [...x.values, ...(x.errors || []).flat()]).filter((v) => v !== null && v !== undefined && !isNaN(v)).map(Number);
  const rawMax = Math.max(0, ...all);
  const rawMin = Math.min(0, ...all);
  const tick = niceStep((rawMax - rawMin) / 4 || 1);
  const max = Math.ceil(rawMax / tick) * tick || tick;
  const min = Math.floor(rawMin / tick) * tick;
  const ticks = Math.round((max - min) / tick);
  const W = width - pad.l - pad.r;
  const H = height - pad.t - pad.b;
  const y = (v) => pad.t + H - ((v - min) / (max - min || 1)) * H;
  const n = Math.max(1, labels.length);
  const svg = s('svg', { viewBox: `0 0 ${width} ${height}`, class: 'chart-svg', role: 'img', 'aria-label': title || 'Chart', preserveAspectRatio: 'xMidYMid meet' });
  // grid + y axis
  for (let i = 0; i <= ticks; i++) {
    const v = min + tick * i;
    const yy = y(v);
    svg.append(s('line', { x1: pad.l, x2: width - pad.r, y1: yy, y2: yy, class: 'grid' }));
    svg.append(s('text', { x: pad.l - 6, y: yy + 4, 'text-anchor': 'end', class: 'tick' }, shortNum(v)));
  }
  if (min < 0) svg.append(s('line', { x1: pad.l, x2: width - pad.r, y1: y(0), y2: y(0), class: 'zero' }));
  const step = W / n;
  const every = Math.ceil(n / 12);
  labels.forEach((l, i) => {
    if (i % every) return;
    svg.append(s('text', { x: pad.l + step * i + step / 2, y: height - pad.b + 16, 'text-anchor': 'middle', class: 'tick' }, String(l)));
  });
  if (type === 'bar') {
    const bw = (step * 0.8) / series.length;
    series.forEach((ser, si) => {
      ser.values.forEach((v, i) => {
        if (v === null || v === undefined) return;
        const x = pad.l + step * i + step * 0.1 + bw * si;
        const y0 = y(Math.max(0, v)); const y1 = y(Math.min(0, v));
        const r = s('rect', { x, y: y0, width: Math.max(1, bw - 1), height: Math.max(0.5, y1 - y0), fill: ser.color || COLORS[si % COLORS.length] });
        r.append(s('title', {}, `${ser.name} · ${labels[i]}: ${shortNum(Number(v))}`));
        svg.append(r);
        const err = ser.errors?.[i];
        if (err && err[0] !== undefined && err[1] !== undefined) {   // confidence interval whisker
          const cx = x + Math.max(1, bw - 1) / 2;
          const [ylo, yhi] = [y(Number(err[0])), y(Number(err[1]))];
          svg.append(s('line', { x1: cx, x2: cx, y1: ylo, y2: yhi, stroke: '#111827', 'stroke-width': 1.5 }));
          svg.append(s('line', { x1: cx - 6, x2: cx + 6, y1: ylo, y2: ylo, stroke: '#111827', 'stroke-width': 1.5 }));
          svg.append(s('line', { x1: cx - 6, x2: cx + 6, y1: yhi, y2: yhi, stroke: '#111827', 'stroke-width': 1.5 }));
        }
      });
    });
  } else {
    series.forEach((ser, si) => {
      const pts = ser.values.map((v, i) => (v === null || v === undefined ? null : [pad.l + step * i + step / 2, y(Number(v))])).filter(Boolean);
      const color = ser.color || COLORS[si % COLORS.length];
      svg.append(s('polyline', { points: pts.map((p) => p.join(',')).join(' '), fill: 'none', stroke: color, 'stroke-width': 2 }));
      pts.forEach((p, i) => {
        const c = s('circle', { cx: p[0], cy: p[1], r: n > 40 ? 1.5 : 3, fill: color });
        c.append(s('title', {}, `${ser.name} · ${labels[i]}: ${shortNum(Number(ser.values[i]))}`));
        svg.append(c);
      });
    });
  }
  const fig = document.createElement('figure');
  fig.className = 'chart';
  if (title) {
    const cap = document.createElement('figcaption');
    cap.textContent = title;
    fig.append(cap);
  }
  fig.append(svg);
  if (series.length > 1 || series[0]?.name) {
    const legend = document.createElement('div');
    legend.className = 'legend';
    series.forEach((ser, si) => {
      const item = document.createElement('span');
      const sw = document.createElement('i');
      sw.style.background = ser.color || COLORS[si % COLORS.length];
      item.append(sw, ser.name || '');
      legend.append(item);
    });
    fig.append(legend);
  }
  // data table for screen readers
  const t = document.createElement('table');
  t.className = 'sr-only';
  const hr = t.insertRow();
  ['', ...series.map((x) => x.name || 'value')].forEach((c) => { const th = document.createElement('th'); th.textContent = c; hr.append(th); });
  labels.forEach((l, i) => {
    const r = t.insertRow();
    r.insertCell().textContent = l;
    series.forEach((ser) => { r.insertCell().textContent = ser.values[i] ?? ''; });
  });
  fig.append(t);
  return fig;
}

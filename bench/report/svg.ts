/**
 * A hand-written SVG (no dependency): left, the re-authentication fan-out timeline (cumulative share of
 * connections re-authenticated vs time since the new token); right, throughput and latency ratios to the static
 * password baseline as bars.
 *
 * @module
 */
import type { Series } from '../lib/types.js';

const WIDTH = 960;
const HEIGHT = 380;
const PANEL = { width: 420, height: 280, top: 50 };
const COLORS: Record<string, string> = { ours: '#1f77b4', peer: '#d62728', baseline: '#7f7f7f' };

const esc = (text: string): string => text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
const fmt = (n: number): string => (Math.round(n * 10) / 10).toString();
const colorOf = (name: string): string => COLORS[name.split(' ')[0] ?? name] ?? '#2ca02c';

function niceMax(value: number): number {
  if (!(value > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * power >= value) return step * power;
  return 10 * power;
}

function axes(x0: number, title: string, xLabel: string, yLabel: string, xMax: number, yMax: number): string[] {
  const { width, height, top } = PANEL;
  const out = [
    `<text x="${x0 + width / 2}" y="${top - 20}" text-anchor="middle" font-weight="bold">${esc(title)}</text>`,
    `<line x1="${x0}" y1="${top + height}" x2="${x0 + width}" y2="${top + height}" stroke="#333"/>`,
    `<line x1="${x0}" y1="${top}" x2="${x0}" y2="${top + height}" stroke="#333"/>`,
    `<text x="${x0 + width / 2}" y="${top + height + 36}" text-anchor="middle">${esc(xLabel)}</text>`,
    `<text x="${x0 - 44}" y="${top + height / 2}" text-anchor="middle" transform="rotate(-90 ${x0 - 44} ${top + height / 2})">${esc(yLabel)}</text>`,
  ];
  for (let i = 0; i <= 4; i++) {
    const y = top + height - (i / 4) * height;
    out.push(`<line x1="${x0}" y1="${y}" x2="${x0 + width}" y2="${y}" stroke="#eee"/>`);
    out.push(`<text x="${x0 - 6}" y="${y + 4}" text-anchor="end">${fmt((yMax * i) / 4)}</text>`);
    if (xMax > 0) out.push(`<text x="${x0 + (i / 4) * width}" y="${top + height + 16}" text-anchor="middle">${fmt((xMax * i) / 4)}</text>`);
  }
  return out;
}

function linePanel(x0: number, series: readonly Series[]): string[] {
  const xMax = niceMax(Math.max(1, ...series.flatMap((s) => s.points.map((p) => p[0]))));
  const yMax = 100;
  const out = axes(x0, 'Re-authentication fan-out after a new token', 'ms since the new token was issued', '% of connections re-authenticated', xMax, yMax);
  series.forEach((s, index) => {
    const points = s.points.map(([x, y]) => `${fmt(x0 + (x / xMax) * PANEL.width)},${fmt(PANEL.top + PANEL.height - (y / yMax) * PANEL.height)}`);
    out.push(`<polyline fill="none" stroke="${colorOf(s.name)}" stroke-width="2" points="${points.join(' ')}"/>`);
    out.push(legend(x0 + 10, PANEL.top + 14 + index * 16, s.name));
  });
  return out;
}

function barPanel(x0: number, series: readonly Series[]): string[] {
  const labels = ['throughput', 'p50 latency', 'p99 latency'];
  const yMax = niceMax(Math.max(1.2, ...series.flatMap((s) => s.points.map((p) => p[1]))));
  const out = axes(x0, 'Under token rotation, relative to a static password', '', 'ratio to static password (1.00 = same)', 0, yMax);
  const group = PANEL.width / labels.length;
  const bar = (group * 0.7) / Math.max(1, series.length);
  labels.forEach((label, i) => {
    out.push(`<text x="${fmt(x0 + group * (i + 0.5))}" y="${PANEL.top + PANEL.height + 16}" text-anchor="middle">${label}</text>`);
  });
  series.forEach((s, index) => {
    for (const [i, value] of s.points) {
      const h = (value / yMax) * PANEL.height;
      const x = x0 + group * i + group * 0.15 + bar * index;
      out.push(`<rect x="${fmt(x)}" y="${fmt(PANEL.top + PANEL.height - h)}" width="${fmt(bar - 2)}" height="${fmt(h)}" fill="${colorOf(s.name)}"/>`);
      out.push(`<text x="${fmt(x + bar / 2)}" y="${fmt(PANEL.top + PANEL.height - h - 4)}" text-anchor="middle" font-size="10">${value.toFixed(2)}</text>`);
    }
    out.push(legend(x0 + 10, PANEL.top + 14 + index * 16, s.name));
  });
  const one = PANEL.top + PANEL.height - (1 / yMax) * PANEL.height;
  out.push(`<line x1="${x0}" y1="${fmt(one)}" x2="${x0 + PANEL.width}" y2="${fmt(one)}" stroke="#333" stroke-dasharray="4 3"/>`);
  return out;
}

function legend(x: number, y: number, name: string): string {
  return `<rect x="${x}" y="${y - 9}" width="10" height="10" fill="${colorOf(name)}"/><text x="${x + 14}" y="${y}">${esc(name)}</text>`;
}

/** The SVG document; a panel without data says so. */
export function renderChart(charts: Readonly<Record<string, readonly Series[]>>): string {
  const fanout = charts['fanout'] ?? [];
  const ratios = charts['throughput'] ?? [];
  const body = [
    ...(fanout.length > 0 ? linePanel(70, fanout) : [`<text x="70" y="${PANEL.top}">fan-out not measured in this run</text>`]),
    ...(ratios.length > 0 ? barPanel(70 + PANEL.width + 60, ratios) : [`<text x="560" y="${PANEL.top}">throughput not measured in this run</text>`]),
  ];
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="white"/>`,
    ...body,
    '</svg>',
    '',
  ].join('\n');
}

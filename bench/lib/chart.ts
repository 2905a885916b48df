// Draws the growth chart (B6) as an SVG and renders it to PNG with Chromium's screenshot.
import type { Browser } from '@playwright/test';

export interface Series {
  name: string;
  color: string;
  points: { x: number; y: number }[];
}

export function lineChartSvg(opts: { title: string; xLabel: string; yLabel: string; series: Series[]; width?: number; height?: number }): string {
  const W = opts.width ?? 560;
  const H = opts.height ?? 360;
  const m = { l: 70, r: 20, t: 40, b: 50 };
  const xs = opts.series.flatMap((s) => s.points.map((p) => p.x));
  const ys = opts.series.flatMap((s) => s.points.map((p) => p.y));
  const xMax = Math.max(...xs) * 1.05;
  const yMax = Math.max(...ys) * 1.1 || 1;
  const X = (x: number) => m.l + (x / xMax) * (W - m.l - m.r);
  const Y = (y: number) => H - m.b - (y / yMax) * (H - m.t - m.b);
  const ticks = (max: number) => {
    const step = 10 ** Math.floor(Math.log10(max / 4));
    const nice = [1, 2, 5, 10].map((f) => f * step).find((s) => max / s <= 6) ?? step * 10;
    const out: number[] = [];
    for (let v = 0; v <= max; v += nice) out.push(v);
    return out;
  };
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
  ];
  parts.push(`<text x="${W / 2}" y="22" text-anchor="middle" font-size="14" font-weight="bold">${opts.title}</text>`);
  for (const t of ticks(yMax))
    parts.push(
      `<line x1="${m.l}" x2="${W - m.r}" y1="${Y(t)}" y2="${Y(t)}" stroke="#e5e5e5"/><text x="${m.l - 6}" y="${Y(t) + 4}" text-anchor="end">${t.toLocaleString('en-US')}</text>`,
    );
  for (const t of ticks(xMax))
    parts.push(
      `<line x1="${X(t)}" x2="${X(t)}" y1="${H - m.b}" y2="${H - m.b + 4}" stroke="#333"/><text x="${X(t)}" y="${H - m.b + 18}" text-anchor="middle">${t.toLocaleString('en-US')}</text>`,
    );
  parts.push(
    `<line x1="${m.l}" x2="${W - m.r}" y1="${H - m.b}" y2="${H - m.b}" stroke="#333"/><line x1="${m.l}" x2="${m.l}" y1="${m.t}" y2="${H - m.b}" stroke="#333"/>`,
  );
  parts.push(`<text x="${(m.l + W - m.r) / 2}" y="${H - 10}" text-anchor="middle">${opts.xLabel}</text>`);
  parts.push(`<text transform="translate(16 ${(m.t + H - m.b) / 2}) rotate(-90)" text-anchor="middle">${opts.yLabel}</text>`);
  opts.series.forEach((s, i) => {
    const pts = [...s.points].sort((a, b) => a.x - b.x);
    parts.push(`<polyline fill="none" stroke="${s.color}" stroke-width="2" points="${pts.map((p) => `${X(p.x)},${Y(p.y)}`).join(' ')}"/>`);
    for (const p of pts) parts.push(`<circle cx="${X(p.x)}" cy="${Y(p.y)}" r="3.5" fill="${s.color}"/>`);
    parts.push(
      `<rect x="${m.l + 12}" y="${m.t + 6 + i * 18}" width="12" height="12" fill="${s.color}"/><text x="${m.l + 30}" y="${m.t + 16 + i * 18}">${s.name}</text>`,
    );
  });
  parts.push('</svg>');
  return parts.join('');
}

export async function svgsToPng(browser: Browser, svgs: string[], path: string): Promise<void> {
  const page = await browser.newPage({ viewport: { width: 1140, height: 760 } });
  try {
    await page.setContent(
      `<html><body style="margin:0;background:white"><div id="c" style="display:grid;grid-template-columns:repeat(2,560px);gap:10px;padding:5px;width:1130px">${svgs.join('')}</div></body></html>`,
    );
    await page.locator('#c').screenshot({ path });
  } finally {
    await page.close();
  }
}

// Small statistics and formatting helpers for the benchmark report: every figure is a median
// over the runs, with the minimum and maximum next to it.

export interface Summary {
  median: number;
  min: number;
  max: number;
  runs: number[];
}

export function summarize(values: readonly number[]): Summary {
  if (values.length === 0) return { median: Number.NaN, min: Number.NaN, max: Number.NaN, runs: [] };
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median, min: sorted[0]!, max: sorted.at(-1)!, runs: [...values] };
}

/** Scales every value of a summary (e.g. a per-cluster cost to N clusters). */
export function scale(s: Summary, factor: number): Summary {
  return { median: s.median * factor, min: s.min * factor, max: s.max * factor, runs: s.runs.map((r) => r * factor) };
}

/** A number with sensible precision: 3 significant digits, thousands separated. */
export function num(value: number, digits?: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  const abs = Math.abs(value);
  const d = digits ?? (abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3);
  return value.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
}

/** "median (min–max) unit". */
export function fmt(s: Summary, unit = '', digits?: number): string {
  if (s.runs.length === 0) return 'n/a';
  const u = unit ? ` ${unit}` : '';
  if (s.min === s.max) return `${num(s.median, digits)}${u}`;
  return `${num(s.median, digits)}${u} (${num(s.min, digits)}–${num(s.max, digits)})`;
}

/** A duration in ms, shown in s above 10 s. */
export function fmtMs(s: Summary): string {
  if (s.median >= 10_000) return fmt(scale(s, 1 / 1000), 's');
  return fmt(s, 'ms');
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export const MiB = 1024 * 1024;

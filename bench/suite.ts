/**
 * A benchmark suite: one file in bench/suites/ exporting `suite: BenchSuite`. Every figure is measured in
 * the same process run as its baseline, and reported as a ratio to it where one exists; a target, when
 * given, is checked and printed as met or not (never asserted by a test: timing belongs here).
 */
export interface BenchFigure {
  /** Stable key for --json, e.g. "sandbox.warmInvokeMedianUs". */
  key: string;
  label: string;
  value: number;
  unit: string;
  /** What the value is compared with, measured in the same run. */
  baseline?: { label: string; value: number };
  /** A human statement of the target and whether it holds. */
  target?: { text: string; met: boolean };
}

export interface BenchSuite {
  name: string;
  /** The issue or feature it measures, one line. */
  about: string;
  run(): Promise<BenchFigure[]>;
}

export function ratio(f: BenchFigure): number | undefined {
  if (!f.baseline || f.baseline.value === 0) return undefined;
  return f.value / f.baseline.value;
}

/** Median of a list of numbers. */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

export function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] as number;
}

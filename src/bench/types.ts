// The contract every benchmark module fulfils, so run.ts can print one table for all of them.

export interface BenchRow {
  /** What was measured, e.g. "spawn → /ready (median of 7)". */
  metric: string;
  unit: 'ms' | 'MB';
  ours: number;
  /** The reference measured in the same run (bare node, upstream …), when there is one. */
  baseline?: number;
  /** Human form of the target, e.g. "≤ 3× bare and < 250 ms". */
  target: string;
  pass: boolean;
}

export interface BenchModule {
  name: string;
  run(opts: { runs: number }): Promise<BenchRow[]>;
}

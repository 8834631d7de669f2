// The contract every benchmark module fulfils, so run.ts can print one table for all of them.

export interface BenchRow {
  /** What was measured, e.g. "spawn → /ready (median of 7)". */
  metric: string;
  unit: 'ms' | 'MB' | 'KB' | '/s';
  ours: number;
  /** The reference measured in the same run (bare node, upstream …), when there is one. */
  baseline?: number;
  /** What the baseline is, e.g. "bare node"; shown in the baseline column. */
  baselineName?: string;
  /** Human form of the target, e.g. "≤ 3× bare and < 250 ms"; "reported" when there is none. */
  target: string;
  /** undefined: reported only, no target to pass or fail. */
  pass?: boolean;
  /** What the figure covers and leaves out; printed as a numbered note under the table. */
  note?: string;
}

export interface BenchOptions {
  /** Repetitions for medians (startup spawns, proxy rounds, page loads). */
  runs: number;
  /** Full-size loads (10 000 idle connections …) instead of the quick defaults. */
  full: boolean;
}

export interface BenchModule {
  name: string;
  run(opts: BenchOptions): Promise<BenchRow[]>;
}

import type { ServiceName, StackEndpoints } from '@tidewater/stack';

import type { Figure } from './figures';

/**
 * A bench section lives in `bench/sections/<name>.ts` and default-exports one of these. The
 * runner brings up the services it names, calls `run`, and puts its figures in the report
 * under the file's name. Sections run one after another, never in parallel, so they do not
 * disturb each other's numbers.
 */
export interface BenchSection {
  title: string;
  /** One or two sentences for the report: what the figures mean. */
  description: string;
  services: ServiceName[];
  run(context: BenchContext): Promise<Figure[]>;
}

export interface BenchContext {
  /** The section's name (its file name), to put in its figures. */
  section: string;
  endpoints: StackEndpoints;
  /** How many measured runs per figure (BENCH_RUNS, default 3). */
  runs: number;
  /** Progress for the operator watching the run (stderr). */
  log(message: string): void;
}

export function defineSection(section: BenchSection): BenchSection {
  return section;
}

import { setFlagsFromString } from 'node:v8';

export type GcMode = 'memory' | 'throughput';

/**
 * How V8 trades memory for CPU in this worker (TIDEWATER_WORKER_GC).
 *
 * `memory` (the default) turns on V8's memory-saving heuristics, `--optimize-for-size`: the
 * old generation is compacted more eagerly and freed pages go back sooner. It is switched on
 * here, once the heap is set up, and not on the command line, where it also implies semi-spaces
 * of 1 MiB: the young generation then collected so often that the snapshot lost a third of
 * its throughput, for no memory saved beyond what the heuristics save alone. Set at run time,
 * the young generation keeps the launcher's size (start.sh).
 *
 * Measured with the end-to-end bench (one task, 1,000,000 snapshot rows, 200,000-change burst
 * and catch-up), peak RSS: about 340 MB in `throughput` and 255-265 MB in `memory`, for up to
 * a tenth of the snapshot's and catch-up's throughput (issue 13's note has the runs).
 */
export function applyGcMode(mode: GcMode): void {
  if (mode === 'memory') setFlagsFromString('--optimize-for-size');
}

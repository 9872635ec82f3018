import { setFlagsFromString } from 'node:v8';

export type GcMode = 'memory' | 'throughput';

/**
 * How V8 trades memory for CPU in this worker (TIDEWATER_WORKER_GC).
 *
 * `throughput` (the default) leaves V8's heuristics as they are. `memory` turns on V8's
 * memory-saving ones, `--optimize-for-size`: the old generation is collected and compacted
 * more eagerly and freed pages go back sooner. It is switched on here, once the heap is set
 * up, and not on the command line, where it also implies semi-spaces of 1 MiB: the young
 * generation was then collected so often that the snapshot lost a third of its throughput,
 * for no memory saved beyond what the heuristics save alone. Set at run time, the young
 * generation keeps the launcher's size (start.sh gives it 4 MiB semi-spaces in this mode).
 *
 * Measured with the end-to-end bench (one task, 1,000,000 snapshot rows, 200,000-change burst
 * and catch-up; `bench/report.example.md` has both modes): peak RSS 338-359 MB in `throughput`
 * and 259-269 MB in `memory`, for 10-29 % of the snapshot's and catch-up's throughput. The
 * default stays `throughput`: `memory` takes the snapshot and catch-up under their targets
 * against the Kafka producer floor (issue 13) and still does not reach the 250 MB one.
 */
export function applyGcMode(mode: GcMode): void {
  if (mode === 'memory') setFlagsFromString('--optimize-for-size');
}

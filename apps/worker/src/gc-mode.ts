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
 * and catch-up; `bench/report.example.md` has both modes): peak RSS 234-246 MB in `throughput`
 * and 190-195 MB in `memory`, for 8-24 % of the snapshot's and catch-up's throughput. The
 * default stays `throughput`: it keeps every target of issue 13, the 250 MB peak included,
 * while `memory` takes Canal JSON's catch-up under its target against the Kafka producer
 * floor.
 */
export function applyGcMode(mode: GcMode): void {
  if (mode === 'memory') setFlagsFromString('--optimize-for-size');
}

import type { ChangeEvent, SourcePosition } from '@tidewater/change-events';
import { instanceClassCeilings } from '@tidewater/config';
import { TidewaterError } from '@tidewater/errors';
import type { BinlogResumePoint, SchemaState } from '@tidewater/mysql-source';
import { clearAlert, raiseAlert, type AlertContext } from '../alerts';
import { Batcher, type Batch } from '../pipeline/batcher';
import type { BinlogCheckpointer } from '../pipeline/checkpoint';
import { CheckpointWriter } from '../pipeline/checkpoint-writer';
import { OrderedAcks } from '../pipeline/ordered-acks';
import type { TaskSink } from '../pipeline/sink';
import type { TaskSource } from '../pipeline/source';
import type { Transform } from '../pipeline/transform';
import { createRateLimiter } from '../rate-limit';
import { MetricsMeter } from './metrics-meter';
import { latencySince, type RunnerDependencies, type RunnerTuning } from './run-settings';

/** Counts records for the instance class: a row change, a DDL statement or a COMMIT each. */
export function recordCount(event: ChangeEvent): number {
  switch (event.kind) {
    case 'insert':
    case 'delete':
    case 'update':
    case 'snapshot':
      return event.rows.length;
    case 'ddl':
    case 'commit':
      return 1;
    case 'begin':
    case 'heartbeat':
      return 0;
  }
}

/** What an acknowledgement needs of a batch (not its events: the sink holds their messages). */
interface Delivery {
  bytes: Promise<number>;
  records: number;
  resume: Batch<BinlogResumePoint>['resume'];
  lastTimestamp: Batch<BinlogResumePoint>['lastTimestamp'];
}

/**
 * Incremental migration: binlog records through the transform into batches; each batch goes
 * to the sink with the last resume point among its events, and the checkpoint moves to it once
 * Kafka acknowledged the batch and every batch before it (written in the background, coalesced
 * to one write per interval, and always on stop).
 */
export async function runIncrementalMigration(
  deps: RunnerDependencies,
  tuning: RunnerTuning,
  alerts: AlertContext,
  pipeline: {
    source: TaskSource;
    transform: Transform;
    sink: TaskSink;
    checkpointer: BinlogCheckpointer;
  },
  start: { position: SourcePosition; schema: SchemaState },
  onProgress: () => void,
): Promise<void> {
  const { runs, taskId, signal, config } = deps;
  const { source, transform, sink, checkpointer } = pipeline;
  const limiter = createRateLimiter(instanceClassCeilings[config.instanceClass]);
  const meter = new MetricsMeter(runs, taskId, 'incremental', deps.log, undefined, deps.telemetry);
  const latencyThresholdMs = config.advanced.alerts.enabled
    ? config.advanced.alerts.latencyThresholdSeconds * 1000
    : null;
  let isLatencyAlertOpen = false;
  /** Records the latency and opens or clears the latency alert as it crosses the threshold. */
  const updateLatency = async (latency: number) => {
    meter.setLatency(latency);
    if (latencyThresholdMs === null) return;
    if (latency > latencyThresholdMs && !isLatencyAlertOpen) {
      isLatencyAlertOpen = true;
      await raiseAlert(
        alerts,
        'latency',
        `Latency ${(latency / 1000).toFixed(1)} s is over the threshold of ${latencyThresholdMs / 1000} s.`,
      );
    } else if (latency <= latencyThresholdMs && isLatencyAlertOpen) {
      isLatencyAlertOpen = false;
      await clearAlert(alerts, 'latency');
    }
  };
  const stream = source.openStream(start.position, start.schema, signal);
  // The last acknowledged resume point not yet written, written in the background.
  let acknowledged: BinlogResumePoint | null = null;
  const checkpoints = new CheckpointWriter(async () => {
    if (acknowledged === null) return;
    const resume = acknowledged;
    acknowledged = null;
    await checkpointer.write(resume);
  }, tuning.checkpointIntervalMs);
  // Bounded by deliveries and by the row changes they carry, as in the snapshot: a batch of
  // 100 rows events holds up to a few thousand row images (before and after), until the sink
  // built its messages; the token keeps only what the acknowledgement needs.
  const acks = new OrderedAcks<Delivery>(
    tuning.maxInFlight,
    async ({ bytes, records, resume, lastTimestamp }) => {
      meter.add(records, await bytes);
      if (lastTimestamp !== null) await updateLatency(latencySince(lastTimestamp));
      if (resume) {
        acknowledged = resume;
        checkpoints.request();
      }
      onProgress();
    },
    tuning.maxInFlightRows,
  );

  const batcher = new Batcher<BinlogResumePoint>({
    maxEvents: tuning.maxBatchEvents,
    maxDelayMs: tuning.maxBatchDelayMs,
  });
  /**
   * Sends what is batched. Not async: the batch's events (row images) are out of scope before
   * `flush` waits for room, so they live only until the sink built their messages.
   */
  const send = (): { delivery: Promise<unknown>; token: Delivery } => {
    const batch = batcher.take();
    const delivery =
      batch.events.length > 0 ? sink.deliver(batch.events) : Promise.resolve({ bytes: 0 });
    const token: Delivery = {
      bytes: delivery.then(
        (report) => report.bytes,
        () => 0,
      ),
      records: batch.records,
      resume: batch.resume,
      lastTimestamp: batch.lastTimestamp,
    };
    return { delivery, token };
  };
  const flush = async () => {
    if (batcher.isEmpty) return;
    const { delivery, token } = send();
    await acks.push(delivery, token, token.records);
  };

  const iterator = stream[Symbol.asyncIterator]();
  try {
    let pending: ReturnType<typeof iterator.next> | null = null;
    for (;;) {
      // Races the next event with a failed delivery, so an idle source does not hide it.
      pending ??= acks.orFailure(iterator.next());
      const next = batcher.isEmpty ? await pending : await raceIdle(pending, tuning.idleFlushMs);
      if (next === 'idle') {
        await flush();
        continue;
      }
      pending = null;
      if (next.done) break;
      const { event: read, resume } = next.value;
      if (read.kind === 'heartbeat') {
        // Caught up: nothing batched or in flight means nothing is behind. A heartbeat's resume
        // point (tables the task does not select moved the binlog on) is worth acknowledging.
        if (batcher.isEmpty && acks.inFlight === 0) await updateLatency(0);
        if (resume !== null && batcher.add(null, 0, resume, null)) await flush();
        continue;
      }
      const event = transform.apply(read);
      const records = event === null ? 0 : recordCount(event);
      // At the ceiling, send what is batched before waiting, so records leave at the class's
      // pace instead of piling up into one late delivery.
      if (records > 0 && !limiter.tryTake(records)) {
        await flush();
        await limiter.take(records, signal);
      }
      // BEGIN and COMMIT mark transactions for the source; the formats write neither.
      const sent =
        event !== null && event.kind !== 'begin' && event.kind !== 'commit' ? event : null;
      if (batcher.add(sent, records, resume, read.timestamp)) await flush();
    }
    await flush();
    await acks.drain();
    if (!signal.aborted) {
      throw new TidewaterError('BINLOG_STREAM_ENDED', 'The binlog stream ended unexpectedly.', {
        category: 'unavailable',
        isRetryable: true,
        remedy: 'Tidewater reconnects from the last checkpoint; check the source if it repeats.',
      });
    }
  } finally {
    // Whatever was acknowledged before a stop or a failure is durable: keep it. The stream
    // and the meter close even when that write fails (the control database is unavailable):
    // a stream left open would keep a second replica connection under the task's server id
    // beside the retry's, and a meter its timer.
    await acks.drain().catch(() => undefined);
    try {
      await checkpoints.flush();
    } finally {
      try {
        await stream.close();
      } finally {
        await meter.close();
      }
    }
  }
}

async function raceIdle<T>(pending: Promise<T>, idleMs: number): Promise<T | 'idle'> {
  let timer: NodeJS.Timeout | undefined;
  const idle = new Promise<'idle'>((resolve) => {
    timer = setTimeout(() => resolve('idle'), idleMs);
  });
  try {
    return await Promise.race([pending, idle]);
  } finally {
    clearTimeout(timer);
  }
}

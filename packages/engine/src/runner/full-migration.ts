import type { SourcePosition } from '@tidewater/change-events';
import type { PlannedTable, SnapshotResumePoint } from '@tidewater/mysql-source';
import type { SnapshotState } from '../pipeline/checkpoint';
import { CheckpointWriter } from '../pipeline/checkpoint-writer';
import { OrderedAcks } from '../pipeline/ordered-acks';
import type { TaskSink } from '../pipeline/sink';
import type { TaskSource } from '../pipeline/source';
import type { Transform } from '../pipeline/transform';
import { MetricsMeter } from './metrics-meter';
import type { RunnerDependencies, RunnerTuning } from './run-settings';

/** Progress of one table, carried by a delivery to the checkpoint once it is acknowledged. */
interface TableStep {
  database: string;
  table: string;
  rowsDone: number;
  isDone: boolean;
  /** The key of the last row of the acknowledged chunk; null for a table read in one pass. */
  lastKey: unknown;
  /** The snapshot's resume point after this step: where a restarted snapshot resumes. */
  resume: SnapshotResumePoint;
}

interface Delivery {
  bytes: Promise<number>;
  records: number;
  step: TableStep | null;
}

/**
 * Full migration: the snapshot's records through the transform to the sink; each chunk carries
 * its snapshot resume point, written to the checkpoint once Kafka acknowledged the chunk and
 * everything before it.
 * Returns the position incremental migration starts from, as the snapshot reports it.
 *
 * Tables created during the full migration (under a whole selected database) are not planned:
 * the source passes them through, so their CREATE and every change from the snapshot's start
 * arrive as `change` items in binlog order, and streaming continues after them with a schema
 * history read at the hand-over, which knows them. They are not in the table progress (it lists
 * what the full migration reads) nor in the schema migration stage (their CREATE comes from the
 * binlog). A resumed snapshot reads the tables planned when it started (those with a progress
 * row), so such a table stays passed through after a restart; the walk resumes from its
 * checkpoint, which covers its changes. A planned table dropped before its turn is done with no
 * rows; its DROP is emitted in place.
 */
export async function runFullMigration(
  deps: RunnerDependencies,
  tuning: RunnerTuning,
  pipeline: { source: TaskSource; transform: Transform; sink: TaskSink },
  tables: PlannedTable[],
  snapshot: SnapshotState,
  onProgress: () => void,
): Promise<SourcePosition | null> {
  const { runs, taskId, epoch, signal } = deps;
  const { source, transform, sink } = pipeline;
  let snapshotTables = tables;
  if (snapshot.resume === null) {
    await runs.planTables(
      taskId,
      tables.map((table) => ({
        database: table.database,
        table: table.table,
        rowsEstimated: table.rowsEstimated,
      })),
    );
  } else {
    // The tables planned when the snapshot started; one created since stays passed through.
    const planned = new Set(
      (await runs.listTableProgress(taskId)).map(
        (table) => `${table.database}\u0000${table.table}`,
      ),
    );
    snapshotTables = tables.filter((table) => planned.has(`${table.database}\u0000${table.table}`));
  }
  const meter = new MetricsMeter(runs, taskId, 'full', deps.log, undefined, deps.telemetry);
  // Acknowledged progress not yet written: the last snapshot resume point and the tables it moved.
  let pending: {
    resume: SnapshotResumePoint;
    tables: Map<string, Omit<TableStep, 'resume'>>;
  } | null = null;
  // Written in the background, so a slow control database does not hold up the chunks
  // behind it; at the end of a table at once, else at most once per interval.
  const checkpoints = new CheckpointWriter(async () => {
    if (pending === null) return;
    const { resume, tables: moved } = pending;
    pending = null;
    snapshot.resume = resume;
    await runs.writeCheckpoint(taskId, epoch, { snapshot }, [...moved.values()]);
  }, tuning.checkpointIntervalMs);
  const acks = new OrderedAcks<Delivery>(
    tuning.maxInFlight,
    async (delivery) => {
      meter.add(delivery.records, await delivery.bytes);
      if (delivery.step) {
        const { resume, ...table } = delivery.step;
        pending ??= { resume, tables: new Map() };
        pending.resume = resume;
        pending.tables.set(`${table.database}\u0000${table.table}`, table);
        checkpoints.request(table.isDone);
      }
      onProgress();
    },
    tuning.maxInFlightRows,
  );
  const send = async (
    events: Parameters<TaskSink['deliver']>[0],
    records: number,
    step: TableStep | null,
  ) => {
    const delivery = events.length > 0 ? sink.deliver(events) : Promise.resolve({ bytes: 0 });
    await acks.push(
      delivery,
      {
        bytes: delivery.then(
          (report) => report.bytes,
          () => 0,
        ),
        records,
        step,
      },
      records,
    );
  };
  let streamFrom: SourcePosition | null = null;
  try {
    for await (const item of source.readSnapshot(snapshotTables, snapshot.resume, signal)) {
      switch (item.kind) {
        case 'chunk': {
          const event = transform.apply(item.event);
          const { checkpoint } = item;
          await send(event === null ? [] : [event], item.event.rows.length, {
            database: checkpoint.database,
            table: checkpoint.table,
            rowsDone: checkpoint.rowsEmitted,
            isDone: false,
            lastKey: checkpoint.lastKey,
            resume: checkpoint,
          });
          break;
        }
        case 'change': {
          // Changes reconciled into the snapshot go through the same transform as the stream.
          const event = transform.apply(item.event);
          if (event !== null) await send([event], 1, null);
          break;
        }
        case 'table-done':
          await send([], 0, {
            database: item.database,
            table: item.table,
            rowsDone: item.rowsEmitted,
            isDone: true,
            lastKey: item.checkpoint.lastKey,
            resume: item.checkpoint,
          });
          break;
        case 'done':
          streamFrom = item.streamFrom;
          break;
      }
    }
    await acks.drain();
  } finally {
    // What was acknowledged before a stop or a failure is durable: keep it. The meter closes
    // even when that write fails (the control database is unavailable).
    await acks.drain().catch(() => undefined);
    try {
      await checkpoints.flush();
    } finally {
      await meter.close();
    }
  }
  return streamFrom;
}

import type { ChangeEvent, SourcePosition } from '@tidewater/change-events';
import { instanceClassCeilings, type DmlOperation, type TaskConfig } from '@tidewater/config';
import type { RunRepository, TaskRepository } from '@tidewater/db';
import { TidewaterError, toTidewaterError } from '@tidewater/errors';
import { clearAlert, raiseAlert, type AlertContext } from '../alerts';
import { createRateLimiter, sleep } from '../rate-limit';
import { MetricsMeter } from './metrics-meter';
import { OrderedAcks } from './ordered-acks';
import type { PlannedTable, SinkPort, SourcePort } from './ports';

/**
 * The stage runner: schema migration, then full migration, then incremental migration, for one
 * task, resuming each from its checkpoint. The flow is one way (source → filter → sink → ack →
 * checkpoint): a checkpoint is written only for what Kafka acknowledged, in order, so a crash
 * anywhere resumes without a gap (at-least-once: the unacknowledged tail is sent again).
 *
 * Full → incremental hand-over: the snapshot walks the binlog from a position read before the
 * tables were planned, reconciling each chunk with the changes around it and emitting them
 * among the chunks; streaming starts where the walk ended (`done`'s `streamFrom`), so nothing
 * is lost or doubled across it.
 *
 * Tables created during the full migration (under a whole selected database) are not planned:
 * the source passes them through (`tableSelection` tells it what the task selects), so their
 * CREATE and every change from the snapshot's start arrive as `change` items in binlog order,
 * and streaming continues after them with a schema history read at the hand-over, which knows
 * them. They are not in the table progress (it lists what the full migration reads) and not in
 * the schema migration stage (their CREATE comes from the binlog). A resumed snapshot reads the
 * tables planned when it started (those with a progress row), so such a table stays passed
 * through after a restart; the walk resumes from its checkpoint, which covers its changes.
 * A planned table dropped before its turn is done with no rows; its DROP is emitted in place.
 */

export interface SnapshotCheckpoint {
  /** The schema messages were published (schema migration done). */
  isSchemaDone: boolean;
  /** Where incremental migration starts: set when the full migration ends. */
  startPosition: SourcePosition | null;
  /** The table definitions at `startPosition`, read right when it was taken. */
  startHistory: unknown | null;
  isFullDone: boolean;
  /** The source's snapshot checkpoint (opaque here): where a restarted snapshot resumes. */
  resume: unknown | null;
}

export type StopReason = 'pause' | 'stop' | 'release' | 'shutdown' | 'lease_lost';

export interface RunnerDependencies {
  taskId: string;
  taskName: string;
  epoch: number;
  config: TaskConfig;
  tasks: TaskRepository;
  runs: RunRepository;
  openSource(tuning: RunnerTuning): Promise<SourcePort>;
  openSink(source: { version: string; timeZone: string }): Promise<SinkPort>;
  /** Aborted when the operator pauses, stops or releases, or the worker shuts down. */
  signal: AbortSignal;
  log(level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>): void;
  tuning?: Partial<RunnerTuning>;
}

export interface RunnerTuning {
  /** Deliveries in flight at once; order is kept by OrderedAcks and the sink. */
  maxInFlight: number;
  /** Events per delivery in incremental migration. */
  maxBatchEvents: number;
  /** Flush a partial batch when no event arrived for this long (ms). */
  idleFlushMs: number;
  /** Flush a partial batch once its oldest event waited this long (ms), however busy. */
  maxBatchDelayMs: number;
  /** Write checkpoints at most this often (ms); always at the end of a table and on stop. */
  checkpointIntervalMs: number;
  /** Backoff between retries of a failed connection. */
  retryInitialMs: number;
  retryMaxMs: number;
  /** The length of a "minute" of the retry window; tests shorten it. */
  minuteMs: number;
}

const DEFAULT_TUNING: RunnerTuning = {
  maxInFlight: 8,
  // Measured with the end-to-end bench (5k events/s in small transactions): 1,000-event
  // batches held events for tens of milliseconds at p99; 100 keeps throughput and cuts that.
  maxBatchEvents: 100,
  idleFlushMs: 1,
  maxBatchDelayMs: 10,
  checkpointIntervalMs: 500,
  retryInitialMs: 1_000,
  retryMaxMs: 30_000,
  minuteMs: 60_000,
};

export type RunOutcome =
  | { kind: 'completed' }
  | { kind: 'stopped'; reason: StopReason }
  | { kind: 'failed'; error: TidewaterError };

export async function runTask(deps: RunnerDependencies): Promise<RunOutcome> {
  const tuning = { ...DEFAULT_TUNING, ...deps.tuning };
  const retryWindowMs = deps.config.advanced.retryMinutes * tuning.minuteMs;
  const alerts: AlertContext = {
    runs: deps.runs,
    task: { id: deps.taskId, name: deps.taskName },
    contacts: deps.config.advanced.alerts.enabled ? deps.config.advanced.alerts.contacts : [],
  };
  let firstFailureAt: number | null = null;
  let backoff = tuning.retryInitialMs;
  for (;;) {
    try {
      await runStages(deps, tuning, alerts, () => {
        if (firstFailureAt !== null) {
          firstFailureAt = null;
          backoff = tuning.retryInitialMs;
          void deps.runs.clearRetrying(deps.taskId);
          void deps.tasks.appendEvent(deps.taskId, {
            level: 'info',
            kind: 'recovered',
            message: 'The connection is back; the task continues.',
          });
        }
      });
      if (deps.signal.aborted) return { kind: 'stopped', reason: stopReason(deps.signal) };
      return { kind: 'completed' };
    } catch (error) {
      if (deps.signal.aborted) return { kind: 'stopped', reason: stopReason(deps.signal) };
      const failure = toTidewaterError(error);
      if (failure.code === 'TASK_LEASE_LOST') return { kind: 'stopped', reason: 'lease_lost' };
      if (!failure.isRetryable) return { kind: 'failed', error: failure };
      const now = Date.now();
      firstFailureAt ??= now;
      if (now - firstFailureAt >= retryWindowMs) {
        return {
          kind: 'failed',
          error: new TidewaterError(
            'RETRY_WINDOW_EXCEEDED',
            `${failure.message} Retried for ${deps.config.advanced.retryMinutes} minute(s) without success.`,
            {
              category: 'unavailable',
              remedy: `${failure.remedy} Then restart the task: it continues from its checkpoint.`,
              details: { lastError: failure.toJSON() },
              cause: failure,
            },
          ),
        };
      }
      deps.log('warn', 'connection failed; retrying', {
        taskId: deps.taskId,
        code: failure.code,
        backoffMs: backoff,
      });
      await deps.runs.markRetrying(deps.taskId, `${failure.code}: ${failure.message}`);
      await deps.tasks.appendEvent(deps.taskId, {
        level: 'warning',
        kind: 'retrying',
        message: `${failure.message} Retrying in ${Math.round(backoff / 1000)} s.`,
        data: failure.toJSON(),
      });
      try {
        await sleep(backoff, deps.signal);
      } catch {
        return { kind: 'stopped', reason: stopReason(deps.signal) };
      }
      backoff = Math.min(tuning.retryMaxMs, backoff * 2);
    }
  }
}

function stopReason(signal: AbortSignal): StopReason {
  const reason = signal.reason as unknown;
  return typeof reason === 'string' && ['pause', 'stop', 'release', 'shutdown'].includes(reason)
    ? (reason as StopReason)
    : 'shutdown';
}

async function runStages(
  deps: RunnerDependencies,
  tuning: RunnerTuning,
  alerts: AlertContext,
  onProgress: () => void,
): Promise<void> {
  const { config, runs, taskId, epoch } = deps;
  const source = await deps.openSource(tuning);
  let sink: SinkPort | null = null;
  try {
    sink = await deps.openSink(source.info);
    const checkpoint = await runs.readCheckpoint(taskId);
    const snapshot: SnapshotCheckpoint = {
      isSchemaDone: false,
      startPosition: null,
      startHistory: null,
      isFullDone: false,
      resume: null,
      ...(checkpoint?.snapshot as Partial<SnapshotCheckpoint> | null | undefined),
    };
    const needsTables =
      (config.stages.schema && !snapshot.isSchemaDone) ||
      (config.stages.full && !snapshot.isFullDone);
    const tables = needsTables ? await source.planTables() : [];
    onProgress();

    if (config.stages.schema && !snapshot.isSchemaDone) {
      await runs.setStage(taskId, epoch, 'schema');
      await sink.publishSchemas(tables);
      snapshot.isSchemaDone = true;
      await runs.writeCheckpoint(taskId, epoch, { snapshot });
      await deps.tasks.appendEvent(taskId, {
        level: 'info',
        kind: 'stage_done',
        message: `Schema migration done: ${tables.length} table schema(s) published.`,
      });
    }

    if (config.stages.full && !snapshot.isFullDone) {
      await runs.setStage(taskId, epoch, 'full');
      const streamFrom = await runFullMigration(
        deps,
        tuning,
        source,
        sink,
        tables,
        snapshot,
        onProgress,
      );
      snapshot.isFullDone = true;
      snapshot.startPosition = streamFrom ?? (await source.currentPosition());
      snapshot.startHistory = await source.readSchemaHistory();
      await runs.writeCheckpoint(taskId, epoch, { snapshot });
      await deps.tasks.appendEvent(taskId, {
        level: 'info',
        kind: 'stage_done',
        message: 'Full data migration done.',
      });
    }

    if (config.stages.incremental) {
      await runs.setStage(taskId, epoch, 'incremental');
      // Resume where the last acknowledged commit left off; else where the snapshot handed
      // over; else (incremental only) from now. Position and history always travel together.
      let position = checkpoint?.position as SourcePosition | null | undefined;
      let history: unknown = checkpoint?.schemaHistory ?? null;
      if (!position) {
        if (!snapshot.startPosition) {
          snapshot.startPosition = await source.currentPosition();
          snapshot.startHistory = await source.readSchemaHistory();
          await runs.writeCheckpoint(taskId, epoch, { snapshot });
        }
        position = snapshot.startPosition;
        history = snapshot.startHistory;
      }
      await runIncrementalMigration(
        deps,
        tuning,
        alerts,
        source,
        sink,
        position,
        history,
        onProgress,
      );
    }
  } finally {
    await sink?.close();
    await source.close();
  }
}

/** Returns the position incremental migration starts from, as the snapshot reports it. */
async function runFullMigration(
  deps: RunnerDependencies,
  tuning: RunnerTuning,
  source: SourcePort,
  sink: SinkPort,
  tables: PlannedTable[],
  snapshot: SnapshotCheckpoint,
  onProgress: () => void,
): Promise<SourcePosition | null> {
  const { runs, taskId, epoch, signal } = deps;
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
  const meter = new MetricsMeter(runs, taskId, 'full', deps.log);
  const isSelected = selectionFilter(deps.config);
  // Acknowledged progress not yet written: the last checkpoint and the tables it moved.
  let pending: {
    resume: unknown;
    tables: Map<string, { database: string; table: string; rowsDone: number; isDone: boolean }>;
  } | null = null;
  let lastFlush = Date.now();
  const flush = async () => {
    if (pending === null) return;
    const { resume, tables: moved } = pending;
    pending = null;
    snapshot.resume = resume;
    await runs.writeCheckpoint(
      taskId,
      epoch,
      { snapshot },
      [...moved.values()].map((table) => ({ ...table, lastKey: null })),
    );
    lastFlush = Date.now();
  };
  type Token = {
    bytes: Promise<number>;
    records: number;
    progress: {
      database: string;
      table: string;
      rowsDone: number;
      isDone: boolean;
      resume: unknown;
    } | null;
  };
  const acks = new OrderedAcks<Token>(tuning.maxInFlight, async (token) => {
    meter.add(token.records, await token.bytes);
    if (token.progress) {
      const { resume, ...table } = token.progress;
      pending ??= { resume, tables: new Map() };
      pending.resume = resume;
      pending.tables.set(`${table.database}\u0000${table.table}`, table);
      if (table.isDone || Date.now() - lastFlush >= tuning.checkpointIntervalMs) await flush();
    }
    onProgress();
  });
  let streamFrom: SourcePosition | null = null;
  try {
    for await (const item of source.readSnapshot(
      snapshotTables,
      snapshot.resume,
      signal,
      tableSelection(deps.config),
    )) {
      switch (item.kind) {
        case 'chunk': {
          const delivery = sink.deliver([item.event]);
          const rows = item.event.kind === 'snapshot' ? item.event.rows.length : 0;
          await acks.push(delivery, {
            bytes: delivery.then(
              (report) => report.bytes,
              () => 0,
            ),
            records: rows,
            progress: {
              database: item.database,
              table: item.table,
              rowsDone: item.rowsEmitted,
              isDone: false,
              resume: item.checkpoint,
            },
          });
          break;
        }
        case 'change': {
          // Changes reconciled into the snapshot: only selected tables and DML operations.
          if (!isSelected(item.event)) break;
          const delivery = sink.deliver([item.event]);
          await acks.push(delivery, {
            bytes: delivery.then(
              (report) => report.bytes,
              () => 0,
            ),
            records: 1,
            progress: null,
          });
          break;
        }
        case 'table-done':
          await acks.push(Promise.resolve(), {
            bytes: Promise.resolve(0),
            records: 0,
            progress: {
              database: item.database,
              table: item.table,
              rowsDone: item.rowsEmitted,
              isDone: true,
              resume: item.checkpoint,
            },
          });
          break;
        case 'done':
          streamFrom = item.streamFrom;
          break;
      }
    }
    await acks.drain();
  } finally {
    // What was acknowledged before a stop or a failure is durable: keep it.
    await acks.drain().catch(() => undefined);
    await flush();
    await meter.close();
  }
  return streamFrom;
}

/** Counts records for the instance class: a row change, a DDL statement or a COMMIT each. */
function recordCount(event: ChangeEvent): number {
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

async function runIncrementalMigration(
  deps: RunnerDependencies,
  tuning: RunnerTuning,
  alerts: AlertContext,
  source: SourcePort,
  sink: SinkPort,
  start: SourcePosition,
  schemaHistory: unknown | null,
  onProgress: () => void,
): Promise<void> {
  const { runs, taskId, epoch, signal, config } = deps;
  const limiter = createRateLimiter(instanceClassCeilings[config.instanceClass]);
  const isSelected = selectionFilter(config);
  const meter = new MetricsMeter(runs, taskId, 'incremental', deps.log);
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
  const stream = source.openStream(start, schemaHistory, signal);
  // The last acknowledged commit (or DDL) event: checkpoints are coalesced to one per
  // interval, and the position and schema history are taken from the stream only then.
  let acknowledged: ChangeEvent | null = null;
  let lastCheckpointAt = 0;
  const writeCheckpoint = async () => {
    if (acknowledged === null) return;
    const checkpoint = stream.checkpointOf(acknowledged);
    acknowledged = null;
    if (checkpoint === null) return;
    await runs.writeCheckpoint(taskId, epoch, {
      position: checkpoint.position,
      schemaHistory: checkpoint.schemaHistory,
    });
    lastCheckpointAt = Date.now();
  };
  const acks = new OrderedAcks<{
    records: number;
    bytes: Promise<number>;
    commit: ChangeEvent | null;
    lastTimestamp: number | null;
  }>(tuning.maxInFlight, async (token) => {
    meter.add(token.records, await token.bytes);
    if (token.lastTimestamp !== null) await updateLatency(latencySince(token.lastTimestamp));
    if (token.commit) {
      acknowledged = token.commit;
      if (Date.now() - lastCheckpointAt >= tuning.checkpointIntervalMs) await writeCheckpoint();
    }
    onProgress();
  });

  let batch: ChangeEvent[] = [];
  let batchRecords = 0;
  let lastCommit: ChangeEvent | null = null;
  let batchStartedAt = 0;
  let lastTimestamp: number | null = null;
  const flush = async () => {
    if (batch.length === 0 && lastCommit === null) return;
    const events = batch;
    const delivery =
      events.length > 0 ? sink.deliver(events) : Promise.resolve({ messages: 0, bytes: 0 });
    await acks.push(delivery, {
      records: batchRecords,
      bytes: delivery.then(
        (report) => report.bytes,
        () => 0,
      ),
      commit: lastCommit,
      lastTimestamp,
    });
    batch = [];
    batchRecords = 0;
    lastCommit = null;
    lastTimestamp = null;
  };

  const iterator = stream[Symbol.asyncIterator]();
  try {
    let pending: Promise<IteratorResult<ChangeEvent>> | null = null;
    for (;;) {
      // Races the next event with a failed delivery, so an idle source does not hide it.
      pending ??= acks.orFailure(iterator.next());
      const next: IteratorResult<ChangeEvent> | 'idle' =
        batch.length > 0 || lastCommit !== null
          ? await raceIdle(pending, tuning.idleFlushMs)
          : await pending;
      if (next === 'idle') {
        await flush();
        continue;
      }
      pending = null;
      if (next.done) break;
      const event: ChangeEvent = next.value;
      if (event.kind === 'heartbeat') {
        // Caught up: nothing batched or in flight means nothing is behind.
        if (batch.length === 0 && acks.inFlight === 0) await updateLatency(0);
        continue;
      }
      const kept = isSelected(event);
      const records = kept ? recordCount(event) : event.kind === 'commit' ? 1 : 0;
      // At the ceiling, send what is batched before waiting, so records leave at the class's
      // pace instead of piling up into one late delivery.
      if (records > 0 && !limiter.tryTake(records)) {
        await flush();
        await limiter.take(records, signal);
      }
      if (kept && event.kind !== 'begin' && event.kind !== 'commit') {
        batch.push(event);
        batchRecords += records;
        lastTimestamp = event.timestamp;
      }
      if (event.kind === 'commit') {
        batchRecords += 1;
        lastTimestamp = event.timestamp;
      }
      // A COMMIT ends a transaction and a DDL is its own: both are resume points.
      if (event.kind === 'commit' || event.kind === 'ddl') lastCommit = event;
      if (batch.length === 1) batchStartedAt = Date.now();
      if (
        batch.length >= tuning.maxBatchEvents ||
        Date.now() - batchStartedAt >= tuning.maxBatchDelayMs
      ) {
        await flush();
      }
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
    // Whatever was acknowledged before a stop or a failure is durable: keep it.
    await acks.drain().catch(() => undefined);
    await writeCheckpoint();
    await stream.close();
    await meter.close();
  }
}

/**
 * Now minus an event's commit time. Binlog event times (MySQL 5.7, MariaDB) have one-second
 * resolution, so the commit happened somewhere in [t, t + 1 s): the middle of that second is
 * used, which halves the worst error and removes the half-second bias of using its start.
 */
export function latencySince(eventTimestampMs: number, now = Date.now()): number {
  return Math.max(0, now - (eventTimestampMs + 500));
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

/** Which binlog events the task migrates: selected objects and their DML operations. */
export function selectionFilter(config: TaskConfig): (event: ChangeEvent) => boolean {
  const databases = new Map<string, Set<DmlOperation>>();
  const tables = new Map<string, Set<DmlOperation>>();
  for (const object of config.objects) {
    if (object.kind === 'database') databases.set(object.database, new Set(object.dml));
    else tables.set(`${object.database}\u0000${object.table}`, new Set(object.dml));
  }
  const operationsFor = (database: string, table: string) =>
    tables.get(`${database}\u0000${table}`) ?? databases.get(database) ?? null;
  return (event) => {
    switch (event.kind) {
      case 'insert':
      case 'update':
      case 'delete':
        return operationsFor(event.schema.database, event.schema.table)?.has(event.kind) ?? false;
      case 'snapshot':
        return operationsFor(event.schema.database, event.schema.table) !== null;
      case 'ddl':
        return event.table === ''
          ? databases.has(event.database) ||
              [...tables.keys()].some((key) => key.startsWith(`${event.database}\u0000`))
          : operationsFor(event.database, event.table) !== null;
      case 'begin':
      case 'commit':
      case 'heartbeat':
        return true;
    }
  };
}

/** Which tables the task selects, by name; table `''` stands for the database itself. */
export function tableSelection(config: TaskConfig): (database: string, table: string) => boolean {
  const databases = new Set<string>();
  const tables = new Set<string>();
  for (const object of config.objects) {
    if (object.kind === 'database') databases.add(object.database);
    else tables.add(`${object.database}\u0000${object.table}`);
  }
  return (database, table) =>
    databases.has(database) ||
    (table === ''
      ? [...tables].some((key) => key.startsWith(`${database}\u0000`))
      : tables.has(`${database}\u0000${table}`));
}

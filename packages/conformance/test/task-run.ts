/**
 * A real Tidewater task in process (the engine's stage runner, as the worker runs it): schema,
 * full and incremental migration of a database into a topic, on a control database of the
 * run's own and a private queue prefix.
 */
import type { CanalJsonValues, DataFormat } from '@tidewater/config';
import { createTask, runTaskJob, type EngineContext } from '@tidewater/engine';
import { waitUntil as engineWaitUntil } from '@tidewater/engine/testing';
import { SOURCE } from './source';

// The engine tests' context: a control database of this run's own, dropped when it closes.
export { engineForTests } from '@tidewater/engine/testing';

/** Waits as the engine tests do, with a longer default for the real consumers' tasks. */
export function waitUntil<T>(
  what: string,
  probe: () => Promise<T | undefined | false>,
  timeoutMs = 90_000,
): Promise<T> {
  return engineWaitUntil(what, probe, timeoutMs);
}

/** Whether a MariaDB GTID set (`0-1-100,1-2-7`) includes the GTID `0-1-95`: same domain, seq at least. */
export function includesGtid(gtidSet: string, gtid: string): boolean {
  const [domain, , seq] = gtid.split('-');
  return gtidSet
    .split(',')
    .map((part) => part.trim().split('-'))
    .some(([d, , s]) => d === domain && BigInt(s ?? '-1') >= BigInt(seq ?? '0'));
}

export interface RunningTask {
  id: string;
  /** Resolves once every table's full migration is done. */
  fullMigrationDone(): Promise<void>;
  /**
   * Resolves once the task's checkpoint includes the MariaDB GTID `domain-server-seq` (the
   * transaction and everything before it are in Kafka). A GTID, not a position: the source is
   * shared, and the stream's position only moves with captured transactions. The checkpoint
   * is written at most every 500 ms and only when an event arrives, so `poke` writes one
   * more captured change on every poll until it does.
   */
  caughtUpTo(gtid: string, poke: () => Promise<void>): Promise<void>;
  stop(): Promise<void>;
}

/** Creates and runs a task copying `database` into `topic` (DDL into `ddlTopic`). */
export async function runTask(
  context: EngineContext,
  options: {
    database: string;
    topic: string;
    ddlTopic: string;
    format: DataFormat;
    /** Canal JSON's value text (`canal` by default). */
    canalJsonValues?: CanalJsonValues;
  },
): Promise<RunningTask> {
  const label = options.canalJsonValues
    ? `${options.format} (${options.canalJsonValues} values)`
    : options.format;
  const task = await createTask(context, {
    name: `conformance ${label}`,
    source: { type: 'mariadb', ...SOURCE },
    destination: {
      hosts: '127.0.0.1',
      port: 9092,
      topic: options.topic,
      ddlTopic: options.ddlTopic,
    },
    format: options.format,
    partitionPolicy: 'partition-zero',
    objects: [{ kind: 'database', database: options.database }],
    ...(options.canalJsonValues ? { advanced: { canalJsonValues: options.canalJsonValues } } : {}),
  });
  // The stage runner's run, as the worker starts it once the precheck passed.
  await context.runs.compareAndSetStatus(task.id, ['created'], 'running', {
    startedAt: new Date(),
  });
  const controller = new AbortController();
  // The last warnings and errors, for a failure message.
  const logTail: string[] = [];
  const run = runTaskJob(context, task.id, {
    signal: controller.signal,
    workerId: 'conformance',
    log: (level, message, fields) => {
      if (level === 'info') return;
      logTail.push(`${level}: ${message} ${JSON.stringify(fields ?? {})}`);
      logTail.splice(0, Math.max(0, logTail.length - 20));
    },
    tuning: { idleFlushMs: 5 },
  });
  let failure: unknown;
  run.catch((error: unknown) => {
    failure = error;
  });
  const checkRun = () => {
    if (failure !== undefined) throw failure;
  };
  return {
    id: task.id,
    async fullMigrationDone() {
      await waitUntil(`the full migration of ${label}`, async () => {
        checkRun();
        const tables = await context.runs.listTableProgress(task.id);
        return tables.length > 0 && tables.every((table) => table.isDone);
      });
    },
    async caughtUpTo(gtid, poke) {
      let position: unknown;
      try {
        await waitUntil(`the ${label} task to reach GTID ${gtid}`, async () => {
          checkRun();
          position = (await context.runs.readCheckpoint(task.id))?.position;
          if (includesGtid((position as { gtidSet?: string } | null)?.gtidSet ?? '', gtid))
            return true;
          await poke();
          return false;
        });
      } catch (error) {
        const events = await context.tasks.listEvents(task.id);
        throw new Error(
          `${String(error)}; checkpoint ${JSON.stringify(position)}; log:\n${logTail.join('\n')}\nevents:\n${events
            .slice(-10)
            .map((event) => `${event.level} ${event.kind}: ${event.message}`)
            .join('\n')}`,
        );
      }
    },
    async stop() {
      controller.abort('stop');
      const outcome = await run;
      if (outcome?.kind !== 'stopped') {
        throw new Error(`The ${label} task ended with ${JSON.stringify(outcome)}`);
      }
    },
  };
}

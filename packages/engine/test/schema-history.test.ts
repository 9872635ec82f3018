import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTask, runTaskJob, type EngineContext } from '../src/index';
import {
  createTopic,
  dropDatabase,
  engineForTests,
  foldTopic,
  sourceConnection,
  uniqueName,
  waitUntil,
} from './fixtures';

/**
 * Checkpoints of a task over 1,000 tables: the table definitions are stored as a version when
 * they change, and a checkpoint references its version, instead of carrying the whole history
 * (hundreds of kilobytes) on every write, twice a second.
 */

const TABLES = 1_000;
let context: EngineContext;
let database: string;

beforeAll(async () => {
  context = await engineForTests();
  database = uniqueName('tw_history');
  const admin = await sourceConnection();
  await admin.query(`CREATE DATABASE \`${database}\``);
  await admin.query(`USE \`${database}\``);
  const statements: string[] = [];
  for (let i = 0; i < TABLES; i++) {
    statements.push(
      `CREATE TABLE t${i} (id INT PRIMARY KEY, note VARCHAR(64) NOT NULL, amount DECIMAL(10,2), created DATETIME(3))`,
    );
    if (statements.length === 100) await admin.query(statements.splice(0).join(';'));
  }
  await admin.end();
}, 300_000);

afterAll(async () => {
  await dropDatabase(database);
  await context?.close();
});

async function storedCheckpoint(taskId: string) {
  const rows = await context.db.$queryRaw<
    Array<{ bytes: number; history_id: bigint | null; updated_at: Date }>
  >`SELECT pg_column_size(c.*) AS bytes, schema_history_id AS history_id, updated_at
      FROM checkpoint c WHERE task_id = ${taskId}::uuid`;
  return rows[0] ?? null;
}

describe('schema history versions', () => {
  it('writes the definitions of 1,000 tables once per change, not with every checkpoint', async () => {
    const topic = await createTopic(1);
    const task = await createTask(context, {
      name: 'history versions',
      source: { type: 'mariadb', host: '127.0.0.1', port: 3307, user: 'root', password: '' },
      destination: { hosts: '127.0.0.1', port: 9092, topic },
      format: 'canal-json',
      stages: { schema: false, full: false, incremental: true },
      objects: [{ kind: 'database', database }],
    });
    await context.runs.compareAndSetStatus(task.id, ['created'], 'running', {
      startedAt: new Date(),
    });
    const controller = new AbortController();
    // What the run logged, shown if it ends before the test is done with it.
    const logged: string[] = [];
    let ended: string | null = null;
    const run = runTaskJob(context, task.id, {
      signal: controller.signal,
      workerId: 'test',
      log: (level, message, fields) =>
        logged.push(`${level} ${message} ${JSON.stringify(fields ?? {})}`),
      tuning: { idleFlushMs: 5, checkpointIntervalMs: 100 },
    });
    void run.then(
      (outcome) => (ended = JSON.stringify(outcome)),
      (error: unknown) => (ended = String(error)),
    );
    const whileRunning =
      <T>(probe: () => Promise<T | undefined>) =>
      async () => {
        if (ended !== null) throw new Error(`The run ended: ${ended}\n${logged.join('\n')}`);
        return probe();
      };
    const writer = await sourceConnection(database);
    try {
      // Incremental migration alone starts from the position it stores first: write after it.
      await waitUntil(
        'the start position to be stored',
        whileRunning(async () => (await storedCheckpoint(task.id)) ?? undefined),
      );
      // Steady writes: many checkpoints, no DDL.
      const write = async (id: number) =>
        writer.query('INSERT INTO t1 VALUES (?, ?, 1.50, NOW(3))', [id, `row ${id}`]);
      await write(1);
      const first = await waitUntil('a checkpoint after the first write', async () => {
        const stored = await storedCheckpoint(task.id);
        return stored && (await foldTopic(topic, 'canal-json')).rows.size === 1
          ? stored
          : undefined;
      });
      let last = first;
      for (let id = 2; id <= 40; id++) {
        await write(id);
        if (id % 10 === 0) {
          last = await waitUntil('the checkpoint to move', async () => {
            const stored = await storedCheckpoint(task.id);
            return stored && stored.updated_at > last.updated_at ? stored : undefined;
          });
          expect(last.history_id).toBe(first.history_id);
          // A position and a version id, not the definitions of 1,000 tables.
          expect(last.bytes).toBeLessThan(2_048);
        }
      }
      expect(await context.runs.countSchemaHistories(task.id)).toBe(1);

      // A DDL makes one new version; the older one goes with the checkpoint that replaces it.
      await writer.query('ALTER TABLE t2 ADD COLUMN extra INT');
      await writer.query("INSERT INTO t2 VALUES (1, 'after ddl', 2.50, NOW(3), 7)");
      const afterDdl = await waitUntil('a checkpoint with the new definitions', async () => {
        const stored = await storedCheckpoint(task.id);
        return stored && stored.history_id !== first.history_id ? stored : undefined;
      });
      expect(afterDdl.bytes).toBeLessThan(2_048);
      expect(await context.runs.countSchemaHistories(task.id)).toBe(1);
      const checkpoint = await context.runs.readCheckpoint(task.id);
      const history = checkpoint?.schemaHistory as {
        tables: Array<{ schema: { table: string; columns: Array<{ name: string }> } }>;
      };
      expect(history.tables).toHaveLength(TABLES);
      const t2 = history.tables.find((tracked) => tracked.schema.table === 't2');
      expect(t2?.schema.columns.map((column) => column.name)).toContain('extra');
    } finally {
      await writer.end();
      controller.abort('stop');
      await run;
    }
  }, 420_000);
});

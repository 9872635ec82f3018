import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { createDatabase, migrateDatabase } from '../src/index';

/**
 * The hand-written migrations must produce the schema the Prisma client expects: migrate a
 * fresh database, then write and read every model through the client.
 */

const baseUrl = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/tidewater';
const name = `tidewater_migrations_${randomBytes(4).toString('hex')}`;
const url = Object.assign(new URL(baseUrl), { pathname: `/${name}` }).toString();

afterAll(async () => {
  const admin = new pg.Client({
    connectionString: Object.assign(new URL(baseUrl), { pathname: '/postgres' }).toString(),
  });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await admin.end();
});

describe('database migrations', () => {
  it('create the database, apply every migration once, and record them as Prisma does', async () => {
    const first = await migrateDatabase(url);
    expect(first.applied.length).toBeGreaterThan(0);
    const second = await migrateDatabase(url);
    expect(second.applied).toEqual([]);
    expect(second.alreadyApplied).toEqual(first.applied);

    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const rows = await client.query(
      'SELECT migration_name, checksum, finished_at FROM "_prisma_migrations" ORDER BY migration_name',
    );
    await client.end();
    expect(rows.rows.map((row) => row.migration_name)).toEqual(first.applied);
    for (const row of rows.rows) {
      expect(row.checksum).toMatch(/^[0-9a-f]{64}$/);
      expect(row.finished_at).not.toBeNull();
    }
  });

  it('match the Prisma schema: every model can be written and read back', async () => {
    const db = createDatabase(url);
    try {
      const task = await db.task.create({
        data: {
          name: 't',
          status: 'created',
          config: { a: 1 },
          stage: 'full',
          runEpoch: 1,
          lastError: 'x',
          startedAt: new Date(),
          retryingSince: new Date(),
          termsAcceptedAt: new Date(),
          termsAcceptedBy: 'admin',
        },
      });
      await db.taskEvent.create({
        data: { taskId: task.id, level: 'info', kind: 'k', message: 'm', data: { b: 2 } },
      });
      await db.precheckItem.create({
        data: {
          taskId: task.id,
          key: 'source.binlog_format',
          name: 'n',
          position: 1,
          status: 'pass',
          isIgnorable: true,
          finishedAt: new Date(),
        },
      });
      await db.checkpoint.create({
        data: { taskId: task.id, position: { file: 'f', pos: 4 }, schemaHistory: [], snapshot: {} },
      });
      await db.tableProgress.create({
        data: {
          taskId: task.id,
          database: 'd',
          table: 't',
          rowsDone: 5n,
          rowsEstimated: 10n,
          lastKey: [1],
          isDone: false,
        },
      });
      await db.metricSample.create({
        data: {
          taskId: task.id,
          stage: 'full',
          recordsPerSecond: 1.5,
          bytesPerSecond: 2.5,
          latencyMs: 3,
        },
      });
      await db.alert.create({
        data: {
          taskId: task.id,
          kind: 'latency',
          message: 'm',
          deliveredAt: new Date(),
          deliveryError: null,
        },
      });
      await db.workerHeartbeat.create({
        data: { id: 'w', host: 'h', pid: 1, startedAt: new Date(), seenAt: new Date() },
      });

      const read = await db.task.findUniqueOrThrow({
        where: { id: task.id },
        include: {
          events: true,
          precheckItems: true,
          checkpoint: true,
          tables: true,
          metrics: true,
          alerts: true,
        },
      });
      expect(read.events).toHaveLength(1);
      expect(read.precheckItems[0]?.key).toBe('source.binlog_format');
      expect(read.checkpoint?.position).toEqual({ file: 'f', pos: 4 });
      expect(read.tables[0]?.rowsDone).toBe(5n);
      expect(read.metrics[0]?.latencyMs).toBe(3);
      expect(read.alerts[0]?.kind).toBe('latency');

      await db.task.delete({ where: { id: task.id } });
      expect(await db.taskEvent.count()).toBe(0);
    } finally {
      await db.$disconnect();
    }
  });
});

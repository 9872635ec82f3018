import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type mysql from 'mysql2/promise';
import type { DataFormat } from '@tidewater/config';
import { createTask, runTaskJob, type EngineContext } from '../src/index';
import {
  createOrdersDatabase,
  createTopic,
  dropDatabase,
  engineForTests,
  foldTopic,
  sourceConnection,
  waitUntil,
} from './fixtures';

/**
 * A table's WHERE filter applies to every change, not only to the full migration: a change is
 * sent when its before or its after image matches, with MariaDB's own semantics (`_ci`
 * comparison, PAD SPACE), so a consumer applying the topic holds exactly the rows that matched
 * on the source at some point, each with its current values, and never a row that did not.
 */

const FILTER = "note = 'PAID' OR qty > 90";
let context: EngineContext;
const databases: string[] = [];

beforeAll(async () => {
  context = await engineForTests();
});

afterAll(async () => {
  for (const database of databases) await dropDatabase(database);
  await context?.close();
});

async function ids(connection: mysql.Connection, where: string): Promise<string[]> {
  const [rows] = await connection.query<Array<mysql.RowDataPacket>>(
    `SELECT id FROM orders WHERE ${where} ORDER BY id`,
  );
  return rows.map((row) => String(row.id));
}

describe.each<DataFormat>(['canal-json', 'dts-avro'])('row filter (%s)', (format) => {
  it('sends only changes whose before or after image matches, during and after the snapshot', async () => {
    const database = await createOrdersDatabase(2_000);
    databases.push(database);
    const writer = await sourceConnection(database);
    // Matches through case-insensitive, trailing-space-insensitive comparison (utf8mb4_general_ci).
    await writer.query("UPDATE orders SET note = 'paid' WHERE id % 7 = 0");
    await writer.query("UPDATE orders SET note = 'Paid  ' WHERE id % 11 = 0");
    const topic = await createTopic(1);
    const task = await createTask(context, {
      name: `row filter ${format}`,
      source: { type: 'mariadb', host: '127.0.0.1', port: 3307, user: 'root', password: '' },
      destination: { hosts: '127.0.0.1', port: 9092, topic },
      format,
      partitionPolicy: 'hash-primary-key',
      objects: [{ kind: 'table', database, table: 'orders', filter: FILTER }],
    });
    await context.runs.compareAndSetStatus(task.id, ['created'], 'running', {
      startedAt: new Date(),
    });
    const controller = new AbortController();
    const run = runTaskJob(context, task.id, {
      signal: controller.signal,
      workerId: 'test',
      log: () => undefined,
      tuning: { idleFlushMs: 5 },
      sourceTuning: { chunkSize: 200, concurrency: 1 },
    });
    try {
      // Once the snapshot has begun (its binlog walk started before the plan): whether a write
      // lands before or after its row's chunk, the outcome is the same.
      await waitUntil('the snapshot to begin', async () => {
        const tables = await context.runs.listTableProgress(task.id);
        return tables.length === 1;
      });
      // During the snapshot: rows that never match change; rows enter and leave the filter.
      await writer.query(
        "UPDATE orders SET qty = qty + 1 WHERE id BETWEEN 1 AND 30 AND note LIKE 'note%'",
      );
      await writer.query("UPDATE orders SET note = 'PAID' WHERE id = 1001");
      await writer.query("UPDATE orders SET note = 'open', qty = 1 WHERE id = 1400");
      await waitUntil('the full migration to finish', async () => {
        const tables = await context.runs.listTableProgress(task.id);
        return tables.length === 1 && tables[0]!.isDone;
      });
      // After it: inserts inside and outside the filter, updates in, out and across, deletes.
      await writer.query(
        `INSERT INTO orders VALUES (5001, 5, 'never', 1.50, '2025-01-01 00:00:00.000'),
                                   (5002, 95, 'big', 2.50, '2025-01-01 00:00:00.000'),
                                   (5003, 5, 'paid ', 3.50, '2025-01-01 00:00:00.000')`,
      );
      await writer.query(
        "UPDATE orders SET price = price + 1 WHERE id BETWEEN 31 AND 60 AND note LIKE 'note%'",
      );
      await writer.query("UPDATE orders SET note = 'PaId' WHERE id = 1002");
      await writer.query("UPDATE orders SET note = 'sent', qty = 2 WHERE id = 77");
      await writer.query('DELETE FROM orders WHERE id IN (61, 62, 91)');
      await writer.query(
        "INSERT INTO orders VALUES (5004, 1, 'last', 4.50, '2025-01-01 00:00:00.000')",
      );
      await writer.query("UPDATE orders SET note = 'paid' WHERE id = 5004");

      const matching = await ids(writer, FILTER);
      const left = ['77', '1400'];
      const folded = await waitUntil('the last change to arrive', async () => {
        const result = await foldTopic(topic, format);
        return result.rows.get('5004')?.note === 'paid' ? result : undefined;
      });
      const [current] = await writer.query<Array<mysql.RowDataPacket>>(
        'SELECT id, qty, note, price, created FROM orders WHERE id IN (?) ORDER BY id',
        [[...folded.rows.keys()]],
      );
      const byId = new Map(current.map((row) => [String(row.id), row]));
      const sent = [...folded.rows.keys()].sort((a, b) => Number(a) - Number(b));
      // Every row that matches now, plus the rows that left the filter with their new values.
      expect(sent).toEqual([...matching, ...left].sort((a, b) => Number(a) - Number(b)));
      for (const id of sent) {
        const row = byId.get(id)!;
        expect({ id, note: folded.rows.get(id)!.note, qty: folded.rows.get(id)!.qty }).toEqual({
          id,
          note: row.note,
          qty: String(row.qty),
        });
      }
    } finally {
      await writer.end();
      controller.abort('stop');
      await run;
    }
  });
});

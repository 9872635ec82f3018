import type { ChangeEvent } from '@tidewater/change-events';
import { TidewaterError } from '@tidewater/errors';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectSource, type SourceConnection } from '../src/connect';
import { quoteIdentifier } from '../src/identifiers';
import { binlogWatermarks } from '../src/snapshot-binlog';
import { isCommitCount, openTestStream, startPosition } from './binlog-fixture';
import { createScratchDatabase, sourceOptions, type ScratchDatabase } from './source-fixture';

/**
 * A session may set binlog_row_image=MINIMAL or NOBLOB for itself, which no precheck of the
 * global setting can see: its rows events then lack columns (an UPDATE's before image holds
 * only the primary key, its after image only the changed columns; NOBLOB leaves out unchanged
 * BLOB and TEXT columns). A missing column is never turned into NULL: the stream fails with
 * BINLOG_PARTIAL_ROW_IMAGE, naming the table and the columns.
 */

const TABLE =
  "(id INT PRIMARY KEY, qty INT NOT NULL, note VARCHAR(20) NOT NULL DEFAULT 'none', body BLOB)";

let scratch: ScratchDatabase;
/** A session of its own, whose binlog_row_image each test sets. */
let writer: SourceConnection;

beforeAll(async () => {
  scratch = await createScratchDatabase('partial_image');
  writer = await connectSource(sourceOptions());
  await writer.connection.query(`USE ${quoteIdentifier(scratch.name)}`);
});

afterAll(async () => {
  await writer?.close();
  await scratch?.drop();
});

/**
 * Writes with a FULL image, then `statement` from a session with `rowImage`, then FULL again;
 * reads the stream until the three transactions are in or it fails.
 */
async function streamAround(
  table: string,
  rowImage: 'MINIMAL' | 'NOBLOB',
  statement: string,
): Promise<{ events: ChangeEvent[]; failure: unknown }> {
  await scratch.exec(`CREATE TABLE ${table} ${TABLE}`);
  await scratch.exec(`INSERT INTO ${table} VALUES (1, 1, 'one', 'blob one')`);
  const start = await startPosition(scratch.admin.connection);
  const test = await openTestStream(start, { databases: [scratch.name] });
  try {
    await scratch.exec(`INSERT INTO ${table} VALUES (2, 2, 'two', 'blob two')`);
    await writer.connection.query('SET SESSION binlog_row_image = ?', [rowImage]);
    await writer.connection.query(statement);
    await writer.connection.query("SET SESSION binlog_row_image = 'FULL'");
    await scratch.exec(`INSERT INTO ${table} VALUES (3, 3, 'three', 'blob three')`);
    const failure = await test.readUntil(isCommitCount(3)).then(
      () => null,
      (error: unknown) => error,
    );
    return { events: test.events, failure };
  } finally {
    test.close();
  }
}

/** The row changes of this file's database (the watermark reader sees every database). */
function rowEvents(events: ChangeEvent[]): string[] {
  return events.flatMap((event) =>
    (event.kind === 'insert' || event.kind === 'update' || event.kind === 'delete') &&
    event.schema.database === scratch.name
      ? [`${event.kind} ${event.schema.table}`]
      : [],
  );
}

/** The failure names the table and the missing columns (`missing` for an insert or delete). */
function expectPartialImageFailure(
  failure: unknown,
  table: string,
  missing: { missing: string[] } | { missingBefore: string[]; missingAfter: string[] },
): void {
  expect(failure).toBeInstanceOf(TidewaterError);
  const error = failure as TidewaterError;
  expect(error.toJSON()).toMatchObject({
    code: 'BINLOG_PARTIAL_ROW_IMAGE',
    details: { database: scratch.name, table, ...missing },
  });
  expect(error.isRetryable).toBe(false);
  expect(error.message).toContain(`${scratch.name}.${table}`);
  for (const column of Object.values(missing).flat()) expect(error.message).toContain(column);
  expect(error.remedy).toMatch(/binlog_row_image=FULL/);
}

describe('binlog stream with partial row images', () => {
  it('fails on an UPDATE logged with binlog_row_image=MINIMAL instead of giving NULL for the columns it lacks', async () => {
    const { events, failure } = await streamAround(
      'minimal_update',
      'MINIMAL',
      'UPDATE minimal_update SET qty = 20 WHERE id = 2',
    );
    // What came before the partial image went out; the UPDATE did not, with or without NULLs.
    expect(rowEvents(events)).toEqual(['insert minimal_update']);
    expectPartialImageFailure(failure, 'minimal_update', {
      missingBefore: ['qty', 'note', 'body'],
      missingAfter: ['id', 'note', 'body'],
    });
  });

  it('fails on a DELETE logged with MINIMAL, whose before image holds only the primary key', async () => {
    const { events, failure } = await streamAround(
      'minimal_delete',
      'MINIMAL',
      'DELETE FROM minimal_delete WHERE id = 2',
    );
    expect(rowEvents(events)).toEqual(['insert minimal_delete']);
    expectPartialImageFailure(failure, 'minimal_delete', { missing: ['qty', 'note', 'body'] });
  });

  it('fails on an INSERT logged with MINIMAL that leaves columns to their defaults', async () => {
    const { events, failure } = await streamAround(
      'minimal_insert',
      'MINIMAL',
      'INSERT INTO minimal_insert (id, qty) VALUES (4, 4)',
    );
    expect(rowEvents(events)).toEqual(['insert minimal_insert']);
    expectPartialImageFailure(failure, 'minimal_insert', { missing: ['note', 'body'] });
  });

  it('fails on an UPDATE logged with NOBLOB that leaves the BLOB column unchanged', async () => {
    const { events, failure } = await streamAround(
      'noblob_update',
      'NOBLOB',
      'UPDATE noblob_update SET qty = 20 WHERE id = 2',
    );
    expect(rowEvents(events)).toEqual(['insert noblob_update']);
    expectPartialImageFailure(failure, 'noblob_update', {
      missingBefore: ['body'],
      missingAfter: ['body'],
    });
  });

  it("passes over a partial image of a table outside the snapshot in the snapshot's binlog reader", async () => {
    await scratch.exec(`CREATE TABLE inside ${TABLE}`);
    await scratch.exec(`CREATE TABLE outside ${TABLE}`);
    await scratch.exec("INSERT INTO outside VALUES (1, 1, 'one', 'blob one')");
    const watermarks = binlogWatermarks({
      source: sourceOptions(),
      tables: [{ database: scratch.name, table: 'inside' }],
    });
    const controller = new AbortController();
    try {
      const low = await watermarks.readPosition(scratch.admin.connection);
      await writer.connection.query("SET SESSION binlog_row_image = 'MINIMAL'");
      await writer.connection.query('UPDATE outside SET qty = 10 WHERE id = 1');
      await writer.connection.query("SET SESSION binlog_row_image = 'FULL'");
      await scratch.exec("INSERT INTO inside VALUES (1, 1, 'one', 'blob one')");
      const middle = await watermarks.readPosition(scratch.admin.connection);
      const changes: ChangeEvent[] = [];
      for await (const event of watermarks.readChangesBetween(low, middle, controller.signal)) {
        changes.push(event);
      }
      expect(rowEvents(changes)).toEqual(['insert inside']);

      // The same session writing to a table of the snapshot stops the reader.
      await writer.connection.query("SET SESSION binlog_row_image = 'MINIMAL'");
      await writer.connection.query('UPDATE inside SET qty = 10 WHERE id = 1');
      await writer.connection.query("SET SESSION binlog_row_image = 'FULL'");
      const high = await watermarks.readPosition(scratch.admin.connection);
      const failure = await (async () => {
        for await (const event of watermarks.readChangesBetween(middle, high, controller.signal)) {
          changes.push(event);
        }
      })().then(
        () => null,
        (error: unknown) => error,
      );
      expect(rowEvents(changes)).toEqual(['insert inside']);
      expectPartialImageFailure(failure, 'inside', {
        missingBefore: ['qty', 'note', 'body'],
        missingAfter: ['id', 'note', 'body'],
      });
    } finally {
      controller.abort();
      watermarks.close();
    }
  });
});

import { comparePositions } from '../src/snapshot-watermark';
import type { ChangeEvent } from '@tidewater/change-events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readBinlogPosition } from '../src/binlog/binlog-position';
import {
  insertedRows,
  isCommitCount,
  openTestStream,
  selectCanonical,
  show,
  startPosition,
} from './binlog-fixture';
import { createScratchDatabase, type ScratchDatabase } from './source-fixture';

function kinds(events: ChangeEvent[]): string[] {
  return events.map((event) => event.kind);
}

describe('binlog stream', () => {
  let scratch: ScratchDatabase;
  beforeAll(async () => {
    scratch = await createScratchDatabase('binlog_stream');
  });
  afterAll(async () => {
    await scratch.drop();
  });

  it('streams inserts, updates, deletes and multi-row statements inside transaction boundaries', async () => {
    await scratch.exec('CREATE TABLE orders (id INT PRIMARY KEY, item VARCHAR(20), qty INT)');
    const start = await startPosition(scratch.admin.connection);
    const test = await openTestStream(start, { databases: [scratch.name] });
    try {
      await scratch.exec(
        "INSERT INTO orders VALUES (1, 'tea', 1), (2, 'coffee', 2), (3, 'milk', 3)",
      );
      await scratch.exec('START TRANSACTION');
      await scratch.exec('UPDATE orders SET qty = qty * 10 WHERE id <= 2');
      await scratch.exec('DELETE FROM orders WHERE id = 3');
      await scratch.exec("INSERT INTO orders VALUES (4, 'juice', 4)");
      await scratch.exec('COMMIT');
      const events = await test.readUntil(isCommitCount(2));
      expect(kinds(events)).toEqual([
        'begin',
        'insert',
        'commit',
        'begin',
        'update',
        'delete',
        'insert',
        'commit',
      ]);
      const [, insert, , , update, remove] = events;
      expect(insert).toMatchObject({
        kind: 'insert',
        rows: [
          ['1', 'tea', '1'],
          ['2', 'coffee', '2'],
          ['3', 'milk', '3'],
        ],
      });
      expect(update).toMatchObject({
        kind: 'update',
        rows: [
          { before: ['1', 'tea', '1'], after: ['1', 'tea', '10'] },
          { before: ['2', 'coffee', '2'], after: ['2', 'coffee', '20'] },
        ],
      });
      expect(remove).toMatchObject({ kind: 'delete', rows: [['3', 'milk', '3']] });
      // Positions only move forward, the GTID is the transaction's, and the last commit is no
      // later than where the source's binlog now ends (other test files write to the same
      // server at the same time, so it may have moved on).
      const positions = events.map((event) => event.position!.pos);
      expect(positions).toEqual([...positions].sort((a, b) => a - b));
      expect(events[4]!.gtid).toBe(events[3]!.gtid);
      const lastCommit = events[7]!.position!;
      expect(
        comparePositions(lastCommit, await readBinlogPosition(scratch.admin.connection)),
      ).toBeLessThanOrEqual(0);
      expect(lastCommit.gtidSet).toMatch(/^\d+-\d+-\d+/);
    } finally {
      test.close();
    }
  });

  it('streams a 100k-row transaction', async () => {
    await scratch.exec('CREATE TABLE big (id INT PRIMARY KEY, k INT, c CHAR(120), pad CHAR(60))');
    const start = await startPosition(scratch.admin.connection);
    const test = await openTestStream(start, { databases: [scratch.name] });
    try {
      await scratch.exec(
        "INSERT INTO big SELECT seq, seq * 7, CONCAT('c-', seq, REPEAT('x', 100)), CONCAT('pad-', seq) FROM seq_1_to_100000",
      );
      const events = await test.readUntil(isCommitCount(1), 120_000);
      expect(events[0]!.kind).toBe('begin');
      expect(events.at(-1)!.kind).toBe('commit');
      const rows = insertedRows(events, 'big');
      expect(rows).toHaveLength(100_000);
      expect(rows[0]).toEqual(['1', '7', `c-1${'x'.repeat(100)}`, 'pad-1']);
      expect(rows[99_999]).toEqual([
        '100000',
        '700000',
        `c-100000${'x'.repeat(100)}`,
        'pad-100000',
      ]);
      expect(new Set(rows.map((row) => row[0])).size).toBe(100_000);
    } finally {
      test.close();
    }
  });

  it('continues across FLUSH BINARY LOGS into the next file', async () => {
    await scratch.exec('CREATE TABLE rotation (id INT PRIMARY KEY)');
    const start = await startPosition(scratch.admin.connection);
    const test = await openTestStream(start, { databases: [scratch.name] });
    try {
      await scratch.exec('INSERT INTO rotation VALUES (1)');
      await scratch.exec('FLUSH BINARY LOGS');
      await scratch.exec('INSERT INTO rotation VALUES (2)');
      const events = await test.readUntil(isCommitCount(2));
      const commits = events.filter((event) => event.kind === 'commit');
      expect(commits[0]!.position!.file).toBe(start.file);
      expect(commits[1]!.position!.file).not.toBe(start.file);
      expect(insertedRows(events, 'rotation')).toEqual([['1'], ['2']]);
      expect(
        comparePositions(commits[1]!.position!, await readBinlogPosition(scratch.admin.connection)),
      ).toBeLessThanOrEqual(0);
    } finally {
      test.close();
    }
  });

  it('streams a table without a key', async () => {
    await scratch.exec('CREATE TABLE keyless (a INT, b VARCHAR(10))');
    const start = await startPosition(scratch.admin.connection);
    const test = await openTestStream(start, { databases: [scratch.name] });
    try {
      await scratch.exec("INSERT INTO keyless VALUES (1, 'x'), (1, 'x'), (2, NULL)");
      await scratch.exec("UPDATE keyless SET b = 'y' WHERE a = 1");
      await scratch.exec('DELETE FROM keyless WHERE a = 2');
      const events = await test.readUntil(isCommitCount(3));
      const changes = events.filter(
        (event) => event.kind === 'insert' || event.kind === 'update' || event.kind === 'delete',
      );
      expect(
        changes.map((event) => [
          event.kind,
          event.kind === 'insert' || event.kind === 'update' || event.kind === 'delete'
            ? event.rows.length
            : 0,
        ]),
      ).toEqual([
        ['insert', 3],
        ['update', 2],
        ['delete', 1],
      ]);
      expect(changes[0]!.kind === 'insert' && changes[0]!.schema.primaryKey).toEqual([]);
    } finally {
      test.close();
    }
  });

  it('resumes from a checkpoint without losing or repeating a committed transaction', async () => {
    await scratch.exec('CREATE TABLE ledger (id INT PRIMARY KEY, note VARCHAR(20))');
    const start = await startPosition(scratch.admin.connection);
    for (let id = 1; id <= 5; id += 1)
      await scratch.exec('INSERT INTO ledger VALUES (?, ?)', [id, `n${id}`]);
    await scratch.exec('ALTER TABLE ledger ADD COLUMN extra INT UNSIGNED');
    for (let id = 6; id <= 10; id += 1)
      await scratch.exec('INSERT INTO ledger VALUES (?, ?, ?)', [id, `n${id}`, 4294967295]);
    // First reader: acknowledges the third commit, then dies.
    const first = await openTestStream(start, { databases: [scratch.name] });
    let checkpoint;
    try {
      const events = await first.readUntil(isCommitCount(3));
      const third = events.filter((event) => event.kind === 'commit')[2]!;
      const resume = first.resumeOf(third);
      expect(resume).not.toBeNull();
      checkpoint = { position: resume!.position, schemaHistory: resume!.schema.toJSON() };
      // It read on past the checkpoint (an uncommitted transaction's events) before dying.
      const seenAtCheckpoint = events.length;
      await first.readUntil((seen) => seen.length >= seenAtCheckpoint + 2);
    } finally {
      first.close();
    }
    // Persisted as JSON, as the engine does.
    const saved = JSON.parse(JSON.stringify(checkpoint));
    for (const startBy of ['position', 'gtid'] as const) {
      const second = await openTestStream(saved.position, {
        databases: [scratch.name],
        schemaHistory: saved.schemaHistory,
        startBy,
      });
      try {
        const events = await second.readUntil(isCommitCount(7));
        expect(insertedRows(events, 'ledger').map((row) => row[0])).toEqual([
          '4',
          '5',
          '6',
          '7',
          '8',
          '9',
          '10',
        ]);
        expect(insertedRows(events, 'ledger').at(-1)).toEqual(['10', 'n10', '4294967295']);
        expect(events.filter((event) => event.kind === 'ddl')).toHaveLength(1);
      } finally {
        second.close();
      }
    }
  });

  it('reconnects when the connection drops mid-transaction and delivers each change once', async () => {
    await scratch.exec('CREATE TABLE dropped (id INT PRIMARY KEY, c CHAR(200))');
    const start = await startPosition(scratch.admin.connection);
    // About 40 MB in one transaction: more than socket buffers hold, so the drop lands inside it.
    await scratch.exec("INSERT INTO dropped SELECT seq, REPEAT('d', 200) FROM seq_1_to_200000");
    await scratch.exec("INSERT INTO dropped VALUES (200001, 'after')");
    const test = await openTestStream(start, {
      databases: [scratch.name],
      highWaterBytes: 64 * 1024,
    });
    try {
      await test.readUntil((events) => insertedRows(events, 'dropped').length >= 5000);
      // Kill the dump session on the server, as a network failure or failover would.
      const [threads] = await scratch.admin.connection.query(
        "SELECT ID AS id FROM information_schema.PROCESSLIST WHERE COMMAND = 'Binlog Dump'",
      );
      for (const { id } of threads as Array<{ id: number }>)
        await scratch.admin.connection.query(`KILL ${Number(id)}`).catch(() => undefined);
      const events = await test.readUntil(isCommitCount(2), 60_000);
      const ids = insertedRows(events, 'dropped').map((row) => Number(row[0]));
      expect(ids).toHaveLength(200_001);
      expect(ids.every((id, index) => id === index + 1)).toBe(true);
      expect(kinds(events).filter((kind) => kind === 'begin')).toHaveLength(2);
      expect(test.warnings.map((warning) => warning.code)).toContain('SOURCE_RECONNECTING');
    } finally {
      test.close();
    }
  });

  it('keeps memory bounded while the consumer is slow', async () => {
    await scratch.exec('CREATE TABLE flood (id INT PRIMARY KEY, c CHAR(200))');
    const start = await startPosition(scratch.admin.connection);
    const highWaterBytes = 256 * 1024;
    const test = await openTestStream(start, { databases: [scratch.name], highWaterBytes });
    try {
      // About 40 MB of binlog, written faster than the consumer below reads it.
      await scratch.exec("INSERT INTO flood SELECT seq, REPEAT('f', 200) FROM seq_1_to_200000");
      let maxBuffered = 0;
      let rows = 0;
      for await (const event of test.stream) {
        maxBuffered = Math.max(maxBuffered, test.stream.bufferedBytes);
        if (event.kind === 'insert') {
          rows += event.rows.length;
          if (rows % 20_000 < event.rows.length)
            await new Promise((resolve) => setTimeout(resolve, 50));
        }
        if (event.kind === 'commit') break;
      }
      expect(rows).toBe(200_000);
      // The high-water mark plus what one socket read can add.
      expect(maxBuffered).toBeLessThan(highWaterBytes + 1024 * 1024);
    } finally {
      test.close();
    }
  });

  it('emits DDL it cannot parse, warns, and reads the table again', async () => {
    await scratch.exec('CREATE TABLE versioned (id INT PRIMARY KEY, v INT)');
    await scratch.exec('INSERT INTO versioned VALUES (0, 0)');
    const start = await startPosition(scratch.admin.connection);
    const test = await openTestStream(start, { databases: [scratch.name] });
    try {
      // MariaDB's WAIT clause is not in the parser's vocabulary.
      await scratch.exec('ALTER TABLE versioned WAIT 5 ADD COLUMN w INT UNSIGNED DEFAULT 7');
      await scratch.exec('INSERT INTO versioned (id, v) VALUES (1, -2)');
      const events = await test.readUntil(isCommitCount(1));
      expect(events[0]).toMatchObject({
        kind: 'ddl',
        ddlKind: 'ALTER',
        table: 'versioned',
        isParsed: false,
      });
      expect(test.warnings.map((warning) => warning.code)).toEqual([
        'BINLOG_DDL_UNPARSED',
        'BINLOG_SCHEMA_REREAD',
      ]);
      const rows = insertedRows(events, 'versioned');
      expect(rows).toEqual([['1', '-2', '7']]);
      const selected = await selectCanonical(
        scratch.admin.connection,
        scratch.name,
        'versioned',
        'id',
      );
      expect(rows.map((row) => row.map(show))).toEqual(
        selected.slice(1).map((row) => row.map(show)),
      );
    } finally {
      test.close();
    }
  });

  it('fails with BINLOG_PURGED when the start file is gone', async () => {
    const position = await readBinlogPosition(scratch.admin.connection);
    const missing = position.file.replace(/\d+$/, (digits) => '0'.repeat(digits.length));
    await expect(
      openTestStream(
        { file: missing, pos: 4, gtidSet: null },
        { databases: [scratch.name], retryWindowMs: 1000 },
      ),
    ).rejects.toMatchObject({
      code: 'BINLOG_PURGED',
    });
  });

  it('fails clearly when the user lacks the replication privilege', async () => {
    const options = await scratch.createUser('norepl', ['GRANT SELECT ON {db}.* TO {user}']);
    const position = await readBinlogPosition(scratch.admin.connection);
    await expect(
      openTestStream(position, { databases: [scratch.name], source: options, retryWindowMs: 1000 }),
    ).rejects.toMatchObject({ code: 'BINLOG_REPLICATION_DENIED', category: 'unauthorized' });
  });
});

import type { CellValue, ChangeEvent, SourcePosition } from '@tidewater/change-events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBinlogStream } from '../src/binlog/binlog-stream';
import { readBinlogPosition } from '../src/binlog/binlog-position';
import { connectSource, type SourceConnection } from '../src/connect';
import { quoteTableName } from '../src/identifiers';
import { readSnapshot, type SnapshotResumePoint, type SnapshotRecord } from '../src/snapshot';
import { binlogWatermarks } from '../src/snapshot-binlog';
import { comparePositions } from '../src/snapshot-watermark';
import { createScratchDatabase, sourceOptions, type ScratchDatabase } from './source-fixture';

const ROWS = 20_000;

/** What a downstream consumer keyed by primary key holds: chunks upsert, changes apply. */
class KeyedConsumer {
  readonly rows = new Map<string, string>();

  apply(item: SnapshotRecord | { kind: 'change'; event: ChangeEvent }): void {
    if (item.kind === 'chunk') for (const row of item.event.rows) this.put(row);
    if (item.kind === 'change') this.applyChange(item.event);
  }

  applyChange(event: ChangeEvent): void {
    if (event.kind === 'insert') for (const row of event.rows) this.put(row);
    if (event.kind === 'delete') for (const row of event.rows) this.rows.delete(String(row[0]));
    if (event.kind === 'update') {
      for (const { before, after } of event.rows) {
        this.rows.delete(String(before[0]));
        this.put(after);
      }
    }
  }

  private put(row: CellValue[]): void {
    this.rows.set(String(row[0]), row.map(String).join('|'));
  }
}

/** Random single-row and multi-row changes, each its own transaction, until stopped. */
function startWriter(source: SourceConnection, table: string): { stop: () => Promise<number> } {
  let isStopped = false;
  let writes = 0;
  const random = (n: number): number => Math.floor(Math.random() * n);
  const run = (async () => {
    const query = (sql: string, values: unknown[]) => source.connection.query(sql, values);
    while (!isStopped) {
      const roll = Math.random();
      const id = 1 + random(ROWS + 2000);
      if (roll < 0.35) {
        await query(`UPDATE ${table} SET v = v + 1, note = ? WHERE id = ?`, [`u${writes}`, id]);
      } else if (roll < 0.55) {
        await query(`INSERT IGNORE INTO ${table} (id, v, note) VALUES (?, 0, 'new')`, [id]);
      } else if (roll < 0.7) {
        await query(`DELETE FROM ${table} WHERE id = ?`, [id]);
      } else if (roll < 0.8) {
        // Moves a row to another key, possibly into a chunk already read or not yet read.
        await query(`UPDATE IGNORE ${table} SET id = ? WHERE id = ?`, [
          1 + random(ROWS + 2000),
          id,
        ]);
      } else {
        await query(`UPDATE ${table} SET v = v + 1 WHERE id BETWEEN ? AND ?`, [id, id + 40]);
      }
      writes += 1;
    }
  })();
  return {
    stop: async () => {
      isStopped = true;
      await run;
      return writes;
    },
  };
}

async function applyStream(
  consumer: KeyedConsumer,
  from: SourcePosition,
  database: string,
  table: string,
): Promise<void> {
  const admin = await connectSource(sourceOptions());
  const end = await readBinlogPosition(admin.connection);
  await admin.close();
  if (comparePositions(from, end) >= 0) return;
  const stream = await openBinlogStream({
    source: sourceOptions(),
    start: from,
    databases: [database],
    isCaptured: (db, name) => db === database && (name === table || name === ''),
    heartbeatIntervalMs: 100,
  });
  try {
    for await (const event of stream) {
      consumer.applyChange(event);
      if (event.position !== null && comparePositions(event.position, end) >= 0) break;
    }
  } finally {
    stream.close();
  }
}

async function tableContents(
  scratch: ScratchDatabase,
  table: string,
): Promise<Map<string, string>> {
  const [rows] = await scratch.admin.connection.query({
    sql: `SELECT id, v, note FROM ${quoteTableName(scratch.name, table)}`,
    rowsAsArray: true,
  });
  return new Map(
    (rows as unknown as unknown[][]).map((row) => [String(row[0]), row.map(String).join('|')]),
  );
}

describe('lock-free watermark snapshot', () => {
  let scratch: ScratchDatabase;
  beforeAll(async () => {
    scratch = await createScratchDatabase('watermark');
  });
  afterAll(async () => {
    await scratch.drop();
  });

  async function createTable(table: string): Promise<void> {
    await scratch.exec(
      `CREATE TABLE ${table} (id INT PRIMARY KEY, v INT NOT NULL, note VARCHAR(20) NOT NULL)`,
    );
    await scratch.exec(`INSERT INTO ${table} SELECT seq, 0, 'seed' FROM seq_1_to_${ROWS}`);
  }

  it.each([1, 3])(
    'hands over to streaming with nothing lost while writes run (concurrency %i)',
    async (concurrency) => {
      const table = `busy_${concurrency}`;
      await createTable(table);
      const writerSession = await connectSource(sourceOptions());
      const writer = startWriter(writerSession, quoteTableName(scratch.name, table));
      const watermarks = binlogWatermarks({
        source: sourceOptions(),
        tables: [{ database: scratch.name, table }],
      });
      const consumer = new KeyedConsumer();
      let done: Extract<SnapshotRecord, { kind: 'done' }> | null = null;
      let changes = 0;
      let dropped = 0;
      try {
        for await (const item of readSnapshot({
          connect: () => connectSource(sourceOptions()),
          tables: [{ database: scratch.name, table }],
          chunkSize: 150,
          concurrency,
          watermarks,
        })) {
          consumer.apply(item);
          if (item.kind === 'change') changes += 1;
          if (item.kind === 'chunk') {
            dropped += item.droppedRows;
            // A sink that takes a moment per chunk: windows grow and catch more writes.
            await new Promise((resolve) => setTimeout(resolve, 3));
          }
          if (item.kind === 'done') done = item;
        }
      } finally {
        watermarks.close();
      }
      const writes = await writer.stop();
      await writerSession.close();
      expect(writes).toBeGreaterThan(20);
      expect(changes).toBeGreaterThan(0);
      expect(dropped).toBeGreaterThan(0);
      expect(done?.consistency).toBe('watermark');
      await applyStream(consumer, done?.streamFrom as SourcePosition, scratch.name, table);
      const expected = await tableContents(scratch, table);
      expect(consumer.rows.size).toBe(expected.size);
      expect(consumer.rows).toEqual(expected);
      // Reported for the curious: how much the reconciliation had to do.
      console.info(
        `concurrency ${concurrency}: ${writes} writes, ${changes} changes emitted, ${dropped} chunk rows replaced`,
      );
    },
  );

  it('resumes from a checkpoint after the reader is killed, writes running, and still hands over exactly', async () => {
    const table = 'resumed';
    await createTable(table);
    const writerSession = await connectSource(sourceOptions());
    const writer = startWriter(writerSession, quoteTableName(scratch.name, table));
    const consumer = new KeyedConsumer();
    const tables = [{ database: scratch.name, table }];

    let acknowledged: SnapshotResumePoint | null = null;
    let chunks = 0;
    const first = binlogWatermarks({ source: sourceOptions(), tables });
    try {
      for await (const item of readSnapshot({
        connect: () => connectSource(sourceOptions()),
        tables,
        chunkSize: 150,
        watermarks: first,
      })) {
        consumer.apply(item);
        if (item.kind !== 'chunk') continue;
        chunks += 1;
        if (chunks === 40) break; // killed: chunk 40 was delivered but never acknowledged
        acknowledged = item.checkpoint;
      }
    } finally {
      first.close();
    }
    expect(acknowledged?.position).not.toBeNull();

    let done: Extract<SnapshotRecord, { kind: 'done' }> | null = null;
    const second = binlogWatermarks({ source: sourceOptions(), tables });
    try {
      for await (const item of readSnapshot({
        connect: () => connectSource(sourceOptions()),
        tables,
        chunkSize: 150,
        watermarks: second,
        resumeFrom: acknowledged,
      })) {
        consumer.apply(item);
        if (item.kind === 'done') done = item;
      }
    } finally {
      second.close();
    }
    await writer.stop();
    await writerSession.close();
    await applyStream(consumer, done?.streamFrom as SourcePosition, scratch.name, table);
    expect(consumer.rows).toEqual(await tableContents(scratch, table));
  });
});

describe('tables that come and go during a watermark snapshot', () => {
  let scratch: ScratchDatabase;
  beforeAll(async () => {
    scratch = await createScratchDatabase('comego');
  });
  afterAll(async () => {
    await scratch.drop();
  });

  async function createSmallTable(table: string, rows: number): Promise<void> {
    await scratch.exec(`CREATE TABLE ${table} (id INT PRIMARY KEY, note VARCHAR(20) NOT NULL)`);
    await scratch.exec(`INSERT INTO ${table} SELECT seq, 'seed' FROM seq_1_to_${rows}`);
  }

  /** Reads a snapshot to its end; the change events as `kind table` and the rows per table. */
  async function snapshotOf(
    tables: string[],
    options: { startPosition?: SourcePosition; resumeFrom?: SnapshotResumePoint } = {},
  ) {
    const specs = tables.map((table) => ({ database: scratch.name, table }));
    const watermarks = binlogWatermarks({ source: sourceOptions(), tables: specs });
    const changes: string[] = [];
    const rows = new Map<string, number>();
    const checkpoints: SnapshotResumePoint[] = [];
    try {
      for await (const item of readSnapshot({
        connect: () => connectSource(sourceOptions()),
        tables: specs,
        chunkSize: 2,
        watermarks,
        isSelected: (database) => database === scratch.name,
        ...options,
      })) {
        if (item.kind === 'change') {
          const { event } = item;
          if (event.kind === 'ddl') changes.push(`ddl ${event.table}`);
          else if (event.kind !== 'begin' && event.kind !== 'commit' && event.kind !== 'heartbeat')
            changes.push(`${event.kind} ${event.schema.table}`);
        }
        if (item.kind === 'chunk') {
          const table = item.checkpoint.table;
          rows.set(table, (rows.get(table) ?? 0) + item.event.rows.length);
          checkpoints.push(item.checkpoint);
        }
        if (item.kind === 'table-done') {
          rows.set(item.table, rows.get(item.table) ?? 0);
          checkpoints.push(item.checkpoint);
        }
      }
    } finally {
      watermarks.close();
    }
    return { changes, rows, checkpoints };
  }

  it('passes through a table created after the list was made, from a position read before it', async () => {
    await createSmallTable('listed', 5);
    await createSmallTable('dropped_early', 3);
    // The table list is made here; then, before the snapshot starts, the schema changes.
    const listedAt = await readBinlogPosition(scratch.admin.connection);
    await scratch.exec('CREATE TABLE created (id INT PRIMARY KEY, note VARCHAR(20) NOT NULL)');
    await scratch.exec("INSERT INTO created VALUES (1, 'before the snapshot')");
    await scratch.exec('DROP TABLE dropped_early');

    const { changes, rows } = await snapshotOf(['listed', 'dropped_early'], {
      startPosition: listedAt,
    });
    expect(changes).toEqual(['ddl created', 'insert created', 'ddl dropped_early']);
    // The dropped table is done with no rows instead of failing the snapshot.
    expect(Object.fromEntries(rows)).toEqual({ listed: 5, dropped_early: 0 });
  });

  it('reads every table again when the table of its checkpoint was dropped since', async () => {
    for (const table of ['first', 'middle', 'last']) await createSmallTable(table, 4);
    const before = await snapshotOf(['first', 'middle', 'last']);
    const inMiddle = before.checkpoints.find(
      (checkpoint) => checkpoint.table === 'middle' && !checkpoint.isTableDone,
    );
    expect(inMiddle).toBeDefined();
    await scratch.exec('DROP TABLE middle');

    const after = await snapshotOf(['first', 'last'], { resumeFrom: inMiddle });
    expect(Object.fromEntries(after.rows)).toEqual({ first: 4, last: 4 });
    expect(after.changes).toEqual(['ddl middle']);
  });
});

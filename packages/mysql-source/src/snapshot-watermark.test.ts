import type {
  CellValue,
  ChangeEvent,
  ColumnSchema,
  SourcePosition,
  TableSchema,
} from '@tidewater/change-events';
import { describe, expect, it } from 'vitest';
import {
  comparePositions,
  WatermarkWalker,
  type WalkOutput,
  type WatermarkSource,
} from './snapshot-watermark';

const column = (name: string): ColumnSchema => ({
  name,
  dataType: 'int',
  columnType: 'int(11)',
  family: 'integer',
  nullable: false,
  unsigned: false,
  precision: 4,
  scale: null,
  charset: null,
  members: null,
});

const items: TableSchema = {
  database: 'shop',
  table: 'items',
  columns: [column('id'), column('v')],
  primaryKey: ['id'],
  uniqueKeys: {},
};
const other: TableSchema = { ...items, table: 'other' };
const watched = { database: 'shop', table: 'items', keyColumns: ['id'] };

const at = (pos: number, file = 'bin.000001'): SourcePosition => ({ file, pos, gtidSet: null });

function base(pos: number, schema: TableSchema) {
  return { timestamp: 0, position: at(pos), gtid: null, serverId: 1, schema };
}
const insert = (pos: number, id: number, v: number, schema = items): ChangeEvent => ({
  ...base(pos, schema),
  kind: 'insert',
  rows: [[String(id), String(v)]],
});
const update = (pos: number, id: number, v: number, newId = id, schema = items): ChangeEvent => ({
  ...base(pos, schema),
  kind: 'update',
  rows: [{ before: [String(id), '0'], after: [String(newId), String(v)] }],
});
const remove = (pos: number, id: number, schema = items): ChangeEvent => ({
  ...base(pos, schema),
  kind: 'delete',
  rows: [[String(id), '0']],
});

const ddl = (pos: number, table: string, sql: string): ChangeEvent => ({
  kind: 'ddl',
  database: 'shop',
  table,
  ddlKind: 'QUERY',
  sql,
  isParsed: true,
  timestamp: 0,
  position: at(pos),
  gtid: null,
  serverId: 1,
});

/** A binlog held in memory: every event, in order, served by window. */
class MemoryLog implements WatermarkSource {
  readonly events: ChangeEvent[] = [];
  readonly windows: Array<[number, number]> = [];
  now = 0;

  async readPosition(): Promise<SourcePosition> {
    return at(this.now);
  }

  async *readChangesBetween(low: SourcePosition, high: SourcePosition): AsyncIterable<ChangeEvent> {
    this.windows.push([low.pos, high.pos]);
    for (const event of this.events) {
      const position = event.position as SourcePosition;
      if (comparePositions(position, low) > 0 && comparePositions(position, high) <= 0) yield event;
    }
  }
}

async function collect(outputs: AsyncIterable<WalkOutput>): Promise<WalkOutput[]> {
  const all: WalkOutput[] = [];
  for await (const output of outputs) all.push(output);
  return all;
}

const rowsOf = (...ids: number[]): CellValue[][] => ids.map((id) => [String(id), '0']);
const signal = new AbortController().signal;

describe('WatermarkWalker', () => {
  it('emits the window changes before the chunk and drops the rows they touched', async () => {
    const log = new MemoryLog();
    log.events.push(update(150, 2, 7), insert(160, 4, 1), update(170, 9, 1, 9, other));
    const walker = new WatermarkWalker(log, at(100));
    walker.startTable(watched);
    const outputs = await collect(
      walker.reconcile(
        { table: watched, rows: rowsOf(1, 2, 3), keyIndexes: [0], low: at(120), high: at(200) },
        signal,
      ),
    );
    expect(outputs.map((output) => output.kind)).toEqual(['change', 'change', 'chunk']);
    expect(outputs[2]).toEqual({ kind: 'chunk', rows: rowsOf(1, 3), dropped: 1 });
    expect(walker.position).toEqual(at(200));
    expect(log.windows).toEqual([[100, 200]]);
  });

  it('drops a row whose key an update moved away, matching the before image', async () => {
    const log = new MemoryLog();
    log.events.push(update(150, 2, 7, 20), remove(160, 3));
    const walker = new WatermarkWalker(log, at(100));
    walker.startTable(watched);
    const outputs = await collect(
      walker.reconcile(
        { table: watched, rows: rowsOf(1, 2, 3), keyIndexes: [0], low: at(100), high: at(200) },
        signal,
      ),
    );
    expect(outputs.at(-1)).toEqual({ kind: 'chunk', rows: rowsOf(1), dropped: 2 });
  });

  it('does not emit the changes of tables that have not started', async () => {
    const log = new MemoryLog();
    log.events.push(insert(150, 5, 1, other));
    const walker = new WatermarkWalker(log, at(100));
    walker.startTable(watched);
    const outputs = await collect(
      walker.reconcile(
        { table: watched, rows: rowsOf(1), keyIndexes: [0], low: at(100), high: at(200) },
        signal,
      ),
    );
    expect(outputs).toEqual([{ kind: 'chunk', rows: rowsOf(1), dropped: 0 }]);
  });

  it('passes a selected table the snapshot does not read through, from the start of the walk', async () => {
    const created: TableSchema = { ...items, table: 'created' };
    const ignored: TableSchema = { ...items, table: 'ignored' };
    const log = new MemoryLog();
    log.events.push(
      ddl(110, 'created', 'CREATE TABLE created (id INT PRIMARY KEY, v INT)'),
      insert(120, 1, 1, created),
      insert(130, 1, 1, ignored),
      update(140, 1, 2, 1, created),
      insert(150, 7, 1),
    );
    const walker = new WatermarkWalker(log, at(100), {
      snapshotTables: [watched],
      isPassedThrough: (_database, table) => table === 'created',
    });
    walker.startTable(watched);
    const outputs = await collect(
      walker.reconcile(
        { table: watched, rows: rowsOf(1, 7), keyIndexes: [0], low: at(145), high: at(200) },
        signal,
      ),
    );
    // Its CREATE and every change, in order; its keys never drop rows of the chunk's table.
    expect(
      outputs.map((output) => (output.kind === 'change' ? output.event.position?.pos : 'chunk')),
    ).toEqual([110, 120, 140, 150, 'chunk']);
    expect(outputs.at(-1)).toEqual({ kind: 'chunk', rows: rowsOf(1), dropped: 1 });
  });

  it('emits the DDL of a snapshot table that has not started, but not its rows', async () => {
    const later = { database: 'shop', table: 'other', keyColumns: ['id'] };
    const log = new MemoryLog();
    log.events.push(
      ddl(110, 'other', 'ALTER TABLE other ADD COLUMN w INT'),
      insert(120, 5, 1, other),
      ddl(130, 'other', 'DROP TABLE other'),
    );
    const walker = new WatermarkWalker(log, at(100), {
      snapshotTables: [watched, later],
      // A snapshot table is never passed through, whatever the caller selects.
      isPassedThrough: () => true,
    });
    walker.startTable(watched);
    const outputs = await collect(
      walker.reconcile(
        { table: watched, rows: rowsOf(1), keyIndexes: [0], low: at(100), high: at(200) },
        signal,
      ),
    );
    expect(
      outputs.map((output) => (output.kind === 'change' ? output.event.kind : output.kind)),
    ).toEqual(['ddl', 'ddl', 'chunk']);
  });

  it('reconciles a chunk read in parallel with changes already emitted, without reading them twice', async () => {
    const log = new MemoryLog();
    log.events.push(update(200, 12, 1), update(280, 13, 1), update(290, 2, 1), insert(320, 14, 1));
    const walker = new WatermarkWalker(log, at(100));
    walker.startTable(watched);
    // Chunk B (keys 11-13) is read between 120 and 250, while chunk A (keys 1-3) is read
    // between 110 and 300; A is emitted first.
    const holdA = walker.holdLowWatermark();
    holdA.position = at(110);
    const holdB = walker.holdLowWatermark();
    holdB.position = at(120);
    const first = await collect(
      walker.reconcile(
        { table: watched, rows: rowsOf(1, 2, 3), keyIndexes: [0], low: at(110), high: at(300) },
        signal,
      ),
    );
    walker.releaseLowWatermark(holdA);
    expect(first.map((output) => output.kind)).toEqual(['change', 'change', 'change', 'chunk']);
    expect(first.at(-1)).toEqual({ kind: 'chunk', rows: rowsOf(1, 3), dropped: 1 });

    const second = await collect(
      walker.reconcile(
        { table: watched, rows: rowsOf(11, 12, 13), keyIndexes: [0], low: at(120), high: at(250) },
        signal,
      ),
    );
    walker.releaseLowWatermark(holdB);
    expect(second).toEqual([{ kind: 'chunk', rows: rowsOf(11), dropped: 2 }]);
    expect(walker.position).toEqual(at(300));
    expect(log.windows).toEqual([[100, 300]]);
  });

  it('forgets changed keys once no chunk can need them', async () => {
    const log = new MemoryLog();
    log.events.push(update(150, 1, 1));
    const walker = new WatermarkWalker(log, at(100));
    walker.startTable(watched);
    await collect(
      walker.reconcile(
        { table: watched, rows: rowsOf(5), keyIndexes: [0], low: at(100), high: at(200) },
        signal,
      ),
    );
    // A later chunk (low after the cursor) holding key 1 keeps it: the change is not in its window.
    const outputs = await collect(
      walker.reconcile(
        { table: watched, rows: rowsOf(1), keyIndexes: [0], low: at(200), high: at(200) },
        signal,
      ),
    );
    expect(outputs).toEqual([{ kind: 'chunk', rows: rowsOf(1), dropped: 0 }]);
  });

  it('starts a window at the cursor when the low watermark is later, covering changes in between', async () => {
    const log = new MemoryLog();
    log.events.push(update(205, 2, 1));
    const walker = new WatermarkWalker(log, at(200));
    walker.startTable(watched);
    const outputs = await collect(
      walker.reconcile(
        { table: watched, rows: rowsOf(1, 2), keyIndexes: [0], low: at(210), high: at(260) },
        signal,
      ),
    );
    expect(outputs.map((output) => output.kind)).toEqual(['change', 'chunk']);
    expect(outputs[1]).toEqual({ kind: 'chunk', rows: rowsOf(1), dropped: 1 });
  });

  it('orders positions by file sequence number, then offset', () => {
    expect(comparePositions(at(900, 'bin.000009'), at(4, 'bin.000010'))).toBe(-1);
    expect(comparePositions(at(4, 'bin.000010'), at(900, 'bin.000009'))).toBe(1);
    expect(comparePositions(at(5), at(5))).toBe(0);
    expect(
      comparePositions(
        at(4, 'group1_stream_0_binlog.000005'),
        at(9, 'group1_stream_0_binlog.000005'),
      ),
    ).toBe(-1);
  });

  it('hands over a state equal to the source, whatever the writes between chunk reads', async () => {
    for (let seed = 1; seed <= 40; seed += 1) {
      const random = mulberry32(seed);
      const log = new MemoryLog();
      const table = new Map<number, number>();
      let nextId = 1;
      const write = (): void => {
        const roll = random();
        log.now += 10;
        const ids = [...table.keys()];
        const id = ids[Math.floor(random() * ids.length)];
        if (roll < 0.4 || id === undefined) {
          const newId = roll < 0.2 ? nextId++ : Math.floor(random() * 300) + 1;
          if (table.has(newId)) return;
          table.set(newId, log.now);
          log.events.push(insert(log.now, newId, log.now));
        } else if (roll < 0.8) {
          table.set(id, log.now);
          log.events.push(update(log.now, id, log.now));
        } else if (roll < 0.9) {
          table.delete(id);
          log.events.push(remove(log.now, id));
        } else {
          const newId = Math.floor(random() * 300) + 1;
          if (table.has(newId)) return;
          table.delete(id);
          table.set(newId, log.now);
          log.events.push(update(log.now, id, log.now, newId));
        }
      };
      for (let index = 0; index < 100; index += 1) write();

      // The consumer's view: chunks are upserts, changes are applied as they come.
      const consumer = new Map<number, number>();
      const apply = (event: ChangeEvent): void => {
        if (event.kind === 'insert')
          for (const row of event.rows) consumer.set(Number(row[0]), Number(row[1]));
        if (event.kind === 'delete') for (const row of event.rows) consumer.delete(Number(row[0]));
        if (event.kind === 'update') {
          for (const { before, after } of event.rows) {
            consumer.delete(Number(before[0]));
            consumer.set(Number(after[0]), Number(after[1]));
          }
        }
      };

      const walker = new WatermarkWalker(log, await log.readPosition());
      walker.startTable(watched);
      let after = 0;
      for (;;) {
        for (let index = Math.floor(random() * 4); index > 0; index -= 1) write();
        const hold = walker.holdLowWatermark();
        const low = await log.readPosition();
        hold.position = low;
        for (let index = Math.floor(random() * 3); index > 0; index -= 1) write();
        // The SELECT sees the table as it is now.
        const ids = [...table.keys()]
          .filter((id) => id > after)
          .sort((a, b) => a - b)
          .slice(0, 7);
        const rows = ids.map((id) => [String(id), String(table.get(id))]);
        for (let index = Math.floor(random() * 3); index > 0; index -= 1) write();
        const high = await log.readPosition();
        for await (const output of walker.reconcile(
          { table: watched, rows, keyIndexes: [0], low, high },
          signal,
        )) {
          if (output.kind === 'change') apply(output.event);
          else for (const row of output.rows) consumer.set(Number(row[0]), Number(row[1]));
        }
        walker.releaseLowWatermark(hold);
        if (ids.length < 7) break;
        after = ids[ids.length - 1] as number;
      }
      for (let index = 0; index < 20; index += 1) write();
      // Streaming continues after the hand-over position.
      for await (const event of log.readChangesBetween(walker.position, at(log.now))) apply(event);
      expect([...consumer.entries()].sort((a, b) => a[0] - b[0])).toEqual(
        [...table.entries()].sort((a, b) => a[0] - b[0]),
      );
    }
  });
});

/** A small seeded generator, so a failing case can be replayed. */
function mulberry32(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Binlog decode speed for the sysbench row (id INT, k INT, c CHAR(120), pad CHAR(60)): change
 * events per second through the decoder and the change assembler (checksum check, table map,
 * row decoding to canonical values, transaction boundaries), on binlog bytes built in memory so
 * the figure is the decoder's alone. Two shapes: one large transaction (rows events of about
 * 8 KiB, as the server writes them) and one row per transaction (GTID, TABLE_MAP, rows, XID).
 *
 *   npx tsx packages/mysql-source/bench/decode-bench.ts [--rows 1000000] [--runs 5]
 *
 * Prints a table and one JSON line (`{"bulkRowsPerSecond": …}`); `measureDecode` is the entry
 * point for `npm run bench`.
 */
import type { ChangeEvent } from '@tidewater/change-events';
import {
  eventBytes,
  formatDescription,
  int32,
  query,
  rowImage,
  rowsEvent,
  shortString,
  sysbenchColumns,
  tableMap,
  xid,
} from '../src/binlog/binlog-fixtures';
import { ChangeAssembler } from '../src/binlog/change-assembler';
import { EventType } from '../src/binlog/constants';
import { BinlogEventDecoder } from '../src/binlog/event-decoder';
import { parseDdl } from '../src/binlog/ddl-parser';
import { SchemaState } from '../src/binlog/schema-history';

export interface DecodeFigures {
  rows: number;
  runs: number;
  /** Median rows per second, one large transaction. */
  bulkRowsPerSecond: number;
  /** Median rows per second, one row per transaction. */
  singleRowTransactionsPerSecond: number;
  /** Binlog bytes per row in the bulk shape. */
  bytesPerRow: number;
}

const ROWS_EVENT_TARGET_BYTES = 8192;

function sysbenchRow(id: number): Buffer {
  const c = `${String(id * 7919).padStart(11, '0')}-28773972837-60736120486-75162659906-27563526494-20381887404-41576422241-93426793964-56405065102-33518432330`;
  const pad = `${String(id).padStart(11, '0')}-48000963322-62604785301-91415491898-96926520291`;
  return rowImage([
    int32(id),
    int32((id * 31) % 100_000),
    shortString(c, 'latin1'),
    shortString(pad, 'latin1'),
  ]);
}

function schema(): SchemaState {
  const state = SchemaState.create({
    serverCharset: 'latin1',
    isCaseInsensitive: false,
    databases: { sbtest: 'latin1' },
  });
  return state.apply(
    parseDdl(
      'CREATE TABLE sbtest1 (id INT NOT NULL, k INT NOT NULL, c CHAR(120) NOT NULL, pad CHAR(60) NOT NULL, PRIMARY KEY (id)) DEFAULT CHARSET=latin1',
      'sbtest',
      { isMariadb: false },
    ).changes,
  ).state;
}

/** One transaction: BEGIN, a TABLE_MAP before each rows event (as the server writes it), XID. */
function bulkStream(rows: number): Buffer[] {
  const events: Buffer[] = [
    formatDescription('5.7.44-log', true),
    query('sbtest', 'BEGIN', { logPos: 100 }),
  ];
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let pos = 200;
  const flush = (): void => {
    events.push(
      tableMap(108, 'sbtest', 'sbtest1', sysbenchColumns(), Buffer.alloc(0), {
        logPos: (pos += 60),
      }),
    );
    events.push(
      rowsEvent(EventType.WRITE_ROWS_V2, 108, 4, pending, { logPos: (pos += pendingBytes + 40) }),
    );
    pending = [];
    pendingBytes = 0;
  };
  for (let id = 1; id <= rows; id += 1) {
    const row = sysbenchRow(id);
    pending.push(row);
    pendingBytes += row.length;
    if (pendingBytes >= ROWS_EVENT_TARGET_BYTES) flush();
  }
  if (pending.length > 0) flush();
  events.push(xid(1n, { logPos: pos + 31 }));
  return events;
}

/** One row per transaction, MySQL style: GTID, BEGIN, TABLE_MAP, WRITE_ROWS, XID. */
export function singleRowStream(rows: number): Buffer[] {
  const events: Buffer[] = [formatDescription('8.0.36', true)];
  const sid = Buffer.from('3e11fa4771ca11e19e33c80aa9429562', 'hex');
  let pos = 200;
  for (let id = 1; id <= rows; id += 1) {
    const gtid = Buffer.alloc(42);
    sid.copy(gtid, 1);
    gtid.writeBigInt64LE(BigInt(id), 17);
    events.push(eventBytes(EventType.GTID, gtid, { logPos: (pos += 65) }));
    events.push(query('sbtest', 'BEGIN', { logPos: (pos += 70) }));
    events.push(
      tableMap(108, 'sbtest', 'sbtest1', sysbenchColumns(), Buffer.alloc(0), {
        logPos: (pos += 60),
      }),
    );
    events.push(
      rowsEvent(EventType.WRITE_ROWS_V2, 108, 4, [sysbenchRow(id)], { logPos: (pos += 230) }),
    );
    events.push(xid(BigInt(id), { logPos: (pos += 31) }));
  }
  return events;
}

export async function decodeAll(
  events: Buffer[],
  flavour: 'mysql' | 'mariadb',
): Promise<{ rows: number; seconds: number }> {
  const decoder = new BinlogEventDecoder(true);
  const assembler = new ChangeAssembler(
    { isCaptured: () => true, readTable: async () => null, warn: () => undefined },
    { file: 'binlog.000001', pos: 4, gtidText: null, schema: schema(), flavour },
  );
  let rows = 0;
  const started = process.hrtime.bigint();
  for (const bytes of events) {
    const result = assembler.process(decoder.decode(bytes));
    const out: ChangeEvent[] = result instanceof Promise ? await result : result;
    for (const event of out) if (event.kind === 'insert') rows += event.rows.length;
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { rows, seconds };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

export async function measureDecode(
  options: { rows?: number; runs?: number } = {},
): Promise<DecodeFigures> {
  const rows = options.rows ?? 1_000_000;
  const runs = options.runs ?? 5;
  const bulk = bulkStream(rows);
  const single = singleRowStream(Math.min(rows, 200_000));
  const bytes = bulk.reduce((sum, event) => sum + event.length, 0);
  await decodeAll(bulk.slice(0, 2000), 'mysql'); // warm-up
  const bulkRates: number[] = [];
  const singleRates: number[] = [];
  for (let run = 0; run < runs; run += 1) {
    const b = await decodeAll(bulk, 'mysql');
    if (b.rows !== rows) throw new Error(`decoded ${b.rows} rows, expected ${rows}`);
    bulkRates.push(b.rows / b.seconds);
    const s = await decodeAll(single, 'mysql');
    singleRates.push(s.rows / s.seconds);
  }
  return {
    rows,
    runs,
    bulkRowsPerSecond: Math.round(median(bulkRates)),
    singleRowTransactionsPerSecond: Math.round(median(singleRates)),
    bytesPerRow: Math.round(bytes / rows),
  };
}

function argument(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  return index === -1 ? fallback : Number(process.argv[index + 1]);
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  const figures = await measureDecode({
    rows: argument('rows', 1_000_000),
    runs: argument('runs', 5),
  });
  const rss = Math.round(process.memoryUsage().rss / 1024 / 1024);
  process.stdout.write(
    [
      `binlog decode, sysbench row (${figures.rows} rows, median of ${figures.runs} runs, RSS ${rss} MB)`,
      `  one large transaction:     ${figures.bulkRowsPerSecond.toLocaleString('en-US')} rows/s (${figures.bytesPerRow} binlog bytes/row)`,
      `  one row per transaction:   ${figures.singleRowTransactionsPerSecond.toLocaleString('en-US')} rows/s`,
      JSON.stringify(figures),
      '',
    ].join('\n'),
  );
}

/**
 * MySQL 8 and MariaDB binlog features a replica must read: compressed transaction payloads,
 * partial JSON updates, tagged GTIDs, MariaDB's compressed events, and the format description
 * of a binlog file still being written. No such server runs here: the streams are built from
 * the documented layouts (binlog-fixtures.ts), and MariaDB's compression is also read from a real
 * server in test/binlog-compressed.test.ts.
 */
import type { ChangeEvent } from '@tidewater/change-events';
import * as zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  eventBytes,
  formatDescription,
  gtidEvent,
  gtidTagged,
  int32,
  jsonBinary,
  jsonColumn,
  jsonDiffVector,
  lengthEncoded,
  previousGtids,
  previousGtidsTagged,
  query,
  rowImage,
  rowsEvent,
  sharedImage,
  shortString,
  tableMap,
  transactionPayload,
  xid,
} from './binlog-fixtures';
import { ChangeAssembler, type AssemblerHooks } from './change-assembler';
import { ColumnType, EventType } from './constants';
import { parseDdl } from './ddl-parser';
import { BinlogEventDecoder } from './event-decoder';
import { SchemaState } from './schema-history';

const UUID = '3e11fa47-71ca-11e1-9e33-c80aa9429562';
const MYSQL8 = '8.0.36';
const MARIADB = '10.11.6-MariaDB-log';

type ZstdCompress = (data: Buffer) => Buffer;
const zstdCompress: ZstdCompress = (data) => zlib.zstdCompressSync(data);

function stateWith(...ddl: string[]): SchemaState {
  let state = SchemaState.create({
    serverCharset: 'utf8mb4',
    isCaseInsensitive: false,
    databases: { shop: 'utf8mb4' },
  });
  for (const sql of ddl)
    state = state.apply(parseDdl(sql, 'shop', { isMariadb: false }).changes).state;
  return state;
}

/** Decodes a stream as binlog-stream.ts does, a transaction payload's events one by one. */
async function run(
  stream: Buffer[],
  schema: SchemaState,
  flavour: 'mysql' | 'mariadb' = 'mysql',
  gtidText: string | null = null,
): Promise<ChangeEvent[]> {
  const hooks: AssemblerHooks = {
    isCaptured: () => true,
    readTable: async () => null,
    warn: () => undefined,
  };
  const assembler = new ChangeAssembler(hooks, {
    file: 'binlog.000007',
    pos: 4,
    gtidText,
    schema,
    flavour,
  });
  const decoder = new BinlogEventDecoder(true);
  const events: ChangeEvent[] = [];
  for (const bytes of stream) {
    const event = decoder.decode(bytes);
    if (event.type === 'transaction_payload') {
      for (const inner of decoder.embeddedEvents(event))
        events.push(...(await assembler.process(inner)));
    } else {
      events.push(...(await assembler.process(event)));
    }
  }
  return events;
}

const ORDERS = 'CREATE TABLE orders (id INT PRIMARY KEY, note VARCHAR(20))';
const ordersColumns = [
  { type: ColumnType.LONG, nullable: false },
  { type: ColumnType.VARCHAR, meta: [80, 0] },
];

/** BEGIN, a TABLE_MAP and an insert of (id, note), XID: the events a payload encloses. */
function orderTransaction(id: number, note: string, checksum: boolean): Buffer[] {
  const c = { checksum, logPos: 0 };
  return [
    query('shop', 'BEGIN', c),
    tableMap(90, 'shop', 'orders', ordersColumns, Buffer.alloc(0), c),
    rowsEvent(EventType.WRITE_ROWS_V2, 90, 2, [rowImage([int32(id), shortString(note)])], c),
    xid(41n, c),
  ];
}

describe('MySQL 8 compressed transactions (binlog_transaction_compression)', () => {
  it('reads the events of an uncompressed TRANSACTION_PAYLOAD, committing at the payload end', async () => {
    const events = await run(
      [
        formatDescription(MYSQL8, true),
        previousGtids([{ uuid: UUID, intervals: [[1, 6]] }], { logPos: 200 }),
        gtidEvent(UUID, 6, { logPos: 279 }),
        transactionPayload(orderTransaction(1, 'first', false), 'none', { logPos: 512 }),
      ],
      stateWith(ORDERS),
    );
    expect(events.map((e) => e.kind)).toEqual(['begin', 'insert', 'commit']);
    expect(events[1]).toMatchObject({ rows: [['1', 'first']], gtid: `${UUID}:6` });
    expect(events[2]!.position).toEqual({
      file: 'binlog.000007',
      pos: 512,
      gtidSet: `${UUID}:1-6`,
    });
  });

  it('decompresses a zstd TRANSACTION_PAYLOAD, from stored blocks and from a real compressor', async () => {
    const stream = (compress?: ZstdCompress): Buffer[] => [
      formatDescription(MYSQL8, true),
      gtidEvent(UUID, 6, { logPos: 279 }),
      transactionPayload(orderTransaction(2, 'zstd', false), 'zstd', {
        logPos: 480,
        ...(compress ? { compress } : {}),
      }),
    ];
    // A frame of stored blocks (built from RFC 8878) and one from a real compressor.
    for (const compress of [undefined, zstdCompress]) {
      const events = await run(stream(compress), stateWith(ORDERS));
      expect(events.map((e) => e.kind)).toEqual(['begin', 'insert', 'commit']);
      expect(events[1]).toMatchObject({ rows: [['2', 'zstd']] });
      expect(events[2]!.position?.pos).toBe(480);
    }
  });

  it('refuses a payload whose events do not fill it exactly', async () => {
    const events = orderTransaction(1, 'x', false);
    const truncated = Buffer.concat(events).subarray(0, -3);
    await expect(
      run(
        [formatDescription(MYSQL8, true), transactionPayload([truncated], 'none', { logPos: 300 })],
        stateWith(ORDERS),
      ),
    ).rejects.toMatchObject({ code: 'BINLOG_EVENT_MALFORMED' });
  });
});

describe('MySQL 8 partial JSON updates (binlog_row_value_options=PARTIAL_JSON)', () => {
  const DOCS = 'CREATE TABLE docs (id INT PRIMARY KEY, doc JSON, meta JSON, note VARCHAR(20))';
  const docsColumns = [
    { type: ColumnType.LONG, nullable: false },
    { type: ColumnType.JSON, meta: [4] },
    { type: ColumnType.JSON, meta: [4] },
    { type: ColumnType.VARCHAR, meta: [80, 0] },
  ];
  const before = { a: 1, b: [1, 2, 3], c: 'x', 'key with space': true };

  function partialUpdate(rows: Buffer[]): Buffer[] {
    return [
      formatDescription(MYSQL8, true),
      query('shop', 'BEGIN', { logPos: 100 }),
      tableMap(91, 'shop', 'docs', docsColumns, Buffer.alloc(0), { logPos: 200 }),
      rowsEvent(EventType.PARTIAL_UPDATE_ROWS, 91, 4, rows, { logPos: 300 }),
      xid(5n, { logPos: 400 }),
    ];
  }

  it('applies the JSON diffs of the after image to the before image', async () => {
    const diff = jsonDiffVector([
      { operation: 'replace', path: '$.a', value: jsonBinary(2) },
      { operation: 'insert', path: '$.d', value: jsonBinary({ nested: [null] }) },
      { operation: 'remove', path: '$.b[0]' },
      { operation: 'insert', path: '$.b[last]', value: jsonBinary('two and a half') },
      { operation: 'replace', path: '$."key with space"', value: jsonBinary(false) },
    ]);
    const row = Buffer.concat([
      rowImage([int32(7), jsonColumn(jsonBinary(before)), jsonColumn(jsonBinary([1])), null]),
      // doc is a diff, meta a full value.
      sharedImage([true, false]),
      rowImage([int32(7), diff, jsonColumn(jsonBinary({ full: 'value' })), shortString('n')]),
    ]);
    const events = await run(partialUpdate([row]), stateWith(DOCS));
    expect(events.map((e) => e.kind)).toEqual(['begin', 'update', 'commit']);
    const update = events[1]!;
    expect(update.kind === 'update' && update.rows).toEqual([
      {
        before: ['7', '{"a": 1, "b": [1, 2, 3], "c": "x", "key with space": true}', '[1]', null],
        after: [
          '7',
          '{"a": 2, "b": [2, "two and a half", 3], "c": "x", "d": {"nested": [null]}, "key with space": false}',
          '{"full": "value"}',
          'n',
        ],
      },
    ]);
  });

  it('reads rows without diffs (value_options 0) in the same event', async () => {
    const rows = [1, 2].map((id) =>
      Buffer.concat([
        rowImage([int32(id), jsonColumn(jsonBinary(before)), null, null]),
        sharedImage(null),
        rowImage([int32(id), jsonColumn(jsonBinary({ id })), null, null]),
      ]),
    );
    const events = await run(partialUpdate(rows), stateWith(DOCS));
    const update = events[1]!;
    expect(update.kind === 'update' && update.rows.map((pair) => pair.after[1])).toEqual([
      '{"id": 1}',
      '{"id": 2}',
    ]);
  });

  it('fails, naming the table, when a diff does not fit the before image', async () => {
    const row = Buffer.concat([
      rowImage([int32(7), jsonColumn(jsonBinary(before)), null, null]),
      sharedImage([true, false]),
      rowImage([
        int32(7),
        jsonDiffVector([{ operation: 'replace', path: '$.missing', value: jsonBinary(1) }]),
        null,
        null,
      ]),
    ]);
    await expect(run(partialUpdate([row]), stateWith(DOCS))).rejects.toMatchObject({
      code: 'BINLOG_EVENT_MALFORMED',
      message: expect.stringContaining('shop.docs'),
    });
  });
});

describe('MySQL 8.3+ tagged GTIDs', () => {
  it('decodes a GTID_TAGGED_LOG_EVENT to uuid:tag:gno', () => {
    const decoder = new BinlogEventDecoder(true);
    decoder.decode(formatDescription('8.4.3', true));
    // A GNO past 2^40 takes several variable-length bytes; UUID bytes >= 0x80 take two each.
    const gno = 2n ** 40n + 5n;
    expect(decoder.decode(gtidTagged(UUID, 'Orders_2', gno, { logPos: 300 }))).toMatchObject({
      type: 'mysql_gtid',
      sid: `${UUID}:orders_2`,
      gno,
      gtid: `${UUID}:orders_2:${gno}`,
    });
  });

  it('tracks tagged and untagged GTIDs of the same server in one GTID set', async () => {
    const events = await run(
      [
        formatDescription('8.4.3', true),
        previousGtidsTagged(
          [
            { uuid: UUID, tag: '', intervals: [[1, 6]] },
            { uuid: UUID, tag: 'orders', intervals: [[1, 3]] },
          ],
          { logPos: 200 },
        ),
        gtidTagged(UUID, 'orders', 3n, { logPos: 300 }),
        ...orderTransaction(1, 'tagged', true).map((event, i) => {
          event.writeUInt32LE(400 + i * 100, 13);
          event.writeUInt32LE(zlib.crc32(event.subarray(0, -4)), event.length - 4);
          return event;
        }),
        gtidEvent(UUID, 6, { logPos: 900 }),
        query('shop', 'CREATE TABLE more (a INT)', { logPos: 1000 }),
      ],
      stateWith(ORDERS),
    );
    expect(events.map((e) => [e.kind, e.gtid, e.position?.gtidSet])).toEqual([
      ['begin', `${UUID}:orders:3`, `${UUID}:1-5:orders:1-3`],
      ['insert', `${UUID}:orders:3`, `${UUID}:1-5:orders:1-3`],
      ['commit', `${UUID}:orders:3`, `${UUID}:1-5:orders:1-3`],
      ['ddl', `${UUID}:6`, `${UUID}:1-6:orders:1-3`],
    ]);
  });
});

describe('binlog files of a running server', () => {
  it('accepts a format description marked in use, whose checksum is computed without the flag', async () => {
    const decoder = new BinlogEventDecoder(true);
    const event = decoder.decode(formatDescription(MYSQL8, true, { isInUse: true }));
    expect(event).toMatchObject({ type: 'format_description', header: { flags: 1 } });
    const mariadb = new BinlogEventDecoder(true);
    expect(mariadb.decode(formatDescription(MARIADB, true, { isInUse: true })).type).toBe(
      'format_description',
    );
  });

  it('still refuses a corrupted format description', async () => {
    const bytes = formatDescription(MYSQL8, true, { isInUse: true });
    bytes[30]! ^= 0xff;
    expect(() => new BinlogEventDecoder(true).decode(bytes)).toThrow(
      expect.objectContaining({ code: 'BINLOG_CHECKSUM_MISMATCH' }),
    );
  });
});

describe('MariaDB compressed events (log_bin_compress)', () => {
  it('decodes QUERY_COMPRESSED and the compressed rows events of v1 and v2', async () => {
    const c = (logPos: number) => ({ logPos });
    const events = await run(
      [
        formatDescription(MARIADB, true),
        query('shop', ORDERS, { ...c(100), isCompressed: true }),
        query('shop', 'BEGIN', { ...c(200), isCompressed: true }),
        tableMap(92, 'shop', 'orders', ordersColumns, Buffer.alloc(0), c(300)),
        rowsEvent(
          EventType.WRITE_ROWS_COMPRESSED_V1,
          92,
          2,
          [rowImage([int32(1), shortString('ä'.repeat(10))]), rowImage([int32(2), null])],
          c(400),
        ),
        rowsEvent(
          EventType.UPDATE_ROWS_COMPRESSED_V2,
          92,
          2,
          [rowImage([int32(2), null]), rowImage([int32(2), shortString('set')])],
          c(500),
        ),
        rowsEvent(
          EventType.DELETE_ROWS_COMPRESSED_V1,
          92,
          2,
          [rowImage([int32(1), shortString('ä'.repeat(10))])],
          c(600),
        ),
        query('shop', 'COMMIT', { ...c(700), isCompressed: true }),
      ],
      stateWith(),
      'mariadb',
    );
    expect(events.map((e) => e.kind)).toEqual([
      'ddl',
      'begin',
      'insert',
      'update',
      'delete',
      'commit',
    ]);
    expect(events[0]).toMatchObject({ kind: 'ddl', sql: ORDERS, table: 'orders' });
    expect(events[2]).toMatchObject({
      rows: [
        ['1', 'ä'.repeat(10)],
        ['2', null],
      ],
    });
    expect(events[3]).toMatchObject({ rows: [{ before: ['2', null], after: ['2', 'set'] }] });
    expect(events[4]).toMatchObject({ rows: [['1', 'ä'.repeat(10)]] });
  });

  it('refuses a compressed block whose length does not match its header', async () => {
    const event = query('shop', 'BEGIN', { logPos: 200, isCompressed: true });
    // The declared length (one byte after the 0x81 header) no longer matches the data.
    const header = event.indexOf(0x81, 19 + 13);
    event[header + 1] = 9;
    event.writeUInt32LE(zlib.crc32(event.subarray(0, -4)), event.length - 4);
    await expect(
      run([formatDescription(MARIADB, true), event], stateWith(), 'mariadb'),
    ).rejects.toMatchObject({ code: 'BINLOG_EVENT_MALFORMED' });
  });
});

describe('event types still refused', () => {
  it('names an unknown compression algorithm of a payload', async () => {
    const inner = Buffer.concat(orderTransaction(1, 'x', false));
    const size = lengthEncoded(inner.length);
    // Compression type 7 (only 0 = ZSTD and 255 = NONE exist), payload size, end mark.
    const body = Buffer.concat([
      Buffer.from([2, 1, 7, 1]),
      lengthEncoded(size.length),
      size,
      Buffer.from([0]),
      inner,
    ]);
    const payload = eventBytes(EventType.TRANSACTION_PAYLOAD, body, { logPos: 300 });
    await expect(
      run([formatDescription(MYSQL8, true), payload], stateWith(ORDERS)),
    ).rejects.toMatchObject({ code: 'BINLOG_EVENT_UNSUPPORTED' });
  });
});

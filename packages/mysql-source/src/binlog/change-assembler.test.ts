import type { ChangeEvent } from '@tidewater/change-events';
import { describe, expect, it } from 'vitest';
import {
  decimalBytes,
  eventBytes,
  formatDescription,
  int32,
  lengthEncoded,
  query,
  rotate,
  rowImage,
  rowsEvent,
  rowsQuery,
  shortString,
  sysbenchColumns,
  tableMap,
  uint32,
  xid,
} from './binlog-fixtures';
import {
  ChangeAssembler,
  MAX_LAYOUTS,
  MAX_RECENT_TABLE_MAPS,
  type AssemblerHooks,
} from './change-assembler';
import { ColumnType, EventType, LOG_EVENT_ARTIFICIAL_F } from './constants';
import { BinlogEventDecoder, MAX_DECODED_TABLE_MAPS } from './event-decoder';
import { parseDdl } from './ddl-parser';
import { SchemaState, type TrackedTable } from './schema-history';

const POLARDBX_VERSION = '5.6.29-TDDL-5.4.19-20240927';

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

interface Run {
  events: ChangeEvent[];
  warnings: string[];
  assembler: ChangeAssembler;
  decoder: BinlogEventDecoder;
}

async function run(
  stream: Buffer[],
  schema: SchemaState,
  options: {
    checksum?: boolean;
    readTable?: AssemblerHooks['readTable'];
    isCaptured?: AssemblerHooks['isCaptured'];
    flavour?: 'mysql' | 'polardbx' | 'mariadb';
    requiresFullRowImage?: AssemblerHooks['requiresFullRowImage'];
  } = {},
): Promise<Run> {
  const warnings: string[] = [];
  const hooks: AssemblerHooks = {
    isCaptured: options.isCaptured ?? (() => true),
    readTable: options.readTable ?? (async () => null),
    warn: (code) => warnings.push(code),
    ...(options.requiresFullRowImage ? { requiresFullRowImage: options.requiresFullRowImage } : {}),
  };
  const assembler = new ChangeAssembler(hooks, {
    file: 'group1_stream_0_binlog.000004',
    pos: 4,
    gtidText: null,
    schema,
    flavour: options.flavour ?? 'polardbx',
  });
  const decoder = new BinlogEventDecoder(options.checksum ?? true);
  const events: ChangeEvent[] = [];
  for (const bytes of stream) {
    events.push(...(await assembler.process(decoder.decode(bytes))));
  }
  return { events, warnings, assembler, decoder };
}

/** A PolarDB-X global binlog: no GTID events, CTS rows-query events, multi-stream file names. */
function polardbxStream(checksum: boolean, rowsType: number = EventType.WRITE_ROWS_V2): Buffer[] {
  const c = { checksum };
  const orders = [
    { type: ColumnType.VARCHAR, meta: [80, 0] },
    { type: ColumnType.NEWDECIMAL, meta: [10, 2] },
  ];
  return [
    rotate('group1_stream_0_binlog.000005', 4, { ...c, flags: LOG_EVENT_ARTIFICIAL_F }),
    formatDescription(POLARDBX_VERSION, checksum, { logPos: 0 }),
    // A CTS marker with no rows after it, outside any transaction.
    rowsQuery('CTS::701142316318740070417154224758398935050000000000000000', { ...c, logPos: 200 }),
    query('shop', 'BEGIN', { ...c, logPos: 300 }),
    rowsQuery('CTS::701142316318740070417154224758398935060000000000000000', { ...c, logPos: 400 }),
    tableMap(70, 'shop', 'orders', orders, Buffer.alloc(0), { ...c, logPos: 500 }),
    rowsEvent(
      rowsType,
      70,
      2,
      [
        rowImage([shortString('书'), decimalBytes('-12.34', 10, 2)]),
        rowImage([null, decimalBytes('0.50', 10, 2)]),
      ],
      {
        ...c,
        logPos: 600,
      },
    ),
    xid(77n, { ...c, logPos: 631 }),
    query(
      'shop',
      '/*POLARX_ORIGIN_SQL=ALTER TABLE orders ADD COLUMN qty INT UNSIGNED*/ /*TSO=7011423*/ ALTER TABLE orders ADD COLUMN qty INT UNSIGNED',
      {
        ...c,
        logPos: 800,
      },
    ),
    query('shop', 'BEGIN', { ...c, logPos: 900 }),
    tableMap(71, 'shop', 'orders', [...orders, { type: ColumnType.LONG }], Buffer.alloc(0), {
      ...c,
      logPos: 1000,
    }),
    rowsEvent(
      rowsType,
      71,
      3,
      [rowImage([shortString('x'), decimalBytes('1.00', 10, 2), uint32(4294967295)])],
      { ...c, logPos: 1100 },
    ),
    xid(78n, { ...c, logPos: 1131 }),
  ];
}

describe('ChangeAssembler on a PolarDB-X stream', () => {
  // A keyless table: PolarDB-X's hidden _drds_implicit_id_ is in neither the schema nor the row images.
  const schema = stateWith('CREATE TABLE orders (name VARCHAR(20), amount DECIMAL(10,2))');

  for (const checksum of [true, false]) {
    it(`decodes transactions without GTIDs, tolerating CTS events (checksum ${checksum ? 'CRC32' : 'NONE'})`, async () => {
      const { events, warnings } = await run(polardbxStream(checksum), schema, { checksum });
      expect(warnings).toEqual([]);
      expect(events.map((e) => e.kind)).toEqual([
        'begin',
        'insert',
        'commit',
        'ddl',
        'begin',
        'insert',
        'commit',
      ]);
      const insert = events[1]!;
      if (insert.kind !== 'insert') throw new Error('expected insert');
      expect(insert.rows).toEqual([
        ['书', '-12.34'],
        [null, '0.50'],
      ]);
      expect(insert.schema.primaryKey).toEqual([]);
      expect(events[2]).toMatchObject({
        kind: 'commit',
        xid: '77',
        position: { file: 'group1_stream_0_binlog.000005', pos: 631, gtidSet: null },
        gtid: null,
      });
      expect(events[3]).toMatchObject({
        kind: 'ddl',
        ddlKind: 'ALTER',
        database: 'shop',
        table: 'orders',
        isParsed: true,
      });
      const after = events[5]!;
      if (after.kind !== 'insert') throw new Error('expected insert');
      expect(after.rows).toEqual([['x', '1.00', '4294967295']]);
      expect(after.schema.columns.map((c) => c.name)).toEqual(['name', 'amount', 'qty']);
    });
  }

  it('decodes v1 rows events the same way', async () => {
    const { events } = await run(polardbxStream(true, EventType.WRITE_ROWS_V1), schema);
    expect(events.map((e) => e.kind)).toEqual([
      'begin',
      'insert',
      'commit',
      'ddl',
      'begin',
      'insert',
      'commit',
    ]);
  });

  it('gives commits and DDL checkpoints carrying the schema of their moment', async () => {
    const { events, assembler } = await run(polardbxStream(true), schema);
    const first = assembler.checkpointOf(events[2]!)!;
    const last = assembler.checkpointOf(events[6]!)!;
    expect(first.schema.getTable('shop', 'orders')!.schema.columns).toHaveLength(2);
    expect(last.schema.getTable('shop', 'orders')!.schema.columns).toHaveLength(3);
    expect(assembler.checkpointOf(events[1]!)).toBeNull();
  });
});

describe('ChangeAssembler values and faults', () => {
  it('rejects an event whose checksum does not match', async () => {
    const stream = polardbxStream(true);
    const corrupt = Buffer.from(stream[6]!);
    corrupt[30]! ^= 0xff;
    stream[6] = corrupt;
    await expect(
      run(stream, stateWith('CREATE TABLE orders (name VARCHAR(20), amount DECIMAL(10,2))')),
    ).rejects.toMatchObject({
      code: 'BINLOG_CHECKSUM_MISMATCH',
      isRetryable: true,
    });
  });

  it('fails clearly on an INCIDENT event', async () => {
    const body = Buffer.concat([Buffer.from([1, 0, 11]), Buffer.from('LOST_EVENTS')]);
    await expect(
      run(
        [formatDescription('8.0.36', true), eventBytes(EventType.INCIDENT, body, { logPos: 300 })],
        stateWith(),
        { flavour: 'mysql' },
      ),
    ).rejects.toMatchObject({ code: 'BINLOG_INCIDENT' });
  });

  it('decodes integers of every width signed and unsigned, by the tracked schema', async () => {
    const schema = stateWith(
      'CREATE TABLE ints (a TINYINT, b TINYINT UNSIGNED, c SMALLINT, d MEDIUMINT, e MEDIUMINT UNSIGNED, f INT, g BIGINT, h BIGINT UNSIGNED, i BIGINT)',
    );
    const values = [
      Buffer.from([0x80]),
      Buffer.from([0xff]),
      Buffer.from([0x00, 0x80]),
      Buffer.from([0x00, 0x00, 0x80]),
      Buffer.from([0xff, 0xff, 0xff]),
      int32(-2147483648),
      Buffer.from('0000000000000080', 'hex'),
      Buffer.from('ffffffffffffffff', 'hex'),
      Buffer.from('feffffffffffffff', 'hex'),
    ];
    const types = [
      ColumnType.TINY,
      ColumnType.TINY,
      ColumnType.SHORT,
      ColumnType.INT24,
      ColumnType.INT24,
      ColumnType.LONG,
      ColumnType.LONGLONG,
      ColumnType.LONGLONG,
      ColumnType.LONGLONG,
    ].map((type) => ({ type }));
    const { events } = await run(
      [
        formatDescription('5.7.44-log', true),
        query('shop', 'BEGIN', { logPos: 100 }),
        tableMap(5, 'shop', 'ints', types, Buffer.alloc(0), { logPos: 200 }),
        rowsEvent(EventType.WRITE_ROWS_V2, 5, 9, [rowImage(values)], { logPos: 300 }),
        xid(1n, { logPos: 400 }),
      ],
      schema,
      { flavour: 'mysql' },
    );
    expect(events[1]).toMatchObject({
      kind: 'insert',
      rows: [
        [
          '-128',
          '255',
          '-32768',
          '-8388608',
          '16777215',
          '-2147483648',
          '-9223372036854775808',
          '18446744073709551615',
          '-2',
        ],
      ],
    });
  });

  it('pads BINARY to its length and decodes latin1 (cp1252) and gbk text by the schema', async () => {
    const schema = stateWith(
      'CREATE TABLE s (b BINARY(4), l VARCHAR(5) CHARACTER SET latin1, g CHAR(4) CHARACTER SET gbk)',
    );
    const { events } = await run(
      [
        formatDescription('5.7.44-log', true),
        query('shop', 'BEGIN', { logPos: 100 }),
        tableMap(
          6,
          'shop',
          's',
          [
            { type: ColumnType.STRING, meta: [ColumnType.STRING, 4] },
            { type: ColumnType.VARCHAR, meta: [5, 0] },
            { type: ColumnType.STRING, meta: [ColumnType.STRING, 8] },
          ],
          Buffer.alloc(0),
          { logPos: 200 },
        ),
        rowsEvent(
          EventType.WRITE_ROWS_V2,
          6,
          3,
          [
            rowImage([
              Buffer.from([1, 0x61]),
              Buffer.from([3, 0xe9, 0x80, 0x41]),
              Buffer.concat([Buffer.from([4]), Buffer.from('c4e3bac3', 'hex')]),
            ]),
          ],
          { logPos: 300 },
        ),
        xid(1n, { logPos: 400 }),
      ],
      schema,
      { flavour: 'mysql' },
    );
    const insert = events[1]!;
    if (insert.kind !== 'insert') throw new Error('expected insert');
    expect(insert.rows[0]![0]).toEqual(Buffer.from([0x61, 0, 0, 0]));
    expect(insert.rows[0]!.slice(1)).toEqual(['é€A', '你好']);
  });

  it('reads a table from the source when the history does not fit a MINIMAL-metadata event', async () => {
    const schema = stateWith('CREATE TABLE t (a INT)');
    const reread: TrackedTable = stateWith('CREATE TABLE t (a INT, b INT UNSIGNED)').getTable(
      'shop',
      't',
    )!;
    const { events, warnings } = await run(
      [
        formatDescription('5.7.44-log', true),
        query('shop', 'BEGIN', { logPos: 100 }),
        tableMap(
          7,
          'shop',
          't',
          [{ type: ColumnType.LONG }, { type: ColumnType.LONG }],
          Buffer.alloc(0),
          { logPos: 200 },
        ),
        rowsEvent(EventType.WRITE_ROWS_V2, 7, 2, [rowImage([int32(1), int32(-1)])], {
          logPos: 300,
        }),
        xid(1n, { logPos: 400 }),
      ],
      schema,
      { flavour: 'mysql', readTable: async () => reread },
    );
    expect(warnings).toEqual(['BINLOG_SCHEMA_REREAD']);
    expect(events[1]).toMatchObject({ kind: 'insert', rows: [['1', '4294967295']] });
  });

  it('takes names and signedness from FULL metadata when the history does not fit', async () => {
    const schema = stateWith('CREATE TABLE t (a INT)');
    const optional = Buffer.concat([
      Buffer.from([1]), // SIGNEDNESS: one bit per numeric column, MSB first
      lengthEncoded(1),
      Buffer.from([0b01000000]),
      Buffer.from([4]), // COLUMN_NAME
      lengthEncoded(4),
      Buffer.from([1, 0x61, 1, 0x62]),
    ]);
    const { events, warnings } = await run(
      [
        formatDescription('8.0.36', true),
        query('shop', 'BEGIN', { logPos: 100 }),
        tableMap(8, 'shop', 't', [{ type: ColumnType.LONG }, { type: ColumnType.LONG }], optional, {
          logPos: 200,
        }),
        rowsEvent(EventType.WRITE_ROWS_V2, 8, 2, [rowImage([int32(-1), int32(-1)])], {
          logPos: 300,
        }),
        xid(1n, { logPos: 400 }),
      ],
      schema,
      { flavour: 'mysql' },
    );
    expect(warnings).toEqual(['BINLOG_SCHEMA_REREAD']);
    const insert = events[1]!;
    if (insert.kind !== 'insert') throw new Error('expected insert');
    expect(insert.rows).toEqual([['-1', '4294967295']]);
    expect(insert.schema.columns.map((c) => c.name)).toEqual(['a', 'b']);
  });

  describe('bounded memory', () => {
    const columns = [{ type: ColumnType.LONG }, { type: ColumnType.LONG }];
    /** One transaction inserting (id, id * 2) into `table` under a table id of its own. */
    const transaction = (table: string, tableId: number, id: number, logPos: number): Buffer[] => [
      query('shop', 'BEGIN', { logPos }),
      tableMap(tableId, 'shop', table, columns, Buffer.alloc(0), { logPos: logPos + 10 }),
      rowsEvent(EventType.WRITE_ROWS_V2, tableId, 2, [rowImage([int32(id), int32(id * 2)])], {
        logPos: logPos + 20,
      }),
      xid(BigInt(id), { logPos: logPos + 30 }),
    ];

    it('keeps a bounded number of table maps while table ids churn, and decodes every row', async () => {
      const count = 20_000;
      const stream = [formatDescription('8.0.36', true)];
      // A fresh table id per transaction: what a server does when its table cache churns.
      for (let i = 1; i <= count; i += 1) stream.push(...transaction('t', 1_000 + i, i, i * 100));
      const { events, assembler, decoder } = await run(
        stream,
        stateWith('CREATE TABLE t (a INT PRIMARY KEY, b INT)'),
        { flavour: 'mysql' },
      );
      const inserts = events.filter((event) => event.kind === 'insert');
      expect(inserts).toHaveLength(count);
      expect(inserts.map((event) => event.rows[0])).toEqual(
        Array.from({ length: count }, (_, index) => [String(index + 1), String((index + 1) * 2)]),
      );
      expect(assembler.cachedTableMaps).toBeLessThanOrEqual(MAX_RECENT_TABLE_MAPS);
      expect(decoder.cachedTableMaps).toBeLessThanOrEqual(MAX_DECODED_TABLE_MAPS);
    });

    it('keeps a bounded number of row layouts while tables come and go', async () => {
      const count = 6_000;
      const stream = [formatDescription('8.0.36', true)];
      for (let i = 1; i <= count; i += 1) {
        const table = `scratch_${i}`;
        stream.push(
          query('shop', `CREATE TABLE ${table} (a INT PRIMARY KEY, b INT)`, { logPos: i * 100 }),
        );
        stream.push(...transaction(table, i, i, i * 100 + 40));
        stream.push(query('shop', `DROP TABLE ${table}`, { logPos: i * 100 + 80 }));
      }
      const { events, assembler } = await run(stream, stateWith(), { flavour: 'mysql' });
      const inserts = events.filter((event) => event.kind === 'insert');
      expect(inserts).toHaveLength(count);
      expect(inserts.at(-1)).toMatchObject({
        schema: { table: `scratch_${count}` },
        rows: [[String(count), String(count * 2)]],
      });
      expect(assembler.cachedLayouts).toBeLessThanOrEqual(MAX_LAYOUTS);
      expect(assembler.cachedTableMaps).toBeLessThanOrEqual(MAX_RECENT_TABLE_MAPS);
    });

    it('keeps every table map of an open transaction, however many', async () => {
      const tables = MAX_RECENT_TABLE_MAPS + 50;
      const stream = [formatDescription('8.0.36', true), query('shop', 'BEGIN', { logPos: 100 })];
      // Every table map first, then the rows events that refer back to them.
      for (let i = 1; i <= tables; i += 1) {
        stream.push(tableMap(i, 'shop', 't', columns, Buffer.alloc(0), { logPos: 100 + i }));
      }
      for (let i = 1; i <= tables; i += 1) {
        stream.push(
          rowsEvent(EventType.WRITE_ROWS_V2, i, 2, [rowImage([int32(i), int32(i * 2)])], {
            logPos: 100 + tables + i,
          }),
        );
      }
      stream.push(xid(1n, { logPos: 100 + 3 * tables }));
      const { events, assembler } = await run(
        stream,
        stateWith('CREATE TABLE t (a INT PRIMARY KEY, b INT)'),
        { flavour: 'mysql' },
      );
      expect(events.filter((event) => event.kind === 'insert')).toHaveLength(tables);
      expect(assembler.cachedTableMaps).toBeLessThanOrEqual(MAX_RECENT_TABLE_MAPS);
    });
  });

  describe('a partial row image (binlog_row_image MINIMAL or NOBLOB)', () => {
    const partialDelete = (): Buffer[] => [
      formatDescription('8.0.36', true),
      query('shop', 'BEGIN', { logPos: 100 }),
      tableMap(
        9,
        'shop',
        't',
        [{ type: ColumnType.LONG }, { type: ColumnType.LONG }, { type: ColumnType.LONG }],
        Buffer.alloc(0),
        { logPos: 200 },
      ),
      // Column b is absent from the image: no NULL bit, no value.
      rowsEvent(
        EventType.DELETE_ROWS_V2,
        9,
        3,
        [rowImage([int32(1), int32(3)]), rowImage([int32(2), int32(4)])],
        { logPos: 300, present: Buffer.from([0b101]) },
      ),
      xid(1n, { logPos: 400 }),
    ];

    it('fails the stream, naming the table and the missing columns, instead of giving NULL', async () => {
      const schema = stateWith('CREATE TABLE t (a INT PRIMARY KEY, b INT, c INT)');
      await expect(run(partialDelete(), schema, { flavour: 'mysql' })).rejects.toMatchObject({
        code: 'BINLOG_PARTIAL_ROW_IMAGE',
        isRetryable: false,
        message: expect.stringMatching(
          /DELETE of shop\.t .*without columns b from the deleted row/,
        ),
        details: { database: 'shop', table: 't', rowsKind: 'delete', missing: ['b'] },
      });
    });

    it('leaves the rows out, and keeps the transaction, for a table that need not be whole', async () => {
      const schema = stateWith('CREATE TABLE t (a INT PRIMARY KEY, b INT, c INT)');
      const { events } = await run(partialDelete(), schema, {
        flavour: 'mysql',
        requiresFullRowImage: () => false,
      });
      expect(events.map((event) => event.kind)).toEqual(['begin', 'commit']);
    });
  });

  it('tracks MySQL GTIDs through a transaction and a DDL, hiding empty transactions', async () => {
    const sid = Buffer.from('3e11fa4771ca11e19e33c80aa9429562', 'hex');
    const gtid = (gno: number, logPos: number): Buffer => {
      const body = Buffer.alloc(42);
      sid.copy(body, 1);
      body.writeBigInt64LE(BigInt(gno), 17);
      return eventBytes(EventType.GTID, body, { logPos });
    };
    const { events } = await run(
      [
        formatDescription('8.0.36', true),
        gtid(6, 100),
        query('shop', 'BEGIN', { logPos: 150 }),
        xid(9n, { logPos: 200 }),
        gtid(7, 250),
        query('shop', 'CREATE TABLE n (a INT)', { logPos: 300 }),
      ],
      stateWith(),
      { flavour: 'mysql' },
    );
    const uuid = '3e11fa47-71ca-11e1-9e33-c80aa9429562';
    // The first transaction touches no captured table: a heartbeat checkpoint stands for it.
    expect(events.map((e) => [e.kind, e.gtid, e.position?.gtidSet])).toEqual([
      ['heartbeat', null, `${uuid}:6`],
      ['ddl', `${uuid}:7`, `${uuid}:6-7`],
    ]);
  });

  it('decodes a MySQL 8 heartbeat v2 with its position', async () => {
    const decoder = new BinlogEventDecoder(true);
    decoder.decode(formatDescription('8.0.36', true));
    const name = Buffer.from('binlog.000041');
    const body = Buffer.concat([
      Buffer.from([1, name.length]),
      name,
      Buffer.from([2, 4, 0xfd, 0x15, 0xcd, 0x5b]),
      Buffer.from([0]),
    ]);
    expect(decoder.decode(eventBytes(EventType.HEARTBEAT_V2, body, { logPos: 0 }))).toMatchObject({
      type: 'heartbeat',
      file: 'binlog.000041',
      position: 0x5bcd15,
    });
  });

  it('decodes the sysbench row', async () => {
    const schema = stateWith(
      'CREATE TABLE sbtest1 (id INT NOT NULL, k INT NOT NULL, c CHAR(120) NOT NULL, pad CHAR(60) NOT NULL, PRIMARY KEY (id)) DEFAULT CHARSET=latin1',
    );
    const c =
      '83868641912-28773972837-60736120486-75162659906-27563526494-20381887404-41576422241-93426793964-56405065102-33518432330';
    const pad = '67847967377-48000963322-62604785301-91415491898-96926520291';
    const { events } = await run(
      [
        formatDescription('5.7.44-log', true),
        query('shop', 'BEGIN', { logPos: 100 }),
        tableMap(10, 'shop', 'sbtest1', sysbenchColumns(), Buffer.alloc(0), { logPos: 200 }),
        rowsEvent(
          EventType.WRITE_ROWS_V2,
          10,
          4,
          [rowImage([int32(1), int32(4993), shortString(c), shortString(pad)])],
          { logPos: 300 },
        ),
        xid(1n, { logPos: 400 }),
      ],
      schema,
      { flavour: 'mysql' },
    );
    expect(events[1]).toMatchObject({ kind: 'insert', rows: [['1', '4993', c, pad]] });
  });
});

describe('schema history scope', () => {
  it('keeps the tables of captured databases only, and reads a table moved in from elsewhere', async () => {
    const schema = stateWith('CREATE TABLE orders (name VARCHAR(20), amount DECIMAL(10,2))');
    const c = { checksum: true };
    const stream = [
      formatDescription('8.0.36', true, { logPos: 0 }),
      query('other', 'CREATE TABLE t1 (a INT)', { ...c, logPos: 300 }),
      query('other', 'CREATE DATABASE more', { ...c, logPos: 400 }),
      query('shop', 'CREATE TABLE items (a INT)', { ...c, logPos: 500 }),
      query('other', 'RENAME TABLE other.t1 TO shop.moved', { ...c, logPos: 600 }),
    ];
    const reads: string[] = [];
    const { assembler } = await run(stream, schema, {
      flavour: 'mysql',
      isCaptured: (database) => database === 'shop',
      readTable: async (database, table) => {
        reads.push(`${database}.${table}`);
        return null;
      },
    });
    const history = assembler.schema.toJSON();
    expect(history.tables.map((tracked) => tracked.schema.table).sort()).toEqual([
      'items',
      'orders',
    ]);
    expect(Object.keys(history.databases)).not.toContain('more');
    expect(reads).toEqual(['shop.moved']);
  });
});

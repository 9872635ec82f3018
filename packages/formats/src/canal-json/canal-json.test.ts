import type { DdlEvent, InsertEvent, TableSchema, UpdateEvent } from '@tidewater/change-events';
import { describe, expect, it } from 'vitest';
import { column, ordersRow, ordersTable } from '../test-fixtures';
import { encodeCanalJson } from './canal-json';

// The three worked examples of `docs/formats/canal-json.md` §8: fastjson2 output of
// Canal's own FlatMessage class, source and Canal in UTC+8.
const INSERT_EXAMPLE =
  '{"data":[{"id":"42","qty":"3","hits":"4294967295","price":"19.90","flags":"5","status":"2","tags":"5","code":"\\u0000\\u0001ÿ","note":"héllo","created":"2024-05-01 10:20:30.120","updated":"2024-05-01 10:20:30","meta":"{\\"k\\": [1, 2]}"}],"database":"shop","es":1714530030000,"gtid":"","id":3,"isDdl":false,"mysqlType":{"id":"bigint(20) unsigned","qty":"int(11)","hits":"int(10) unsigned","price":"decimal(10,2)","flags":"bit(3)","status":"enum(\'new\',\'paid\',\'shipped\')","tags":"set(\'a\',\'b\',\'c\')","code":"varbinary(4)","note":"varchar(50)","created":"datetime(3)","updated":"timestamp","meta":"json"},"old":null,"pkNames":["id"],"sql":"","sqlType":{"id":-5,"qty":4,"hits":-5,"price":3,"flags":-7,"status":4,"tags":-7,"code":2004,"note":12,"created":93,"updated":93,"meta":12},"table":"orders","ts":1714530030412,"type":"INSERT"}';
const UPDATE_EXAMPLE =
  '{"data":[{"id":"42","qty":"4","hits":"4294967295","price":"19.90","flags":"5","status":"2","tags":"5","code":"\\u0000\\u0001ÿ","note":null,"created":"2024-05-01 10:20:30.120","updated":"2024-05-01 10:20:30","meta":"{\\"k\\": [1, 2]}"}],"database":"shop","es":1714530090000,"gtid":"","id":4,"isDdl":false,"mysqlType":{"id":"bigint(20) unsigned","qty":"int(11)","hits":"int(10) unsigned","price":"decimal(10,2)","flags":"bit(3)","status":"enum(\'new\',\'paid\',\'shipped\')","tags":"set(\'a\',\'b\',\'c\')","code":"varbinary(4)","note":"varchar(50)","created":"datetime(3)","updated":"timestamp","meta":"json"},"old":[{"qty":"3","note":"héllo"}],"pkNames":["id"],"sql":"","sqlType":{"id":-5,"qty":4,"hits":-5,"price":3,"flags":-7,"status":4,"tags":-7,"code":2004,"note":12,"created":93,"updated":93,"meta":12},"table":"orders","ts":1714530090388,"type":"UPDATE"}';
const DDL_EXAMPLE =
  '{"data":null,"database":"shop","es":1714530150000,"gtid":"","id":5,"isDdl":true,"mysqlType":null,"old":null,"pkNames":null,"sql":"ALTER TABLE orders ADD COLUMN memo VARCHAR(20) NULL AFTER note","sqlType":null,"table":"orders","ts":1714530150201,"type":"ALTER"}';

const position = { file: 'mysql-bin.000003', pos: 4411, gtidSet: null };
const base = { position, gtid: null, serverId: 1 };

const insert: InsertEvent = {
  ...base,
  kind: 'insert',
  timestamp: 1714530030000,
  schema: ordersTable,
  rows: [ordersRow],
};
const afterUpdate = [...ordersRow];
afterUpdate[1] = '4';
afterUpdate[8] = null;
const update: UpdateEvent = {
  ...base,
  kind: 'update',
  timestamp: 1714530090000,
  schema: ordersTable,
  rows: [{ before: ordersRow, after: afterUpdate }],
};
const ddl: DdlEvent = {
  ...base,
  kind: 'ddl',
  timestamp: 1714530150000,
  database: 'shop',
  table: 'orders',
  ddlKind: 'ALTER',
  sql: 'ALTER TABLE orders ADD COLUMN memo VARCHAR(20) NULL AFTER note',
  isParsed: true,
};

const canal = { timeZone: 'Asia/Shanghai', unsignedSqlType: 'value' } as const;

describe('encodeCanalJson, worked examples', () => {
  it("reproduces the INSERT example byte for byte with Canal's value-dependent unsigned codes", () => {
    const bytes = encodeCanalJson(insert, { ...canal, id: 3, ts: 1714530030412 });
    expect(bytes.toString('utf8')).toBe(INSERT_EXAMPLE);
    expect(bytes.equals(Buffer.from(INSERT_EXAMPLE, 'utf8'))).toBe(true);
    expect(bytes.length).toBe(825);
  });

  it('reproduces the UPDATE example byte for byte, old listing only the changed columns', () => {
    const bytes = encodeCanalJson(update, { ...canal, id: 4, ts: 1714530090388 });
    expect(bytes.equals(Buffer.from(UPDATE_EXAMPLE, 'utf8'))).toBe(true);
  });

  it('reproduces the DDL example byte for byte', () => {
    const bytes = encodeCanalJson(ddl, { ...canal, id: 5, ts: 1714530150201 });
    expect(bytes.equals(Buffer.from(DDL_EXAMPLE, 'utf8'))).toBe(true);
  });

  it('differs from the INSERT example only in the BIGINT UNSIGNED code under the default per-column rule', () => {
    const text = encodeCanalJson(insert, { timeZone: '+08:00', id: 3, ts: 1714530030412 }).toString(
      'utf8',
    );
    expect(text).toBe(INSERT_EXAMPLE.replace('"sqlType":{"id":-5', '"sqlType":{"id":3'));
  });

  it('renders the same TIMESTAMP for an IANA zone and the equal fixed offset', () => {
    const a = encodeCanalJson(insert, { timeZone: 'Asia/Shanghai', id: 1, ts: 1 });
    const b = encodeCanalJson(insert, { timeZone: '+08:00', id: 1, ts: 1 });
    expect(a.equals(b)).toBe(true);
  });
});

describe('encodeCanalJson, message shape', () => {
  const t: TableSchema = {
    database: 'db',
    table: 't',
    columns: [
      column('a', 'integer', 'int', 'int', { precision: 4 }),
      column('b', 'char', 'varchar', 'varchar(10)'),
      column('j', 'json', 'json', 'json'),
      column('s', 'set', 'set', "set('x','y')", { members: ['x', 'y'] }),
      column('bl', 'blob', 'blob', 'blob'),
      column('tt', 'text', 'tinytext', 'tinytext'),
    ],
    primaryKey: [],
    uniqueKeys: {},
  };
  const rowEvent = { position: null, gtid: null, serverId: null, timestamp: 1000, schema: t };
  const parse = (b: Buffer) => JSON.parse(b.toString('utf8')) as Record<string, unknown>;

  it('writes snapshot rows as INSERT with pkNames null for a table without a primary key', () => {
    const msg = parse(
      encodeCanalJson(
        { ...rowEvent, kind: 'snapshot', rows: [['1', 'x', '[]', 'x,y', Buffer.from('b'), 't']] },
        { timeZone: 'UTC', id: 9, ts: 2 },
      ),
    );
    expect(msg.type).toBe('INSERT');
    expect(msg.pkNames).toBeNull();
    expect(msg.data).toEqual([{ a: '1', b: 'x', j: '[]', s: '3', bl: 'b', tt: 't' }]);
    expect(msg.sqlType).toEqual({ a: 4, b: 12, j: 12, s: -7, bl: 2004, tt: 2005 });
  });

  it('takes sqlType from the last row: NULL JSON is 1111, NULL SET 2004, NULL BLOB 2004, NULL TINYTEXT 2005', () => {
    const msg = parse(
      encodeCanalJson(
        {
          ...rowEvent,
          kind: 'insert',
          rows: [
            ['1', 'x', '[]', 'x', Buffer.from('b'), 't'],
            ['2', null, null, null, null, null],
          ],
        },
        { timeZone: 'UTC', id: 9, ts: 2 },
      ),
    );
    expect(msg.sqlType).toEqual({ a: 4, b: 12, j: 1111, s: 2004, bl: 2004, tt: 2005 });
  });

  it('writes DELETE from the before image and every row of a multi-row event in data', () => {
    const msg = parse(
      encodeCanalJson(
        {
          ...rowEvent,
          kind: 'delete',
          rows: [
            ['1', 'a', null, '', null, null],
            ['2', 'b', null, '', null, null],
          ],
        },
        { timeZone: 'UTC', id: 1, ts: 1 },
      ),
    );
    expect(msg.type).toBe('DELETE');
    expect(msg.old).toBeNull();
    expect(msg.data).toEqual([
      { a: '1', b: 'a', j: null, s: '0', bl: null, tt: null },
      { a: '2', b: 'b', j: null, s: '0', bl: null, tt: null },
    ]);
  });

  it('lists changed columns per row, and {} for a row that changed nothing', () => {
    const same = ['1', 'a', null, 'x', null, null];
    const msg = parse(
      encodeCanalJson(
        {
          ...rowEvent,
          kind: 'update',
          rows: [
            { before: same, after: ['1', 'b', null, 'x', null, null] },
            { before: same, after: same },
          ],
        },
        { timeZone: 'UTC', id: 1, ts: 1 },
      ),
    );
    expect(msg.old).toEqual([{ b: 'a' }, {}]);
  });

  it('writes the GTID set of the position when the source has one', () => {
    const gtidSet = '3E11FA47-71CA-11E1-9E33-C80AA9429562:1-5';
    const msg = parse(
      encodeCanalJson(
        { ...ddl, position: { file: 'b.1', pos: 4, gtidSet } },
        { timeZone: 'UTC', id: 1, ts: 1 },
      ),
    );
    expect(msg.gtid).toBe(gtidSet);
  });

  it('writes nothing for BEGIN, COMMIT and heartbeats', () => {
    const ev = { timestamp: 0, position: null, gtid: null, serverId: null };
    expect(encodeCanalJson({ ...ev, kind: 'begin' }, { timeZone: 'UTC', id: 1, ts: 1 })).toBeNull();
    expect(
      encodeCanalJson({ ...ev, kind: 'commit', xid: '7' }, { timeZone: 'UTC', id: 1, ts: 1 }),
    ).toBeNull();
    expect(
      encodeCanalJson({ ...ev, kind: 'heartbeat' }, { timeZone: 'UTC', id: 1, ts: 1 }),
    ).toBeNull();
  });

  it('keeps the database and table names of a database-level DDL', () => {
    const msg = parse(
      encodeCanalJson(
        { ...ddl, database: 'newdb', table: '', ddlKind: 'QUERY', sql: 'CREATE DATABASE newdb' },
        { timeZone: 'UTC', id: 1, ts: 1 },
      ),
    );
    expect(msg).toMatchObject({ database: 'newdb', table: '', type: 'QUERY', isDdl: true });
  });
});

describe("encodeCanalJson with values: 'flink'", () => {
  const parse = (b: Buffer) => JSON.parse(b.toString('utf8')) as Record<string, unknown>;
  const flinkOptions = {
    timeZone: 'Asia/Shanghai',
    id: 3,
    ts: 1714530030412,
    values: 'flink' as const,
  };

  it('changes only the values of the worked INSERT example: bytes in base64, TIMESTAMP in UTC with Z', () => {
    const flink = parse(encodeCanalJson(insert, { ...flinkOptions, unsignedSqlType: 'value' }));
    const canal = parse(Buffer.from(INSERT_EXAMPLE));
    expect(flink.data).toEqual([
      {
        ...(canal.data as object[])[0],
        flags: 'BQ==',
        code: 'AAH/',
        updated: '2024-05-01 02:20:30Z',
      },
    ]);
    expect({ ...flink, data: null }).toEqual({ ...canal, data: null });
  });

  it('writes zero dates as null in data and old, and lists a column whose text changed from or to null', () => {
    const t: TableSchema = {
      database: 'db',
      table: 't',
      columns: [
        column('id', 'integer', 'int', 'int', { precision: 4 }),
        column('d', 'date', 'date', 'date'),
        column('ts', 'timestamp', 'timestamp', 'timestamp', { scale: 0 }),
      ],
      primaryKey: ['id'],
      uniqueKeys: {},
    };
    const zero = ['1', '0000-00-00', '0000-00-00 00:00:00'];
    const msg = parse(
      encodeCanalJson(
        {
          ...base,
          kind: 'update',
          timestamp: 1000,
          schema: t,
          rows: [
            // A zero date becoming NULL is no change in Flink's text.
            { before: zero, after: ['1', null, null] },
            { before: zero, after: ['1', '2024-01-02', '2024-01-02 03:04:05'] },
          ],
        },
        { ...flinkOptions, timeZone: 'UTC' },
      ),
    );
    expect(msg.data).toEqual([
      { id: '1', d: null, ts: null },
      { id: '1', d: '2024-01-02', ts: '2024-01-02 03:04:05Z' },
    ]);
    expect(msg.old).toEqual([{}, { d: null, ts: null }]);
    expect(msg.sqlType).toEqual({ id: 4, d: 91, ts: 93 });
  });
});

import { createHash } from 'node:crypto';
import type { ChangeEvent, InsertEvent, TableSchema } from '@tidewater/change-events';
import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { column, goldenTable } from '../test-fixtures';
import { encodeDtsAvro } from './dts-avro';
import {
  decodeDtsAvro,
  dtsAvroSchemaText,
  dtsRecordType,
  readRecordAvsc,
  RECORD_TYPE_NAME,
} from './schema';

// The constructed golden vector of `docs/formats/dts-avro.md` §9 (192 bytes).
const GOLDEN_HEX =
  '00d20fdc9b8de30c0e343431314031320e343230384031320230000c382e302e333600021673686f702e6f7264657273000214706b5f756b5f696e666f247b225052494d415259223a5b226964225d7d00040c04696410086e6f7465fa030a7072696365ec030e63726561746564180e757064617465640e086d656d6ffa030000040c0210043432040e757466386d62340a68656c6c6f060a31392e393014040c02d01f020a020202140228023c0280d30e0adc9b8de30c000000dc9b8de30c';

const goldenEvent: InsertEvent = {
  kind: 'insert',
  timestamp: 1714530030000,
  position: { file: 'mysql-bin.000012', pos: 4411, gtidSet: null },
  transactionStart: { file: 'mysql-bin.000012', pos: 4208, gtidSet: null },
  gtid: null,
  serverId: null,
  schema: goldenTable,
  rows: [['42', 'hello', '19.90', '2024-05-01 10:20:30.120', '2024-05-01 02:20:30', null]],
};

const SDK_OBJECT_TYPES = new Set(
  'BINARY BOOL BLOB XML JSON TEXT BFILE RAW LONG_RAW ROWID UROWID ENUM SET BYTEA GEOMETRY XTYPE UUID'.split(
    ' ',
  ),
);

const everyType: TableSchema = {
  database: 'my.db',
  table: 'all.types',
  columns: [
    column('ti', 'integer', 'tinyint', 'tinyint(4)', { precision: 1 }),
    column('si', 'integer', 'smallint', 'smallint(6)', { precision: 2 }),
    column('mi', 'integer', 'mediumint', 'mediumint(9)', { precision: 3 }),
    column('i', 'integer', 'int', 'int(11)', { precision: 4 }),
    column('bu', 'integer', 'bigint', 'bigint(20) unsigned', { precision: 8 }),
    column('d', 'decimal', 'decimal', 'decimal(30,4)', { precision: 30, scale: 4 }),
    column('f', 'float', 'float', 'float'),
    column('db', 'double', 'double', 'double'),
    column('b', 'bit', 'bit', 'bit(64)', { precision: 64 }),
    column('y', 'year', 'year', 'year(4)'),
    column('dt', 'date', 'date', 'date'),
    column('dtm', 'datetime', 'datetime', 'datetime(6)', { scale: 6 }),
    column('ts', 'timestamp', 'timestamp', 'timestamp(3)', { scale: 3 }),
    column('tm', 'time', 'time', 'time(2)', { scale: 2 }),
    column('c', 'char', 'char', 'char(3)', { charset: 'latin1' }),
    column('vc', 'char', 'varchar', 'varchar(10)', { charset: 'gbk' }),
    column('tx', 'text', 'text', 'text', { charset: 'utf8mb4' }),
    column('bn', 'binary', 'binary', 'binary(2)'),
    column('bl', 'blob', 'mediumblob', 'mediumblob'),
    column('g', 'geometry', 'point', 'point'),
    column('e', 'enum', 'enum', "enum('a','b')", { members: ['a', 'b'] }),
    column('s', 'set', 'set', "set('a','b')", { members: ['a', 'b'] }),
    column('j', 'json', 'json', 'json'),
    column('n', 'char', 'varchar', 'varchar(5)', { charset: 'utf8mb4' }),
  ],
  primaryKey: ['i'],
  uniqueKeys: { uk_si: ['si', 'mi'] },
};

const everyRow = [
  '-128',
  '32767',
  '-8388608',
  '2147483647',
  '18446744073709551615',
  '-12345678901234567890.1234',
  Math.fround(0.1),
  1.2345678e7,
  Buffer.alloc(8, 0xff),
  2024,
  '0000-00-00',
  '2024-02-29 23:59:59.999999',
  '2038-01-19 03:14:07.500',
  '-838:59:59.50',
  'é€',
  '你好',
  'emoji 🙂',
  Buffer.from([0x41, 0x00]),
  Buffer.from([1, 2, 3]),
  Buffer.from('00000000010100000000000000000000000000000000000000', 'hex'),
  'b',
  'a,b',
  '{"k": 1}',
  null,
];

const options = { id: 7, sourceVersion: '8.0.36' };
const ev = {
  timestamp: 1714530030000,
  position: { file: 'binlog.000003', pos: 900, gtidSet: 'u:1-9' },
  gtid: 'u:9',
  serverId: 11,
};

describe('encodeDtsAvro', () => {
  it('reproduces the golden vector byte for byte (192 bytes)', () => {
    const [bytes] = encodeDtsAvro(goldenEvent, { id: 1001, sourceVersion: '8.0.36' });
    expect(bytes!.toString('hex')).toBe(GOLDEN_HEX);
    expect(bytes!.length).toBe(192);
  });

  it('writes the same bytes as avsc for every value branch, and the values decode back', () => {
    const [bytes] = encodeDtsAvro(
      { ...ev, kind: 'insert', schema: everyType, rows: [everyRow] },
      options,
    );
    const decoded = decodeDtsAvro(bytes!);
    expect(dtsRecordType().toBuffer(decoded).equals(bytes!)).toBe(true);
    expect(decoded.objectName).toBe('my\\u002Edb.all\\u002Etypes');
    expect(decoded.tags).toEqual({
      pk_uk_info: '{"PRIMARY":["i"],"uk_si":["si","mi"]}',
      server_id: '11',
    });
    expect(decoded.fields).toEqual(
      [
        1, 2, 9, 3, 8, 246, 4, 5, 16, 13, 10, 12, 7, 11, 254, 253, 253, 252, 250, 255, 247, 248,
        245, 253,
      ].map((dataTypeNumber, i) => ({ name: everyType.columns[i]!.name, dataTypeNumber })),
    );
    const ns = 'com.alibaba.dts.formats.avro.';
    const after = decoded.afterImages as Array<Record<string, Record<string, unknown>> | null>;
    expect(after[0]).toEqual({ [`${ns}Integer`]: { precision: 1, value: '-128' } });
    expect(after[2]).toEqual({ [`${ns}Integer`]: { precision: 3, value: '-8388608' } });
    expect(after[4]).toEqual({ [`${ns}Integer`]: { precision: 8, value: '18446744073709551615' } });
    expect(after[5]).toEqual({
      [`${ns}Decimal`]: { value: '-12345678901234567890.1234', precision: 30, scale: 4 },
    });
    expect(after[6]).toEqual({
      [`${ns}Float`]: { value: Math.fround(0.1), precision: 12, scale: 0 },
    });
    expect(after[8]).toEqual({ [`${ns}Integer`]: { precision: 8, value: '18446744073709551615' } });
    const dt = (
      year: number | null,
      month: number | null,
      day: number | null,
      hour: number | null,
      minute: number | null,
      second: number | null,
      millis: number | null,
    ) => ({
      [`${ns}DateTime`]: { year, month, day, hour, minute, second, millis },
    });
    expect(after[9]).toEqual(dt(2024, null, null, null, null, null, null));
    expect(after[10]).toEqual(dt(0, 0, 0, null, null, null, null));
    expect(after[11]).toEqual(dt(2024, 2, 29, 23, 59, 59, 999999));
    expect(after[12]).toEqual({ [`${ns}Timestamp`]: { timestamp: 2147483647, millis: 500000 } });
    expect(after[13]).toEqual(dt(null, null, null, -838, -59, -59, -500000));
    expect(after[14]).toEqual({
      [`${ns}Character`]: { charset: 'latin1', value: Buffer.from([0xe9, 0x80]) },
    });
    expect(after[15]).toEqual({
      [`${ns}Character`]: { charset: 'gbk', value: Buffer.from([0xc4, 0xe3, 0xba, 0xc3]) },
    });
    expect(after[16]).toEqual({
      [`${ns}Character`]: { charset: 'utf8mb4', value: Buffer.from('emoji 🙂') },
    });
    expect(after[17]).toEqual({
      [`${ns}BinaryObject`]: { type: 'BINARY', value: Buffer.from([0x41, 0]) },
    });
    expect(after[18]).toEqual({
      [`${ns}BinaryObject`]: { type: 'BLOB', value: Buffer.from([1, 2, 3]) },
    });
    expect(after[19]).toEqual({
      [`${ns}BinaryGeometry`]: { type: 'GEOMETRY', value: everyRow[19] },
    });
    expect(after[20]).toEqual({ [`${ns}TextObject`]: { type: 'ENUM', value: 'b' } });
    expect(after[21]).toEqual({ [`${ns}TextObject`]: { type: 'SET', value: 'a,b' } });
    expect(after[22]).toEqual({ [`${ns}TextObject`]: { type: 'JSON', value: '{"k": 1}' } });
    expect(after[23]).toBeNull();
  });

  it('uses only the object type strings the DTS SDK accepts and never EmptyObject', () => {
    const [bytes] = encodeDtsAvro(
      {
        ...ev,
        kind: 'update',
        schema: everyType,
        rows: [{ before: everyRow, after: everyRow.map(() => null) }],
      },
      options,
    );
    const decoded = decodeDtsAvro(bytes!);
    for (const image of [decoded.beforeImages, decoded.afterImages]) {
      for (const item of image as Array<Record<string, { type?: unknown }> | null>) {
        if (item === null) continue;
        const [name, value] = Object.entries(item)[0]!;
        expect(name).not.toContain('EmptyObject');
        if (name.endsWith('Object')) expect(SDK_OBJECT_TYPES.has(String(value.type))).toBe(true);
      }
    }
    expect((decoded.afterImages as unknown[]).every((v) => v === null)).toBe(true);
  });

  it('writes one record per row with consecutive ids and the images each kind needs', () => {
    const t: TableSchema = {
      database: 'd',
      table: 't',
      columns: [column('a', 'integer', 'int', 'int', { precision: 4 })],
      primaryKey: [],
      uniqueKeys: {},
    };
    const base = { ...ev, schema: t };
    const ins = encodeDtsAvro({ ...base, kind: 'insert', rows: [['1'], ['2']] }, options).map(
      decodeDtsAvro,
    );
    expect(
      ins.map((r) => [r.id, r.operation, r.beforeImages, (r.afterImages as unknown[]).length]),
    ).toEqual([
      [7, 'INSERT', null, 1],
      [8, 'INSERT', null, 1],
    ]);
    expect(ins[0]!.tags.pk_uk_info).toBe('{}');
    const del = decodeDtsAvro(
      encodeDtsAvro({ ...base, kind: 'delete', rows: [['1']] }, options)[0]!,
    );
    expect([del.operation, del.afterImages, (del.beforeImages as unknown[]).length]).toEqual([
      'DELETE',
      null,
      1,
    ]);
    const snap = decodeDtsAvro(
      encodeDtsAvro(
        { ...base, kind: 'snapshot', position: null, serverId: null, rows: [['1']] },
        options,
      )[0]!,
    );
    expect([
      snap.operation,
      snap.sourcePosition,
      snap.safeSourcePosition,
      snap.beforeImages,
    ]).toEqual(['INIT', '0@0', '0@0', null]);
  });

  it('writes the header fields: seconds, positions, txid, source, bornTimestamp', () => {
    const t: TableSchema = {
      database: 'd',
      table: 't',
      columns: [],
      primaryKey: [],
      uniqueKeys: {},
    };
    const r = decodeDtsAvro(
      encodeDtsAvro(
        {
          ...ev,
          kind: 'insert',
          schema: t,
          transactionStart: { file: 'binlog.000003', pos: 700, gtidSet: null },
          rows: [[]],
        },
        { ...options, readerThroughoutTime: 1714530031234 },
      )[0]!,
    );
    expect(r).toMatchObject({
      version: 0,
      sourceTimestamp: 1714530030,
      bornTimestamp: 1714530030,
      sourcePosition: '900@3',
      safeSourcePosition: '700@3',
      sourceTxid: '0',
      source: { sourceType: 'MySQL', version: '8.0.36' },
      processTimestamps: null,
      tags: { pk_uk_info: '{}', readerThroughoutTime: '1714530031234', server_id: '11' },
    });
  });

  it('writes a DDL as the database name and the statement in the string branch, with GTID tags', () => {
    const r = decodeDtsAvro(
      encodeDtsAvro(
        {
          ...ev,
          kind: 'ddl',
          database: 'shop',
          table: 'orders',
          ddlKind: 'ALTER',
          sql: 'ALTER TABLE orders ADD c INT',
          isParsed: true,
          transactionStart: { file: 'binlog.000003', pos: 1, gtidSet: null },
        },
        options,
      )[0]!,
    );
    expect(r).toMatchObject({
      operation: 'DDL',
      objectName: 'shop',
      fields: null,
      beforeImages: null,
      afterImages: 'ALTER TABLE orders ADD c INT',
      safeSourcePosition: '900@3',
    });
    expect(r.tags).toEqual({ server_id: '11', GTID: 'u:9', GTID_SET: 'u:1-9' });
  });

  it('writes BEGIN, COMMIT and HEARTBEAT records without object name or images', () => {
    const events: ChangeEvent[] = [
      { ...ev, kind: 'begin' },
      { ...ev, kind: 'commit', xid: '5' },
      { ...ev, kind: 'heartbeat' },
    ];
    const records = events.map((e) => decodeDtsAvro(encodeDtsAvro(e, options)[0]!));
    expect(
      records.map((r) => [r.operation, r.objectName, r.fields, r.beforeImages, r.afterImages]),
    ).toEqual([
      ['BEGIN', null, null, null, null],
      ['COMMIT', null, null, null, null],
      ['HEARTBEAT', null, null, null, null],
    ]);
    expect(records[0]!.tags.GTID).toBe('u:9');
  });
});

describe('DTS Avro schema', () => {
  it('ships Record.avsc unchanged, and the registry text has the same canonical form', () => {
    // SHA-256 of the published file (9650 bytes, one tab before "INIT").
    expect(createHash('sha256').update(readRecordAvsc()).digest('hex')).toBe(
      'ee55b97b39d7868dfad9a9845552190b0b1fa3a489dc7216f9b037b077acf5ea',
    );
    const schemas = JSON.parse(readRecordAvsc()) as Array<{ name: string }>;
    expect(schemas).toHaveLength(14);
    expect(schemas[13]!.name).toBe('Record');
    const registered = avro.Type.forSchema(JSON.parse(dtsAvroSchemaText()) as avro.Schema);
    expect(registered.fingerprint('sha256').toString('hex')).toBe(
      'd57f6ce464e631aa7f6438633ce499bac5c59a91bda494dceef980d25663060d',
    );
  });

  it('lets a reader with the older schema (no bornTimestamp) read a record, leaving the tail unread', () => {
    const schemas = JSON.parse(readRecordAvsc()) as Array<{
      name: string;
      fields?: Array<{ name: string }>;
    }>;
    const record = schemas[13]!;
    record.fields = record.fields!.filter((f) => f.name !== 'bornTimestamp');
    const registry: Record<string, avro.Type> = {};
    avro.Type.forSchema(schemas as avro.Schema, { registry });
    const oldType = registry[RECORD_TYPE_NAME]!;
    expect(oldType.fingerprint('sha256').toString('hex')).toBe(
      '8e09ff77c1dda884016d5cc9c010a8c1fab67b6d07e82079ae050df1d7ed491b',
    );

    const [bytes] = encodeDtsAvro(goldenEvent, { id: 1001, sourceVersion: '8.0.36' });
    // Like the SDK's binary decoder: read one record from the start, ignore what follows.
    const { value, offset } = oldType.decode(bytes!, 0) as {
      value: Record<string, unknown>;
      offset: number;
    };
    expect(offset).toBe(bytes!.length - 5);
    expect(value).toMatchObject({ id: 1001, objectName: 'shop.orders', operation: 'INSERT' });
  });
});

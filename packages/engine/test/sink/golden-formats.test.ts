/**
 * Golden tests: the type matrix through the sink to a real topic and back, for both formats.
 * Each consumed message must equal, byte for byte, what the format encoder gives for the same
 * event with the `id`/`ts` the message carries, and its fields must read as pinned below.
 */
import type { ChangeEvent } from '@tidewater/change-events';
import { decodeDtsAvro, encodeCanalJson, encodeDtsAvro } from '@tidewater/formats';
import { afterAll, describe, expect, it } from 'vitest';
import { openEventSink } from '../../src/pipeline/sink';
import { dropTopics, makeTopic, plainDestination, readTopic } from '@tidewater/test-kit/stack';
import { ddlEvent, matrixEvents, matrixTable } from '@tidewater/change-events/testing';

afterAll(dropTopics);

const source = { version: '8.0.36', timeZone: '+08:00' };

async function roundTrip(format: 'canal-json' | 'dts-avro', events: ChangeEvent[], count: number) {
  const topic = await makeTopic(`golden-${format}`);
  const sink = await openEventSink({
    destination: plainDestination(topic),
    format,
    partitionPolicy: 'partition-zero',
    source,
    firstId: 100,
  });
  try {
    const report = await sink.deliver(events);
    expect(report.messages).toBe(count);
    expect(report.partitions).toEqual({ [topic]: [0] });
  } finally {
    await sink.close();
  }
  return readTopic(topic, count);
}

/** The first snapshot row as Canal renders it (reviewed against the Canal reference rules). */
const FULL_ROW_CANAL = {
  id: '1',
  c_tiny: '-128',
  c_tiny_u: '255',
  c_small: '-32768',
  c_medium_u: '16777215',
  c_int_u: '4294967295',
  c_big: '-9223372036854775808',
  c_big_u: '18446744073709551615',
  c_decimal: '-12345678.9012',
  c_float: '3.14',
  c_double: '2.718281828459045',
  c_bit: '513',
  c_year: '2024',
  c_date: '2024-05-01',
  c_datetime: '2024-05-01 10:20:30.123456',
  c_timestamp: '2024-05-01 10:20:30.500',
  c_time: '-838:59:59.00',
  c_char: 'ab',
  c_varchar: 'héllo "quoted" \\ \n tab\t 😀',
  c_latin1: 'café',
  c_text: 'long text',
  c_binary: '\u0000\u0001ÿ',
  c_varbinary: 'raw',
  c_blob: '\u00de\u00ad\u00be\u00ef',
  c_enum: '2',
  c_set: '5',
  c_json: '{"k": [1, 2], "s": "x"}',
  c_geometry: Buffer.from('00000000010100000000000000000000f03f0000000000000040', 'hex').toString(
    'latin1',
  ),
};

describe('golden messages through Kafka', () => {
  it('writes Canal JSON that parses to every field of the type matrix', async () => {
    const read = await roundTrip('canal-json', matrixEvents, 5);
    const parsed = read.map((m) => JSON.parse(m.value.toString('utf8')));

    // Byte equality with the encoder for the same id and ts.
    read.forEach((message, i) => {
      const { id, ts } = parsed[i];
      const expected = encodeCanalJson(matrixEvents[i]!, { id, ts, timeZone: source.timeZone });
      expect(message.value.equals(expected!)).toBe(true);
    });
    expect(parsed.map((p) => p.id)).toEqual([100, 101, 102, 103, 104]);
    expect(parsed.map((p) => p.type)).toEqual(['INSERT', 'INSERT', 'UPDATE', 'DELETE', 'ALTER']);
    expect(parsed.map((p) => p.isDdl)).toEqual([false, false, false, false, true]);
    expect(read.map((m) => m.key)).toEqual(Array(5).fill('shop.type_matrix'));

    const [snapshot, insert, update, remove, ddl] = parsed;
    expect(Object.keys(snapshot)).toEqual([
      'data',
      'database',
      'es',
      'gtid',
      'id',
      'isDdl',
      'mysqlType',
      'old',
      'pkNames',
      'sql',
      'sqlType',
      'table',
      'ts',
      'type',
    ]);
    expect(snapshot).toMatchObject({
      database: 'shop',
      table: 'type_matrix',
      es: 1714530030000,
      gtid: '',
      pkNames: ['id'],
      sql: '',
      old: null,
    });
    expect(snapshot.data[0]).toEqual(FULL_ROW_CANAL);
    expect(Object.values(snapshot.data[1]).slice(1)).toEqual(
      Array(matrixTable.columns.length - 1).fill(null),
    );
    expect(snapshot.mysqlType).toEqual(
      Object.fromEntries(matrixTable.columns.map((c) => [c.name, c.columnType])),
    );
    expect(snapshot.sqlType).toMatchObject({ id: 4, c_big_u: 3, c_int_u: -5, c_decimal: 3 });
    expect(insert.data.map((row: { id: string }) => row.id)).toEqual(['3', '4']);
    expect(update.data[0]).toEqual({ ...FULL_ROW_CANAL, c_date: null, c_varchar: 'changed' });
    expect(update.old).toEqual([{ c_date: '2024-05-01', c_varchar: FULL_ROW_CANAL.c_varchar }]);
    expect(remove.data[0].id).toBe('2');
    expect(ddl).toMatchObject({
      data: null,
      database: 'shop',
      table: 'type_matrix',
      sql: ddlEvent.sql,
      mysqlType: null,
      sqlType: null,
      pkNames: null,
    });
  });

  it('writes DTS Avro records that decode with the published schema, one per row', async () => {
    const read = await roundTrip('dts-avro', matrixEvents, 7);
    const records = read.map((m) => decodeDtsAvro(m.value));

    // Byte equality with the encoder, event by event, ids consecutive from firstId.
    const expected = matrixEvents.flatMap((event, i) =>
      encodeDtsAvro(event, {
        id: 100 + [0, 2, 4, 5, 6][i]!,
        sourceVersion: source.version,
      }),
    );
    read.forEach((message, i) => expect(message.value.equals(expected[i]!)).toBe(true));

    expect(records.map((r) => Number(r.id))).toEqual([100, 101, 102, 103, 104, 105, 106]);
    expect(records.map((r) => r.operation)).toEqual([
      'INIT',
      'INIT',
      'INSERT',
      'INSERT',
      'UPDATE',
      'DELETE',
      'DDL',
    ]);
    const [init, , insert, , update, remove, ddl] = records;
    expect(init).toMatchObject({
      version: 0,
      objectName: 'shop.type_matrix',
      sourcePosition: '0@0',
      sourceTxid: '0',
      source: { sourceType: 'MySQL', version: '8.0.36' },
      beforeImages: null,
      tags: { pk_uk_info: '{"PRIMARY":["id"],"uk_varchar":["c_varchar"]}', server_id: '7' },
    });
    expect(init!.fields).toEqual(
      matrixTable.columns.map((c, i) => ({
        name: c.name,
        dataTypeNumber: [
          3, 1, 1, 2, 9, 3, 8, 8, 246, 4, 5, 16, 13, 10, 12, 7, 11, 254, 253, 253, 253, 252, 252,
          252, 247, 248, 245, 255,
        ][i],
      })),
    );
    const after = init!.afterImages as Array<Record<string, Record<string, unknown>> | null>;
    const value = (i: number) => Object.values(after[i]!)[0]!;
    expect(value(7)).toEqual({ precision: 8, value: '18446744073709551615' });
    expect(value(8)).toEqual({ value: '-12345678.9012', precision: 12, scale: 4 });
    expect(value(11)).toEqual({ precision: 2, value: '513' });
    expect(value(15)).toEqual({ timestamp: 1714530030, millis: 500000 });
    expect(value(16)).toMatchObject({ hour: -838, minute: -59, second: -59, millis: 0 });
    expect((value(19).value as Buffer).toString('latin1')).toBe('café');
    expect(value(19).charset).toBe('latin1');
    expect(value(24)).toEqual({ type: 'ENUM', value: 'paid' });
    expect((records[1]!.afterImages as unknown[]).slice(1)).toEqual(
      Array(matrixTable.columns.length - 1).fill(null),
    );
    expect(insert).toMatchObject({ sourcePosition: '4411@3', safeSourcePosition: '4208@3' });
    expect((update!.beforeImages as unknown[])[13]).not.toBeNull();
    expect((update!.afterImages as unknown[])[13]).toBeNull();
    expect(remove).toMatchObject({ operation: 'DELETE', afterImages: null });
    expect(ddl).toMatchObject({
      objectName: 'shop',
      afterImages: ddlEvent.sql,
      fields: null,
      beforeImages: null,
    });
  });
});

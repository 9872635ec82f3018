import type { InsertEvent } from '@tidewater/change-events';
import { confluentFrame, encodeCanalJson, encodeDtsAvro } from '@tidewater/formats';
import { describe, expect, it } from 'vitest';
import { testColumn } from '@tidewater/change-events/testing';
import { tableNamedBy } from './topic-names';

const insert: InsertEvent = {
  kind: 'insert',
  schema: {
    database: 'sh.op',
    table: 'orders',
    columns: [testColumn('id', 'integer', 'int', 'int(11)', { precision: 4 })],
    primaryKey: ['id'],
    uniqueKeys: {},
  },
  rows: [['1']],
  timestamp: 0,
  position: null,
  gtid: null,
  serverId: null,
};

const message = (value: Buffer | null): Buffer | null => value;

describe('tableNamedBy', () => {
  it('reads the table from Canal JSON and DTS Avro, framed or not, with DTS name escaping', () => {
    const canal = encodeCanalJson(insert, { id: 1, ts: 0, timeZone: 'UTC' });
    const [avro] = encodeDtsAvro(insert, { id: 1, sourceVersion: '8.0' });
    expect(tableNamedBy('canal-json', message(canal))).toBe('sh\\u002Eop.orders');
    expect(tableNamedBy('dts-avro', message(avro!))).toBe('sh\\u002Eop.orders');
    expect(tableNamedBy('dts-avro', message(confluentFrame(12, avro!)))).toBe('sh\\u002Eop.orders');
  });

  it('skips messages in neither format', () => {
    expect(tableNamedBy('canal-json', message(Buffer.from('not json')))).toBeNull();
    expect(tableNamedBy('canal-json', message(Buffer.from('{"a":1}')))).toBeNull();
    expect(tableNamedBy('dts-avro', message(Buffer.from('garbage bytes here')))).toBeNull();
    expect(tableNamedBy('dts-avro', message(null))).toBeNull();
  });
});

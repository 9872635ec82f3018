import { matrixEvents, matrixTable } from '@tidewater/change-events/testing';
import { describe, expect, it } from 'vitest';
import { dtsRecordType, decodeDtsAvro } from './dts-avro/schema';
import { createFormat } from './format';

// The project's one type matrix (`@tidewater/change-events/testing`), also delivered through
// Kafka by the sink's integration tests: here every event of it through both formats.
const columnNames = matrixTable.columns.map((column) => column.name);

describe('the type matrix through both formats', () => {
  it('gives Canal JSON with every column of every row, in table order', () => {
    const format = createFormat('canal-json', { timeZone: '+08:00', sourceVersion: '10.11.6' });
    for (const event of matrixEvents) {
      for (const value of format.encode(event, 1, 1714530030412)) {
        const message = JSON.parse(value.toString('utf8')) as {
          isDdl: boolean;
          data: Array<Record<string, string | null>> | null;
          mysqlType: Record<string, string> | null;
        };
        if (message.isDdl) continue;
        expect(Object.keys(message.mysqlType ?? {})).toEqual(columnNames);
        for (const row of message.data ?? []) expect(Object.keys(row)).toEqual(columnNames);
      }
    }
  });

  it('gives DTS Avro records that an independent Avro library reads and writes back byte for byte', () => {
    const format = createFormat('dts-avro', { timeZone: '+08:00', sourceVersion: '10.11.6' });
    let records = 0;
    for (const event of matrixEvents) {
      for (const value of format.encode(event, 1, 1714530030412)) {
        const decoded = decodeDtsAvro(value);
        expect(dtsRecordType().toBuffer(decoded).equals(value)).toBe(true);
        records += 1;
      }
    }
    expect(records).toBeGreaterThanOrEqual(matrixEvents.length);
  });
});

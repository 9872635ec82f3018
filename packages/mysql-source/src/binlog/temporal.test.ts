import { describe, expect, it } from 'vitest';
import { datetime2Bytes, time2Bytes, timestamp2Bytes } from './binlog-fixtures';
import {
  decodeDate,
  decodeDatetime,
  decodeDatetime2,
  decodeTime,
  decodeTime2,
  decodeTimestamp2,
  decodeDatetimeHires,
  decodeTimeHires,
  decodeTimestampHires,
  formatUnixSeconds,
  hiresLength,
} from './temporal';

describe('temporal decoders', () => {
  it('decodes the MariaDB 5.3 TIME, DATETIME and TIMESTAMP formats with fractions', () => {
    // Bytes of a MariaDB 10.11 rows event (columns created with mysql56_temporal_format=OFF).
    const cases: Array<[string, (b: Buffer, p: number, fsp: number) => string, number, string]> = [
      ['01cce051', decodeTimeHires, 1, '-00:00:01.5'],
      ['06ed4cd32e', decodeTimeHires, 4, '-12:34:56.1234'],
      ['057e7badb5c0', decodeTimeHires, 6, '838:59:59.000000'],
      ['00422bb59e9895', decodeDatetimeHires, 3, '2024-02-29 12:34:56.789'],
      ['04fcee3943bfffff', decodeDatetimeHires, 6, '9999-12-31 23:59:59.999999'],
      ['00000000000000', decodeDatetimeHires, 3, '0000-00-00 00:00:00.000'],
      ['386d438001', decodeTimestampHires, 2, '2000-01-01 00:00:00.01'],
      ['7fffffff0f423f', decodeTimestampHires, 6, '2038-01-19 03:14:07.999999'],
      ['000000000000', decodeTimestampHires, 4, '0000-00-00 00:00:00.0000'],
    ];
    for (const [hex, decode, fsp, text] of cases) {
      expect([hex, decode(Buffer.from(hex, 'hex'), 0, fsp)]).toEqual([hex, text]);
    }
    expect([1, 2, 3, 4, 5, 6].map((fsp) => hiresLength('time', fsp))).toEqual([4, 4, 5, 5, 5, 6]);
    expect([1, 2, 3, 4, 5, 6].map((fsp) => hiresLength('datetime', fsp))).toEqual([
      6, 6, 7, 7, 7, 8,
    ]);
    expect([1, 2, 3, 4, 5, 6].map((fsp) => hiresLength('timestamp', fsp))).toEqual([
      5, 5, 6, 6, 7, 7,
    ]);
  });

  it('decodes DATETIME2 with every fractional precision', () => {
    const parts = [2024, 2, 29, 23, 59, 58];
    expect(decodeDatetime2(datetime2Bytes(parts, 0, 0), 0, 0)).toBe('2024-02-29 23:59:58');
    expect(decodeDatetime2(datetime2Bytes(parts, 100000, 1), 0, 1)).toBe('2024-02-29 23:59:58.1');
    expect(decodeDatetime2(datetime2Bytes(parts, 120000, 2), 0, 2)).toBe('2024-02-29 23:59:58.12');
    expect(decodeDatetime2(datetime2Bytes(parts, 123000, 3), 0, 3)).toBe('2024-02-29 23:59:58.123');
    expect(decodeDatetime2(datetime2Bytes(parts, 123400, 4), 0, 4)).toBe(
      '2024-02-29 23:59:58.1234',
    );
    expect(decodeDatetime2(datetime2Bytes(parts, 123450, 5), 0, 5)).toBe(
      '2024-02-29 23:59:58.12345',
    );
    expect(decodeDatetime2(datetime2Bytes(parts, 999999, 6), 0, 6)).toBe(
      '2024-02-29 23:59:58.999999',
    );
  });

  it('decodes the DATETIME range ends and the zero date', () => {
    expect(decodeDatetime2(datetime2Bytes([1000, 1, 1, 0, 0, 0], 0, 6), 0, 6)).toBe(
      '1000-01-01 00:00:00.000000',
    );
    expect(decodeDatetime2(datetime2Bytes([9999, 12, 31, 23, 59, 59], 999999, 6), 0, 6)).toBe(
      '9999-12-31 23:59:59.999999',
    );
    expect(decodeDatetime2(datetime2Bytes([0, 0, 0, 0, 0, 0], 0, 0), 0, 0)).toBe(
      '0000-00-00 00:00:00',
    );
  });

  it('decodes TIME2 including negative values with fractions', () => {
    for (const fsp of [0, 1, 2, 3, 4, 5, 6]) {
      const digits = '123456'.slice(0, fsp);
      const fraction = fsp > 0 ? `.${digits}` : '';
      const micros = Number('123456'.slice(0, fsp).padEnd(6, '0')) || 0;
      expect(decodeTime2(time2Bytes(false, 838, 59, 59, micros, fsp), 0, fsp)).toBe(
        `838:59:59${fraction}`,
      );
      expect(decodeTime2(time2Bytes(true, 838, 59, 59, micros, fsp), 0, fsp)).toBe(
        `-838:59:59${fraction}`,
      );
      expect(decodeTime2(time2Bytes(true, 0, 0, 1, micros, fsp), 0, fsp)).toBe(
        `-00:00:01${fraction}`,
      );
      expect(decodeTime2(time2Bytes(false, 0, 0, 0, 0, fsp), 0, fsp)).toBe(
        `00:00:00${fsp > 0 ? `.${'0'.repeat(fsp)}` : ''}`,
      );
    }
    expect(decodeTime2(time2Bytes(true, 0, 0, 0, 500000, 1), 0, 1)).toBe('-00:00:00.5');
  });

  it('decodes TIMESTAMP2 as UTC and seconds 0 as the zero value', () => {
    expect(decodeTimestamp2(timestamp2Bytes(1, 0, 0), 0, 0)).toBe('1970-01-01 00:00:01');
    expect(decodeTimestamp2(timestamp2Bytes(2147483647, 999999, 6), 0, 6)).toBe(
      '2038-01-19 03:14:07.999999',
    );
    expect(decodeTimestamp2(timestamp2Bytes(1709251200, 500000, 3), 0, 3)).toBe(
      '2024-03-01 00:00:00.500',
    );
    expect(decodeTimestamp2(timestamp2Bytes(0, 0, 2), 0, 2)).toBe('0000-00-00 00:00:00.00');
  });

  it('formats epoch seconds like Date does across leap years', () => {
    for (const seconds of [951782400, 951868800, 1078012800, 4102444799, 86399]) {
      expect(formatUnixSeconds(seconds, 0, 0)).toBe(
        new Date(seconds * 1000).toISOString().slice(0, 19).replace('T', ' '),
      );
    }
  });

  it('decodes the old formats: DATE, TIME, DATETIME', () => {
    const date = Buffer.alloc(3);
    date.writeUIntLE((2024 << 9) | (2 << 5) | 29, 0, 3);
    expect(decodeDate(date, 0)).toBe('2024-02-29');
    expect(decodeDate(Buffer.alloc(3), 0)).toBe('0000-00-00');
    const time = Buffer.alloc(3);
    time.writeIntLE(-8385959, 0, 3);
    expect(decodeTime(time, 0)).toBe('-838:59:59');
    const datetime = Buffer.alloc(8);
    datetime.writeBigUInt64LE(20240229235958n);
    expect(decodeDatetime(datetime, 0)).toBe('2024-02-29 23:59:58');
  });
});

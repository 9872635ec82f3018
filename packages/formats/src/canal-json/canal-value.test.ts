import type { CellValue, ColumnSchema } from '@tidewater/change-events';
import { describe, expect, it } from 'vitest';
import { column } from '../test-fixtures';
import { canalSqlType, renderCanalValue } from './canal-value';

const utc = { timeZone: 'UTC' };
const render = (c: ColumnSchema, v: CellValue, timeZone = 'UTC') =>
  renderCanalValue(c, v, { timeZone });

describe('renderCanalValue', () => {
  it('renders SQL NULL as null for every type', () => {
    expect(renderCanalValue(column('a', 'json', 'json', 'json'), null, utc)).toBeNull();
  });

  it('prints integers as their true (unsigned) decimal value', () => {
    const bu = column('a', 'integer', 'bigint', 'bigint(20) unsigned', { precision: 8 });
    expect(render(bu, '18446744073709551615')).toBe('18446744073709551615');
    expect(render(column('b', 'integer', 'tinyint', 'tinyint(4)'), '-128')).toBe('-128');
  });

  it('prints DECIMAL as Canal decodes it: full groups of nine fraction digits, a partial group only when not zero', () => {
    // [value, precision, scale, Canal 1.1.7's text]: the text is what Canal's
    // LogBuffer.getDecimal(…).toPlainString() gives for the binlog bytes of the value.
    const cases: Array<[string, number, number, string]> = [
      ['5.00', 10, 2, '5.0'],
      ['5.10', 10, 2, '5.10'],
      ['19.90', 10, 2, '19.90'],
      ['0.01', 10, 2, '0.01'],
      ['0.00', 10, 2, '0.0'],
      ['1.000', 6, 3, '1.0'],
      ['-999.999', 6, 3, '-999.999'],
      ['-0.0001', 4, 4, '-0.0001'],
      ['0.0000', 4, 4, '0.0'],
      ['99999', 5, 0, '99999'],
      ['-99999', 5, 0, '-99999'],
      ['0', 5, 0, '0'],
      ['0.000000000', 18, 9, '0.000000000'],
      ['1.000000001', 18, 9, '1.000000001'],
      ['-12.5000000000', 20, 10, '-12.500000000'],
      ['0.0000000001', 20, 10, '0.0000000001'],
      ['0.10000000000000000000', 30, 20, '0.100000000000000000'],
      ['1.000000000000000000000000000000', 65, 30, '1.000000000000000000000000000'],
      ['0.000000000000000000000000000001', 65, 30, '0.000000000000000000000000000001'],
      [
        '1000000000.000000000000000000000000000000',
        65,
        30,
        '1000000000.000000000000000000000000000',
      ],
      ['-0.00', 10, 2, '0.0'],
    ];
    for (const [value, precision, scale, text] of cases) {
      const d = column('d', 'decimal', 'decimal', `decimal(${precision},${scale})`, {
        precision,
        scale,
      });
      expect([value, render(d, value)]).toEqual([value, text]);
    }
  });

  it('drops the trailing zero bytes of BINARY(n) as Canal does, and keeps those of VARBINARY and BLOB', () => {
    const b = column('b', 'binary', 'binary', 'binary(4)');
    expect(render(b, Buffer.from('61620000', 'hex'))).toBe('ab');
    expect(render(b, Buffer.alloc(4))).toBe('');
    expect(render(b, Buffer.from('00610001', 'hex'))).toBe('\u0000a\u0000\u0001');
    const vb = column('v', 'binary', 'varbinary', 'varbinary(4)');
    expect(render(vb, Buffer.from('610000', 'hex'))).toBe('a\u0000\u0000');
    expect(render(column('l', 'blob', 'blob', 'blob'), Buffer.from('6100', 'hex'))).toBe('a\u0000');
  });

  it('prints FLOAT with Float.toString and DOUBLE with Double.toString', () => {
    const f = column('f', 'float', 'float', 'float');
    const d = column('d', 'double', 'double', 'double');
    expect(render(f, Math.fround(0.1))).toBe('0.1');
    expect(render(d, Math.fround(0.1))).toBe('0.10000000149011612');
    expect(render(d, 12345678)).toBe('1.2345678E7');
    expect(render(f, Math.fround(0.0001))).toBe('1.0E-4');
  });

  it('prints BIT as an unsigned decimal number, BIT(64) included', () => {
    expect(render(column('b', 'bit', 'bit', 'bit(1)', { precision: 1 }), Buffer.from([1]))).toBe(
      '1',
    );
    expect(render(column('b', 'bit', 'bit', 'bit(3)', { precision: 3 }), Buffer.from([5]))).toBe(
      '5',
    );
    expect(
      render(column('b', 'bit', 'bit', 'bit(64)', { precision: 64 }), Buffer.alloc(8, 0xff)),
    ).toBe('18446744073709551615');
  });

  it('prints ENUM as the 1-based member index and 0 for the invalid value', () => {
    const e = column('e', 'enum', 'enum', "enum('new','paid')", { members: ['new', 'paid'] });
    expect(render(e, 'paid')).toBe('2');
    expect(render(e, '')).toBe('0');
  });

  it('prints SET as the member bitmask, beyond 32 members too', () => {
    const members = Array.from({ length: 64 }, (_, i) => `m${i}`);
    const s = column('s', 'set', 'set', 'set(…)', { members });
    expect(render(s, 'm0,m2')).toBe('5');
    expect(render(s, '')).toBe('0');
    expect(render(s, 'm63')).toBe('9223372036854775808');
  });

  it('prints binary values and geometry as ISO-8859-1 text, one char per byte', () => {
    const b = column('b', 'blob', 'blob', 'blob');
    expect(render(b, Buffer.from([0x00, 0x7f, 0x80, 0xff]))).toBe('\u0000\u007f\u0080\u00ff');
    expect(
      render(column('g', 'geometry', 'geometry', 'geometry'), Buffer.from([0xe6, 0x10, 0, 0])),
    ).toBe('\u00e6\u0010\u0000\u0000');
  });

  it('prints dates and times with their fraction digits, zero dates verbatim', () => {
    expect(render(column('d', 'date', 'date', 'date'), '0000-00-00')).toBe('0000-00-00');
    expect(
      render(column('d', 'datetime', 'datetime', 'datetime(6)'), '0000-00-00 00:00:00.000000'),
    ).toBe('0000-00-00 00:00:00.000000');
    expect(render(column('t', 'time', 'time', 'time(3)'), '-838:59:59.000')).toBe('-838:59:59.000');
    expect(render(column('t', 'time', 'time', 'time'), '-100:00:01')).toBe('-100:00:01');
    expect(render(column('t', 'time', 'time', 'time(1)'), '-00:00:00.5')).toBe('-00:00:00.5');
  });

  it('prints YEAR with four digits, 0000 for the zero year', () => {
    const y = column('y', 'year', 'year', 'year(4)');
    expect(render(y, 2024)).toBe('2024');
    expect(render(y, 0)).toBe('0000');
  });

  it('prints TIMESTAMP in the requested zone, keeping fraction digits, across DST', () => {
    const ts = column('t', 'timestamp', 'timestamp', 'timestamp(3)', { scale: 3 });
    expect(render(ts, '2024-05-01 02:20:30.120', 'Asia/Shanghai')).toBe('2024-05-01 10:20:30.120');
    expect(render(ts, '2024-05-01 02:20:30.120', '-05:30')).toBe('2024-04-30 20:50:30.120');
    // New York: EST (-05:00) before 2024-03-10 07:00 UTC, EDT (-04:00) from then on.
    expect(render(ts, '2024-03-10 06:59:59.000', 'America/New_York')).toBe(
      '2024-03-10 01:59:59.000',
    );
    expect(render(ts, '2024-03-10 07:00:00.000', 'America/New_York')).toBe(
      '2024-03-10 03:00:00.000',
    );
    expect(render(ts, '0000-00-00 00:00:00.000', 'Asia/Shanghai')).toBe('0000-00-00 00:00:00.000');
  });

  it('rejects an unknown time zone with a stable error code', () => {
    expect(() =>
      render(
        column('t', 'timestamp', 'timestamp', 'timestamp'),
        '2024-01-01 00:00:00',
        'Mars/Olympus',
      ),
    ).toThrow(expect.objectContaining({ code: 'FORMAT_TIME_ZONE_INVALID' }));
  });

  it('keeps text and JSON text exactly as the source decoded it', () => {
    expect(
      render(column('c', 'char', 'varchar', 'varchar(5)', { charset: 'latin1' }), 'café'),
    ).toBe('café');
    expect(render(column('j', 'json', 'json', 'json'), '{"a": 1.5e300}')).toBe('{"a": 1.5e300}');
  });
});

describe("renderCanalValue with values: 'flink'", () => {
  const flink = (c: ColumnSchema, v: CellValue, timeZone = 'UTC') =>
    renderCanalValue(c, v, { timeZone, values: 'flink' });

  it('writes BINARY, VARBINARY, BLOB and GEOMETRY bytes in base64, BINARY(n) padding included', () => {
    const b4 = column('b', 'binary', 'binary', 'binary(4)');
    expect(flink(b4, Buffer.from([0x61, 0x62, 0, 0]))).toBe('YWIAAA==');
    expect(flink(b4, Buffer.alloc(4))).toBe('AAAAAA==');
    expect(flink(column('v', 'binary', 'varbinary', 'varbinary(10)'), Buffer.alloc(0))).toBe('');
    expect(flink(column('l', 'blob', 'blob', 'blob'), Buffer.from([0xde, 0xad, 0xbe, 0xef]))).toBe(
      '3q2+7w==',
    );
    expect(
      flink(column('g', 'geometry', 'point', 'point'), Buffer.from([0xe6, 0x10, 0, 0, 1])),
    ).toBe('5hAAAAE=');
  });

  it('writes BIT(1) as true or false and wider BIT in base64', () => {
    const b1 = column('b', 'bit', 'bit', 'bit(1)', { precision: 1 });
    expect(flink(b1, Buffer.from([1]))).toBe('true');
    expect(flink(b1, Buffer.from([0]))).toBe('false');
    const b12 = column('b', 'bit', 'bit', 'bit(12)', { precision: 12 });
    expect(flink(b12, Buffer.from([0x08, 0x01]))).toBe('CAE=');
    const b64 = column('b', 'bit', 'bit', 'bit(64)', { precision: 64 });
    expect(flink(b64, Buffer.alloc(8, 0xff))).toBe('//////////8=');
  });

  it('writes dates and datetimes with a zero month or day as null, others as Canal does', () => {
    const d = column('d', 'date', 'date', 'date');
    expect(flink(d, '0000-00-00')).toBeNull();
    expect(flink(d, '2024-00-10')).toBeNull();
    expect(flink(d, '2024-05-00')).toBeNull();
    expect(flink(d, '0000-01-01')).toBe('0000-01-01');
    expect(flink(d, '2024-02-29')).toBe('2024-02-29');
    const dt = column('d', 'datetime', 'datetime', 'datetime(6)', { scale: 6 });
    expect(flink(dt, '0000-00-00 00:00:00.000000')).toBeNull();
    expect(flink(dt, '2024-10-00 12:00:00.000000')).toBeNull();
    expect(flink(dt, '1000-01-01 00:00:00.000001')).toBe('1000-01-01 00:00:00.000001');
  });

  it('writes TIMESTAMP as the UTC instant with a Z whatever the zone, the zero TIMESTAMP as null', () => {
    const ts = column('t', 'timestamp', 'timestamp', 'timestamp(3)', { scale: 3 });
    expect(flink(ts, '2024-05-01 02:20:30.120', 'Asia/Shanghai')).toBe('2024-05-01 02:20:30.120Z');
    // Both instants of New York's repeated 01:30 keep their own text.
    expect(flink(ts, '2024-11-03 05:30:00.000', 'America/New_York')).toBe(
      '2024-11-03 05:30:00.000Z',
    );
    expect(flink(ts, '2024-11-03 06:30:00.000', 'America/New_York')).toBe(
      '2024-11-03 06:30:00.000Z',
    );
    expect(flink(ts, '0000-00-00 00:00:00.000', 'Asia/Shanghai')).toBeNull();
  });

  it('writes every other type as Canal does: TIME beyond a day, numbers, ENUM, SET, text', () => {
    const same: Array<[ColumnSchema, CellValue]> = [
      [column('t', 'time', 'time', 'time'), '-838:59:59'],
      [column('t', 'time', 'time', 'time(1)'), '24:00:00.5'],
      [column('i', 'integer', 'tinyint', 'tinyint(1)', { precision: 1 }), '1'],
      [column('d', 'decimal', 'decimal', 'decimal(10,2)', { precision: 10, scale: 2 }), '5.00'],
      [column('f', 'float', 'float', 'float'), 1.17549435e-38],
      [column('y', 'year', 'year', 'year(4)'), 0],
      [column('e', 'enum', 'enum', "enum('a','b')", { members: ['a', 'b'] }), 'b'],
      [column('s', 'set', 'set', "set('a','b')", { members: ['a', 'b'] }), 'a,b'],
      [column('c', 'char', 'varchar', 'varchar(5)', { charset: 'latin1' }), 'café'],
      [column('j', 'json', 'json', 'json'), '{"a": 1e20}'],
      [column('n', 'blob', 'blob', 'blob'), null],
    ];
    for (const [c, v] of same) {
      expect([c.columnType, flink(c, v)]).toEqual([c.columnType, render(c, v)]);
    }
  });
});

describe('canalSqlType', () => {
  const u = (dataType: string) => column('u', 'integer', dataType, `${dataType} unsigned`);
  it.each([
    ['tinyint', 5],
    ['smallint', 4],
    ['mediumint', 4],
    ['int', -5],
    ['bigint', 3],
  ])(
    'gives %s UNSIGNED the code %i under the per-column rule, whatever the value',
    (dataType, code) => {
      expect(canalSqlType(u(dataType), '1', 'column')).toBe(code);
      expect(canalSqlType(u(dataType), null, 'column')).toBe(code);
    },
  );

  it('promotes by value like Canal under the value rule', () => {
    expect(canalSqlType(u('int'), '2147483647', 'value')).toBe(4);
    expect(canalSqlType(u('int'), '2147483648', 'value')).toBe(-5);
    expect(canalSqlType(u('bigint'), '9223372036854775808', 'value')).toBe(3);
    expect(canalSqlType(u('tinyint'), '128', 'value')).toBe(5);
    expect(canalSqlType(u('tinyint'), null, 'value')).toBe(-6);
  });

  it("uses Canal 1.1.7's codes for each family, with a value and as NULL", () => {
    const cases: Array<[ColumnSchema, number, number]> = [
      [column('a', 'integer', 'tinyint', 'tinyint(1)'), -6, -6],
      [column('a', 'decimal', 'decimal', 'decimal(5,2)'), 3, 3],
      [column('a', 'float', 'float', 'float'), 7, 7],
      [column('a', 'double', 'double', 'double'), 8, 8],
      [column('a', 'bit', 'bit', 'bit(1)'), -7, -7],
      [column('a', 'year', 'year', 'year(4)'), 12, 12],
      [column('a', 'date', 'date', 'date'), 91, 91],
      [column('a', 'time', 'time', 'time'), 92, 92],
      [column('a', 'datetime', 'datetime', 'datetime'), 93, 93],
      [column('a', 'timestamp', 'timestamp', 'timestamp'), 93, 93],
      [column('a', 'char', 'char', 'char(2)'), 1, 1],
      [column('a', 'char', 'varchar', 'varchar(2)'), 12, 12],
      [column('a', 'char', 'uuid', 'uuid'), 1, 1],
      [column('a', 'char', 'inet4', 'inet4'), 1, 1],
      [column('a', 'char', 'inet6', 'inet6'), 1, 1],
      [column('a', 'text', 'text', 'text'), 2005, 2005],
      [column('a', 'text', 'tinytext', 'tinytext'), 2005, 2005],
      [column('a', 'text', 'longtext', 'longtext'), 2005, 2005],
      [column('a', 'binary', 'binary', 'binary(2)'), 2004, 2004],
      [column('a', 'binary', 'varbinary', 'varbinary(2)'), 2004, 2004],
      [column('a', 'blob', 'tinyblob', 'tinyblob'), 2004, 2004],
      [column('a', 'blob', 'longblob', 'longblob'), 2004, 2004],
      [column('a', 'geometry', 'point', 'point'), 2004, 2004],
      [column('a', 'enum', 'enum', "enum('x')"), 4, 4],
      [column('a', 'set', 'set', "set('x')"), -7, 2004],
      [column('a', 'json', 'json', 'json'), 12, 1111],
      // MariaDB's JSON is LONGTEXT: Canal sees a TEXT column.
      [column('a', 'json', 'longtext', 'longtext'), 2005, 2005],
      // A MariaDB JSON column declared by DDL during the stream: Canal keeps the declared type.
      [column('a', 'json', 'longtext', 'JSON'), 2004, 2004],
    ];
    for (const [c, nonNull, isNull] of cases) {
      expect([c.columnType, canalSqlType(c, 'x', 'column')]).toEqual([c.columnType, nonNull]);
      expect([c.columnType, canalSqlType(c, null, 'column')]).toEqual([c.columnType, isNull]);
    }
  });
});

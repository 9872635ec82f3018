import { describe, expect, it } from 'vitest';
import { decimalBytes } from './binlog-fixtures';
import { decimalBinaryLength, decodeDecimal } from './decimal';

describe('decodeDecimal', () => {
  it('reads the documented example DECIMAL(14,4) 1234567890.1234 and its negative', () => {
    // MySQL strings/decimal.cc, decimal2bin(): "1234567890.1234" as DECIMAL(14,4).
    expect(decodeDecimal(Buffer.from('810DFB38D204D2', 'hex'), 0, 14, 4)).toBe('1234567890.1234');
    expect(decodeDecimal(Buffer.from('7EF204C72DFB2D', 'hex'), 0, 14, 4)).toBe('-1234567890.1234');
  });

  it.each([
    ['0.00', 10, 2],
    ['12.50', 10, 2],
    ['-0.01', 10, 2],
    ['99999999.99', 10, 2],
    ['-99999999.99', 10, 2],
    ['0', 1, 0],
    ['-9', 1, 0],
    ['12345678901234567890123456789012345678901234567890123456789012345', 65, 0],
    ['-12345678901234567890123456789012345.678901234567890123456789012345', 65, 30],
    ['0.000000000000000000000000000001', 31, 30],
    ['123456789.123456789', 18, 9],
    ['18446744073709551615', 20, 0],
  ])('decodes %s as DECIMAL(%i,%i) exactly', (text, precision, scale) => {
    const bytes = decimalBytes(text, precision, scale);
    expect(bytes.length).toBe(decimalBinaryLength(precision, scale));
    expect(decodeDecimal(bytes, 0, precision, scale)).toBe(text);
  });

  it('decodes at an offset inside a larger buffer', () => {
    const bytes = Buffer.concat([Buffer.from([1, 2, 3]), decimalBytes('-3.14', 5, 2)]);
    expect(decodeDecimal(bytes, 3, 5, 2)).toBe('-3.14');
  });
});

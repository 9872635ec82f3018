import { describe, expect, it } from 'vitest';
import { decimalBytes, jsonBinary as binaryJson } from './binlog-fixtures';
import { formatJsonDouble, jsonBinaryToText, quoteJsonString } from './json-binary';

function text(bytes: Buffer): string {
  return jsonBinaryToText(bytes, 0, bytes.length);
}

describe('jsonBinaryToText', () => {
  it('prints objects and arrays with MySQL separators and stored key order', () => {
    expect(text(binaryJson({ b: [1, true, null], a: 'x', cc: { z: false } }))).toBe(
      '{"a": "x", "b": [1, true, null], "cc": {"z": false}}',
    );
    expect(text(binaryJson({ b: [1, true, null], a: 'x' }, true))).toBe(
      '{"a": "x", "b": [1, true, null]}',
    );
    expect(text(binaryJson([]))).toBe('[]');
    expect(text(binaryJson({}))).toBe('{}');
  });

  it('prints scalars at the top level', () => {
    expect(text(binaryJson(null))).toBe('null');
    expect(text(binaryJson('héllo 😀'))).toBe('"héllo 😀"');
    expect(text(binaryJson(2 ** 53))).toBe('9007199254740992');
    expect(text(binaryJson(1.5))).toBe('1.5');
    expect(text(binaryJson(-42))).toBe('-42');
  });

  it('escapes strings as MySQL does', () => {
    expect(quoteJsonString('a"b\\c\n\t\u0001/')).toBe('"a\\"b\\\\c\\n\\t\\u0001/"');
  });

  it('adds .0 to integral doubles and drops the exponent sign', () => {
    expect(formatJsonDouble(1)).toBe('1.0');
    expect(formatJsonDouble(-0.5)).toBe('-0.5');
    expect(formatJsonDouble(1e300)).toBe('1e300');
    expect(formatJsonDouble(1.5e-7)).toBe('1.5e-7');
  });

  it('prints DECIMAL opaque values bare and DATETIME opaque values quoted with 6 digits', () => {
    const decimal = Buffer.concat([Buffer.from([10, 2]), decimalBytes('-12.50', 10, 2)]);
    expect(text(binaryJson([{ opaque: 246, data: decimal }]))).toBe('[-12.50]');
    const ymd = ((2024 * 13 + 2) << 5) | 29;
    const hms = (23 << 12) | (59 << 6) | 58;
    const packed = Buffer.alloc(8);
    packed.writeBigInt64LE((((BigInt(ymd) << 17n) | BigInt(hms)) << 24n) | 123456n);
    expect(text(binaryJson([{ opaque: 12, data: packed }]))).toBe('["2024-02-29 23:59:58.123456"]');
    expect(text(binaryJson([{ opaque: 252, data: Buffer.from('hi') }]))).toBe(
      '["base64:type252:aGk="]',
    );
  });

  it('treats an empty value as the JSON null', () => {
    expect(jsonBinaryToText(Buffer.alloc(0), 0, 0)).toBe('null');
  });
});

import { describe, expect, it } from 'vitest';
import { decimalBytes } from './binlog-fixtures';
import { formatJsonDouble, jsonBinaryToText, quoteJsonString } from './json-binary';

/** Builds MySQL binary JSON (json_binary.h layout) for tests: small containers only. */
type Json =
  | null
  | boolean
  | number
  | string
  | Json[]
  | { [key: string]: Json }
  | { opaque: number; data: Buffer };

function varLength(length: number): Buffer {
  const bytes: number[] = [];
  let rest = length;
  do {
    let byte = rest & 0x7f;
    rest >>= 7;
    if (rest > 0) byte |= 0x80;
    bytes.push(byte);
  } while (rest > 0);
  return Buffer.from(bytes);
}

function encodeValue(
  value: Json,
  large: boolean,
): { type: number; inline: number | null; data: Buffer } {
  if (value === null) return { type: 0x04, inline: 0, data: Buffer.alloc(0) };
  if (value === true) return { type: 0x04, inline: 1, data: Buffer.alloc(0) };
  if (value === false) return { type: 0x04, inline: 2, data: Buffer.alloc(0) };
  if (typeof value === 'number') {
    if (Number.isInteger(value) && value >= -32768 && value <= 32767)
      return { type: 0x05, inline: value & 0xffff, data: Buffer.alloc(0) };
    if (Number.isInteger(value)) {
      const data = Buffer.alloc(8);
      data.writeBigInt64LE(BigInt(value));
      return { type: 0x09, inline: null, data };
    }
    const data = Buffer.alloc(8);
    data.writeDoubleLE(value);
    return { type: 0x0b, inline: null, data };
  }
  if (typeof value === 'string') {
    const text = Buffer.from(value);
    return { type: 0x0c, inline: null, data: Buffer.concat([varLength(text.length), text]) };
  }
  if (Array.isArray(value))
    return { type: large ? 0x03 : 0x02, inline: null, data: encodeContainer(value, null, large) };
  if ('opaque' in value && Buffer.isBuffer(value.data)) {
    const opaque = value as { opaque: number; data: Buffer };
    return {
      type: 0x0f,
      inline: null,
      data: Buffer.concat([
        Buffer.from([opaque.opaque]),
        varLength(opaque.data.length),
        opaque.data,
      ]),
    };
  }
  const keys = Object.keys(value).sort((a, b) => a.length - b.length || (a < b ? -1 : 1));
  return {
    type: large ? 0x01 : 0x00,
    inline: null,
    data: encodeContainer(
      keys.map((key) => (value as Record<string, Json>)[key] as Json),
      keys,
      large,
    ),
  };
}

function encodeContainer(values: Json[], keys: string[] | null, large: boolean): Buffer {
  const word = large ? 4 : 2;
  const header = 2 * word + (keys ? keys.length * (word + 2) : 0) + values.length * (1 + word);
  const keyBytes = (keys ?? []).map((key) => Buffer.from(key));
  const encoded = values.map((value) => encodeValue(value, large));
  let offset = header + keyBytes.reduce((sum, key) => sum + key.length, 0);
  const valueOffsets = encoded.map((entry) => {
    if (entry.inline !== null) return -1;
    const at = offset;
    offset += entry.data.length;
    return at;
  });
  const out = Buffer.alloc(offset);
  const writeWord = (value: number, at: number): void => {
    if (large) out.writeUInt32LE(value, at);
    else out.writeUInt16LE(value, at);
  };
  writeWord(values.length, 0);
  writeWord(offset, word);
  let p = 2 * word;
  let keyOffset = header;
  for (const key of keyBytes) {
    writeWord(keyOffset, p);
    out.writeUInt16LE(key.length, p + word);
    key.copy(out, keyOffset);
    keyOffset += key.length;
    p += word + 2;
  }
  encoded.forEach((entry, i) => {
    out[p] = entry.type;
    if (entry.inline !== null) writeWord(entry.inline, p + 1);
    else {
      writeWord(valueOffsets[i]!, p + 1);
      entry.data.copy(out, valueOffsets[i]!);
    }
    p += 1 + word;
  });
  return out;
}

function binaryJson(value: Json, large = false): Buffer {
  const { type, inline, data } = encodeValue(value, large);
  if (inline !== null) {
    const out = Buffer.alloc(3);
    out[0] = type;
    out.writeUInt16LE(inline, 1);
    return out.subarray(0, type === 0x04 ? 2 : 3);
  }
  return Buffer.concat([Buffer.from([type]), data]);
}

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

import { crc32 as zlibCrc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { crc32, NATIVE_FROM_BYTES } from './crc32';

describe('crc32', () => {
  it('matches zlib on every length around the native threshold and at any offset', () => {
    const bytes = Buffer.alloc(NATIVE_FROM_BYTES * 2 + 16);
    for (let i = 0; i < bytes.length; i += 1) bytes[i] = (i * 151 + 7) & 0xff;
    for (let start = 0; start < 9; start += 1) {
      for (let length = 0; length <= NATIVE_FROM_BYTES + 9; length += 1) {
        expect(crc32(bytes, start, start + length)).toBe(
          zlibCrc32(bytes.subarray(start, start + length)),
        );
      }
    }
  });

  it('gives the check value of the CRC-32/ISO-HDLC catalogue', () => {
    const check = Buffer.from('123456789');
    expect(crc32(check, 0, check.length)).toBe(0xcbf43926);
  });
});

import { describe, expect, it } from 'vitest';
import { mariadbBinaryTextDecoder } from './mariadb-binary-types';

// Expected texts are what MariaDB 10.11 prints for `CAST(x'…' AS INET6)` / `AS UUID` / INET4.
function decode(dataType: string, hex: string): string {
  const bytes = Buffer.from(hex, 'hex');
  return mariadbBinaryTextDecoder(dataType)!(bytes, 0, bytes.length);
}

describe('MariaDB binary-backed types from binlog bytes', () => {
  it('prints a UUID in lower-case hex with hyphens, restoring stripped trailing zero bytes', () => {
    expect(decode('uuid', '123e4567e89b12d3a45642665544')).toBe(
      '123e4567-e89b-12d3-a456-426655440000',
    );
    expect(decode('uuid', '')).toBe('00000000-0000-0000-0000-000000000000');
    expect(decode('uuid', 'FFFFFFFFFFFF6FFFBFFFFFFFFFFFFFFF')).toBe(
      'ffffffff-ffff-6fff-bfff-ffffffffffff',
    );
  });

  it('prints INET4 in dotted decimal', () => {
    expect(decode('inet4', 'c0a80001')).toBe('192.168.0.1');
    expect(decode('inet4', '0a')).toBe('10.0.0.0');
    expect(decode('inet4', '')).toBe('0.0.0.0');
  });

  it('prints INET6 as MariaDB does: the first longest zero run as ::, even a single group', () => {
    const cases: Array<[string, string]> = [
      ['20010db8000000000000000000000001', '2001:db8::1'],
      ['', '::'],
      ['00000000000000000000000000000001', '::1'],
      ['00010000000200000000000300000004', '1:0:2::3:0:4'],
      ['00010000000200030004000500060007', '1::2:3:4:5:6:7'],
      ['00010000000000020000000000030000', '1::2:0:0:3:0'],
      ['00010002000300040005000600070000', '1:2:3:4:5:6:7::'],
      ['ffff000000000000000000000000ffff', 'ffff::ffff'],
      ['abcd00ef0000000000000000000000', 'abcd:ef::'],
    ];
    for (const [hex, text] of cases) expect(decode('inet6', hex), hex).toBe(text);
  });

  it('ends IPv4-mapped and IPv4-compatible INET6 addresses in dotted decimal', () => {
    expect(decode('inet6', '00000000000000000000ffff01020304')).toBe('::ffff:1.2.3.4');
    expect(decode('inet6', '00000000000000000000ffff')).toBe('::ffff:0.0.0.0');
    expect(decode('inet6', '00000000000000000000000001020304')).toBe('::1.2.3.4');
    // Seven zero groups is not IPv4-compatible: the last group prints as hex.
    expect(decode('inet6', '00000000000000000000000000000304')).toBe('::304');
    expect(decode('inet6', '00000000000000000001ffff01020304')).toBe('::1:ffff:102:304');
  });

  it('leaves other types to the charset decoders', () => {
    expect(mariadbBinaryTextDecoder('varchar')).toBeNull();
  });
});

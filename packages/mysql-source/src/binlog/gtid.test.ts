import { describe, expect, it } from 'vitest';
import { decodeMysqlGtidSet } from './event-decoder';
import { MysqlGtidSet } from './gtid';

const A = '3e11fa47-71ca-11e1-9e33-c80aa9429562';
const B = 'a1b2c3d4-0000-1111-2222-333344445555';

describe('MySQL GTID sets with tags (MySQL 8.3+)', () => {
  it('reads tags among the intervals, each applying to the intervals after it', () => {
    const set = MysqlGtidSet.parse(
      `${B}:7, ${A.toUpperCase()}:Orders:1-3:5,${A}:1-5:billing:2,${A}:orders:4`,
    );
    expect(set.toString()).toBe(`${A}:1-5:billing:2:orders:1-5,${B}:7`);
  });

  it('adds tagged GTIDs by their TSID and keeps the untagged ones apart', () => {
    const set = MysqlGtidSet.parse(`${A}:1-5`);
    set.add(`${A}:orders`, 1n);
    set.add(`${A}:orders`, 2n);
    set.add(A, 6n);
    expect(set.toString()).toBe(`${A}:1-6:orders:1-2`);
  });

  it('refuses tags that are not identifiers and entries without intervals', () => {
    for (const text of [`${A}:1-5:9tag:1`, `${A}:orders`, `${A}:${'t'.repeat(33)}:1`]) {
      expect(() => MysqlGtidSet.parse(text)).toThrow(
        expect.objectContaining({ code: 'BINLOG_GTID_INVALID' }),
      );
    }
  });

  it('encodes untagged sets in the format every server reads', () => {
    const encoded = MysqlGtidSet.parse(`${A}:1-5:7`).encode();
    expect(encoded.readBigUInt64LE(0)).toBe(1n);
    expect(encoded.length).toBe(8 + 16 + 8 + 2 * 16);
    expect(decodeMysqlGtidSet(encoded, 0)).toBe(`${A}:1-5:7`);
  });

  it('encodes a set with tags in the tagged format, which decodes to the same set', () => {
    const text = `${A}:1-5:orders:1-3,${B}:billing:9`;
    const encoded = MysqlGtidSet.parse(text).encode();
    // Format 1 in the top and bottom bytes, 3 TSIDs between.
    expect(encoded.readBigUInt64LE(0)).toBe((1n << 56n) | (3n << 8n) | 1n);
    expect(decodeMysqlGtidSet(encoded, 0)).toBe(text);
  });

  it('prints the same text after each added GTID as a copy printed from scratch', () => {
    // Runs of consecutive GTIDs on several TSIDs with gaps: the text is redone around the
    // extended interval, and must match a full print every time.
    const set = MysqlGtidSet.parse(`${B}:1-3,${A}:1-5:9`);
    const steps: Array<[string, bigint]> = [
      [A, 10n],
      [A, 11n],
      [A, 6n],
      [A, 7n],
      [A, 8n],
      [B, 4n],
      [B, 5n],
      [A, 12n],
      [`${A}:orders`, 1n],
      [`${A}:orders`, 2n],
      [A, 13n],
      [B, 9n],
      [B, 10n],
      [B, 6n],
    ];
    for (const [tsid, gno] of steps) {
      set.add(tsid, gno);
      expect(set.toString()).toBe(set.clone().toString());
    }
    expect(set.toString()).toBe(`${A}:1-13:orders:1-2,${B}:1-6:9-10`);
  });
});

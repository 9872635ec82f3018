import type { ColumnSchema, TableSchema } from '@tidewater/change-events';
import { describe, expect, it } from 'vitest';
import {
  chooseSnapshotKey,
  chunkBoundarySql,
  chunkSelectSql,
  fullScanSql,
  keyIdentity,
  keyLiteral,
  stringLiteral,
} from './snapshot-sql';

function column(
  name: string,
  family: ColumnSchema['family'],
  extra: Partial<ColumnSchema> = {},
): ColumnSchema {
  return {
    name,
    dataType: family,
    columnType: family,
    family,
    nullable: false,
    unsigned: false,
    precision: null,
    scale: null,
    charset: null,
    members: null,
    ...extra,
  };
}

const schema: TableSchema = {
  database: 'shop',
  table: 'order lines',
  columns: [
    column('order`id', 'integer'),
    column('line', 'integer'),
    column('f', 'float'),
    column('note', 'text'),
  ],
  primaryKey: ['order`id', 'line'],
  uniqueKeys: {},
};
const key = chooseSnapshotKey(schema, [
  {
    name: 'PRIMARY',
    columns: ['order`id', 'line'],
    hasPrefixColumn: false,
    hasNullableColumn: false,
  },
]);

describe('snapshot SQL', () => {
  it('pages a composite key with an index-friendly comparison', () => {
    if (key === null) throw new Error('no key');
    expect(
      chunkSelectSql({
        schema,
        key,
        after: ['7', '3'],
        upTo: null,
        filterSql: '(`note` = 1)',
        limit: 100,
      }),
    ).toBe(
      'SELECT `order``id`, `line`, (`f` * 1e0), `note` FROM `shop`.`order lines`' +
        ' WHERE (`order``id` >= 7 AND ((`order``id` > 7) OR (`order``id` = 7 AND `line` > 3)))' +
        ' AND (`note` = 1) ORDER BY `order``id`, `line` LIMIT 100',
    );
  });

  it('bounds a parallel chunk by the boundary key, inclusive', () => {
    if (key === null) throw new Error('no key');
    expect(
      chunkSelectSql({ schema, key, after: null, upTo: ['9', '1'], filterSql: null, limit: null }),
    ).toBe(
      'SELECT `order``id`, `line`, (`f` * 1e0), `note` FROM `shop`.`order lines`' +
        ' WHERE (`order``id` <= 9 AND ((`order``id` < 9) OR (`order``id` = 9 AND `line` < 1) OR (`order``id` = 9 AND `line` = 1)))' +
        ' ORDER BY `order``id`, `line`',
    );
    expect(chunkBoundarySql(schema, key, ['1', '2'], 500)).toMatch(
      /ORDER BY `order``id`, `line` LIMIT 1 OFFSET 499$/,
    );
  });

  it('reads a keyless table in one pass and skips what was emitted on resume', () => {
    expect(fullScanSql(schema, null, 0)).toBe(
      'SELECT `order``id`, `line`, (`f` * 1e0), `note` FROM `shop`.`order lines`',
    );
    expect(fullScanSql(schema, '(`line` > 1)', 5)).toMatch(
      /WHERE \(`line` > 1\) LIMIT 5, 18446744073709551615$/,
    );
  });

  it('prefers the primary key and skips nullable or prefix unique keys', () => {
    const keyless: TableSchema = { ...schema, primaryKey: [] };
    expect(
      chooseSnapshotKey(keyless, [
        { name: 'u1', columns: ['note'], hasPrefixColumn: true, hasNullableColumn: false },
        { name: 'u2', columns: ['line'], hasPrefixColumn: false, hasNullableColumn: true },
      ]),
    ).toBeNull();
    expect(
      chooseSnapshotKey(keyless, [
        { name: 'u3', columns: ['line'], hasPrefixColumn: false, hasNullableColumn: false },
      ])?.indexes,
    ).toEqual([1]);
  });

  it.each([
    [column('i', 'integer'), '-18446744073709551615', '-18446744073709551615'],
    [column('d', 'decimal'), '12.50', '12.50'],
    [column('e', 'enum', { members: ['b', 'a'] }), 'a', '2'],
    [column('e', 'enum', { members: ['b', 'a'] }), '', '0'],
    [column('s', 'set', { members: ['x', 'y', 'z'] }), 'x,z', '5'],
    [column('b', 'bit'), { hex: '0102' }, '258'],
    [column('v', 'binary'), { hex: '00ff' }, "X'00ff'"],
    [column('t', 'datetime'), '2024-01-02 03:04:05.123456', "'2024-01-02 03:04:05.123456'"],
    [column('c', 'char'), "it's \\ \u0000", "'it\\'s \\\\ \\0'"],
    [column('g', 'double'), 0.1, '1e-1'],
  ])('writes key %# as a literal that sorts like the column', (keyColumn, value, literal) => {
    expect(keyLiteral(keyColumn, value)).toBe(literal);
  });

  it('refuses a key value that does not fit the column', () => {
    expect(() => keyLiteral(column('i', 'integer'), '1 OR 1=1')).toThrow(/does not fit/);
    expect(() => keyLiteral(column('e', 'enum', { members: ['a'] }), 'zz')).toThrow(/does not fit/);
  });

  it('escapes string literals for a session with backslash escapes', () => {
    expect(stringLiteral('a\'b"c\\d\ne\u001a')).toBe("'a\\'b\\\"c\\\\d\\ne\\Z'");
  });

  it('tells keys apart by value and type', () => {
    expect(keyIdentity(['1', '2'])).not.toBe(keyIdentity(['12']));
    expect(keyIdentity([Buffer.from('a')])).not.toBe(keyIdentity(['61']));
    expect(keyIdentity(['1'])).toBe(keyIdentity(['1']));
  });
});

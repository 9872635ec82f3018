import type { TableSchema } from '@tidewater/change-events';
import { describe, expect, it } from 'vitest';
import { createNameMapping } from './name-mapping';
import { testColumn } from '@tidewater/change-events/testing';

const dml = ['insert', 'update', 'delete'] as Array<'insert' | 'update' | 'delete'>;
const schema: TableSchema = {
  database: 'Shop',
  table: 'Orders',
  columns: [
    testColumn('Id', 'integer', 'int', 'int(11)'),
    testColumn('Note', 'char', 'varchar', 'varchar(9)'),
  ],
  primaryKey: ['Id'],
  uniqueKeys: { uk: ['Note'] },
};

describe('createNameMapping', () => {
  it('hands back the same schema when nothing maps', () => {
    const mapping = createNameMapping([], 'default');
    expect(mapping.isIdentity).toBe(true);
    expect(mapping.tableSchema(schema)).toBe(schema);
  });

  it('renames the database of every table in it, and a table by its own rename', () => {
    const mapping = createNameMapping(
      [
        { kind: 'database', database: 'Shop', rename: 'store', dml },
        { kind: 'table', database: 'Shop', table: 'Orders', rename: 'purchases', dml },
      ],
      'source',
    );
    expect(mapping.database('Shop')).toBe('store');
    expect(mapping.table('Shop', 'Orders')).toBe('purchases');
    expect(mapping.table('Shop', 'Items')).toBe('Items');
    expect(mapping.table('Other', 'Orders')).toBe('Orders');
  });

  it('capitalizes every name not renamed, columns and keys included, and caches the result', () => {
    const mapping = createNameMapping(
      [{ kind: 'table', database: 'Shop', table: 'Orders', rename: 'MixedCase', dml }],
      'lower',
    );
    const mapped = mapping.tableSchema(schema);
    expect(mapped).toMatchObject({
      database: 'shop',
      table: 'MixedCase',
      primaryKey: ['id'],
      uniqueKeys: { uk: ['note'] },
    });
    expect(mapped.columns.map((c) => c.name)).toEqual(['id', 'note']);
    expect(mapping.tableSchema(schema)).toBe(mapped);
    expect(createNameMapping([], 'upper').tableSchema(schema).table).toBe('ORDERS');
  });
});

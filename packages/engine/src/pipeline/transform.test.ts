import type {
  ChangeEvent,
  DdlEvent,
  RowImage,
  TableSchema,
  UpdateEvent,
} from '@tidewater/change-events';
import { testColumn } from '@tidewater/change-events/testing';
import type { SelectedObject, TaskConfig } from '@tidewater/config';
import { describe, expect, it } from 'vitest';
import { createTransform, renameCreateTable, type FilterCompiler } from './transform';

const base = { timestamp: 1_000, position: null, gtid: null, serverId: 1 };

function table(database: string, name: string): TableSchema {
  return {
    database,
    table: name,
    columns: [
      testColumn('id', 'integer', 'int', 'int(11)', { precision: 4 }),
      testColumn('status', 'char', 'varchar', 'varchar(9)'),
    ],
    primaryKey: ['id'],
    uniqueKeys: {},
  };
}
const orders = table('shop', 'orders');
const items = table('shop', 'items');
const users = table('crm', 'users');

const insert = (schema: TableSchema, ...rows: RowImage[]): ChangeEvent => ({
  ...base,
  kind: 'insert',
  schema,
  rows,
});
const update = (schema: TableSchema, ...rows: Array<[RowImage, RowImage]>): UpdateEvent => ({
  ...base,
  kind: 'update',
  schema,
  rows: rows.map(([before, after]) => ({ before, after })),
});
const ddl = (database: string, name: string): DdlEvent => ({
  ...base,
  kind: 'ddl',
  database,
  table: name,
  ddlKind: 'ALTER',
  sql: 'ALTER TABLE x ADD COLUMN y INT',
  isParsed: true,
});

function transformOf(
  objects: SelectedObject[],
  capitalization: TaskConfig['advanced']['capitalization'] = 'default',
  compileFilter: FilterCompiler | null = null,
) {
  return createTransform(
    { objects, advanced: { capitalization } as TaskConfig['advanced'] },
    compileFilter,
  );
}

describe('selection and DML operations', () => {
  const transform = transformOf([
    { kind: 'database', database: 'shop', dml: ['insert', 'update', 'delete'] },
    { kind: 'table', database: 'shop', table: 'items', dml: ['insert'] },
  ]);

  it('keeps changes of selected tables and drops the rest', () => {
    expect(transform.apply(insert(orders, ['1', 'new']))).not.toBeNull();
    expect(transform.apply(insert(users, ['1', 'new']))).toBeNull();
  });

  it('keeps only the operations chosen for a table, the table overriding its database', () => {
    expect(
      transform.apply(
        update(items, [
          ['1', 'a'],
          ['1', 'b'],
        ]),
      ),
    ).toBeNull();
    expect(transform.apply(insert(items, ['1', 'a']))).not.toBeNull();
    expect(
      transform.apply(
        update(orders, [
          ['1', 'a'],
          ['1', 'b'],
        ]),
      ),
    ).not.toBeNull();
  });

  it('keeps DDL of selected tables and of databases holding selected tables', () => {
    expect(transform.apply(ddl('shop', 'anything'))).not.toBeNull();
    expect(transform.apply(ddl('shop', ''))).not.toBeNull();
    expect(transform.apply(ddl('crm', 'users'))).toBeNull();
    expect(
      transformOf([{ kind: 'table', database: 'crm', table: 'users', dml: ['insert'] }]).apply(
        ddl('crm', ''),
      ),
    ).not.toBeNull();
  });

  it('passes transaction markers and heartbeats unchanged', () => {
    const commit: ChangeEvent = { ...base, kind: 'commit', xid: '7' };
    expect(transform.apply(commit)).toBe(commit);
  });

  it('tells which tables are selected, for tables created later', () => {
    expect(transform.isSelectedTable('shop', 'created_later')).toBe(true);
    expect(transform.isSelectedTable('crm', 'users')).toBe(false);
  });
});

describe('row filter', () => {
  // A stand-in compiler for `status = 'paid'`; the real one is mysql-source's evaluator.
  const compile: FilterCompiler = (filter, schema) => {
    expect(filter).toBe("status = 'paid'");
    const index = schema.columns.findIndex((column) => column.name === 'status');
    return (image) => image[index] === 'paid';
  };
  const transform = transformOf(
    [
      {
        kind: 'table',
        database: 'shop',
        table: 'orders',
        dml: ['insert', 'update', 'delete'],
        filter: "status = 'paid'",
      },
    ],
    'default',
    compile,
  );

  it('keeps inserted and deleted rows that match, and drops an event with none', () => {
    const kept = transform.apply(insert(orders, ['1', 'paid'], ['2', 'open'], ['3', 'paid']));
    expect(kept).toMatchObject({
      rows: [
        ['1', 'paid'],
        ['3', 'paid'],
      ],
    });
    expect(transform.apply(insert(orders, ['2', 'open']))).toBeNull();
  });

  it('keeps an update whose before or after image matches (rows entering and leaving)', () => {
    const kept = transform.apply(
      update(
        orders,
        [
          ['1', 'open'],
          ['1', 'paid'],
        ],
        [
          ['2', 'paid'],
          ['2', 'sent'],
        ],
        [
          ['3', 'open'],
          ['3', 'sent'],
        ],
      ),
    );
    expect(kept).toMatchObject({ rows: [{ after: ['1', 'paid'] }, { before: ['2', 'paid'] }] });
  });

  it('leaves snapshot chunks to the snapshot SQL', () => {
    const chunk: ChangeEvent = { ...base, kind: 'snapshot', schema: orders, rows: [['2', 'open']] };
    expect(transform.apply(chunk)).toBe(chunk);
  });

  it('compiles a filter once per schema version', () => {
    let compiled = 0;
    const counting = transformOf(
      [{ kind: 'table', database: 'shop', table: 'orders', dml: ['insert'], filter: 'id > 1' }],
      'default',
      () => {
        compiled += 1;
        return () => true;
      },
    );
    counting.apply(insert(orders, ['1', 'a']));
    counting.apply(insert(orders, ['2', 'a']));
    counting.apply(insert(table('shop', 'orders'), ['3', 'a']));
    expect(compiled).toBe(2);
  });
});

describe('names', () => {
  it('renames databases, tables and DDL and applies capitalization to the rest', () => {
    const transform = transformOf(
      [
        { kind: 'database', database: 'shop', rename: 'Store', dml: ['insert'] },
        { kind: 'table', database: 'shop', table: 'orders', rename: 'Purchases', dml: ['insert'] },
      ],
      'upper',
    );
    const event = transform.apply(insert(orders, ['1', 'a']));
    expect(event).toMatchObject({
      schema: { database: 'Store', table: 'Purchases', primaryKey: ['ID'] },
    });
    expect(transform.apply(ddl('shop', 'items'))).toMatchObject({
      database: 'Store',
      table: 'ITEMS',
    });
  });

  it('returns the same event when nothing is renamed', () => {
    const transform = transformOf([{ kind: 'database', database: 'shop', dml: ['insert'] }]);
    const event = insert(orders, ['1', 'a']);
    expect(transform.apply(event)).toBe(event);
  });
});

describe('renameCreateTable', () => {
  it('puts the destination name into SHOW CREATE TABLE text', () => {
    expect(renameCreateTable('CREATE TABLE `orders` (\n  `id` int)', 'Purchases')).toBe(
      'CREATE TABLE `Purchases` (\n  `id` int)',
    );
    expect(renameCreateTable('CREATE TABLE `we``ird` (x int)', 'a`b')).toBe(
      'CREATE TABLE `a``b` (x int)',
    );
    expect(renameCreateTable('create table if not exists t1 (x int)', 't2')).toBe(
      'create table if not exists `t2` (x int)',
    );
  });
});

import { describe, expect, it } from 'vitest';
import { parseDdl } from './ddl-parser';
import { SchemaState } from './schema-history';

function apply(state: SchemaState, sql: string, database = 'db'): SchemaState {
  return state.apply(parseDdl(sql, database, { isMariadb: false }).changes).state;
}

describe('SchemaState', () => {
  const empty = SchemaState.create({
    serverCharset: 'utf8mb4',
    isCaseInsensitive: false,
    databases: { db: 'latin1' },
  });

  it('follows create, add, drop, rename and change of columns in order', () => {
    let state = apply(
      empty,
      'CREATE TABLE t (id INT PRIMARY KEY, a VARCHAR(10), b INT, UNIQUE KEY ub (b))',
    );
    expect(state.getTable('db', 't')!.schema.columns.map((c) => c.name)).toEqual(['id', 'a', 'b']);
    expect(state.getTable('db', 't')!.schema.columns[1]!.charset).toBe('latin1');
    state = apply(state, 'ALTER TABLE t ADD COLUMN z INT UNSIGNED FIRST, ADD c TEXT AFTER a');
    expect(state.getTable('db', 't')!.schema.columns.map((c) => c.name)).toEqual([
      'z',
      'id',
      'a',
      'c',
      'b',
    ]);
    state = apply(
      state,
      'ALTER TABLE t DROP COLUMN b, RENAME COLUMN a TO a2, CHANGE id id2 BIGINT',
    );
    const schema = state.getTable('db', 't')!.schema;
    expect(schema.columns.map((c) => c.name)).toEqual(['z', 'id2', 'a2', 'c']);
    expect(schema.primaryKey).toEqual(['id2']);
    expect(schema.uniqueKeys).toEqual({});
    expect(schema.columns[1]).toMatchObject({ family: 'integer', precision: 8, nullable: false });
  });

  it('follows column collations: COLLATE, the table default for columns without a charset, unknown otherwise', () => {
    const seeded = SchemaState.create({
      serverCharset: 'utf8mb4',
      isCaseInsensitive: false,
      databases: { db: 'utf8mb4' },
      tables: [
        {
          defaultCharset: 'utf8mb4',
          defaultCollation: 'utf8mb4_unicode_ci',
          schema: { database: 'db', table: 't', columns: [], primaryKey: [], uniqueKeys: {} },
        },
      ],
    });
    let state = apply(
      seeded,
      "ALTER TABLE t ADD a VARCHAR(5), ADD b VARCHAR(5) COLLATE utf8mb4_bin, ADD c VARCHAR(5) CHARACTER SET latin1, ADD d INT, ADD e ENUM('x') COLLATE utf8mb4_general_ci",
    );
    const collations = (): Array<string | null | undefined> =>
      state.getTable('db', 't')!.schema.columns.map((c) => c.collation);
    expect(collations()).toEqual([
      'utf8mb4_unicode_ci',
      'utf8mb4_bin',
      null,
      null,
      'utf8mb4_general_ci',
    ]);
    state = apply(state, 'ALTER TABLE t RENAME COLUMN b TO b2, MODIFY a VARCHAR(9)');
    expect(collations()).toEqual([
      'utf8mb4_unicode_ci',
      'utf8mb4_bin',
      null,
      null,
      'utf8mb4_general_ci',
    ]);
    state = apply(state, 'ALTER TABLE t CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_bin');
    expect(collations()).toEqual([null, null, null, null, null]);
    state = apply(state, 'CREATE TABLE n (a VARCHAR(5))');
    expect(state.getTable('db', 'n')!.schema.columns[0]!.collation).toBeNull();
  });

  it('keeps earlier states intact (each DDL makes a new state)', () => {
    const before = apply(empty, 'CREATE TABLE t (id INT)');
    const after = apply(before, 'ALTER TABLE t ADD COLUMN b INT');
    expect(before.getTable('db', 't')!.schema.columns).toHaveLength(1);
    expect(after.getTable('db', 't')!.schema.columns).toHaveLength(2);
  });

  it('follows renames, drops, database drops and charset conversion', () => {
    let state = apply(empty, 'CREATE TABLE t (id INT, s VARCHAR(3)) DEFAULT CHARSET=gbk');
    expect(state.getTable('db', 't')!.schema.columns[1]!.charset).toBe('gbk');
    state = apply(state, 'RENAME TABLE t TO other.t2');
    expect(state.getTable('db', 't')).toBeUndefined();
    expect(state.getTable('other', 't2')!.schema).toMatchObject({ database: 'other', table: 't2' });
    state = apply(state, 'ALTER TABLE other.t2 CONVERT TO CHARACTER SET utf8mb4');
    expect(state.getTable('other', 't2')!.schema.columns[1]!.charset).toBe('utf8mb4');
    state = apply(state, 'CREATE TABLE other.t3 LIKE other.t2');
    expect(state.getTable('other', 't3')!.schema.columns).toHaveLength(2);
    state = apply(state, 'DROP DATABASE other');
    expect(state.tableCount).toBe(0);
  });

  it('asks for a re-read of tables it does not know', () => {
    const { reread } = empty.apply(
      parseDdl('ALTER TABLE unknown ADD c INT', 'db', { isMariadb: false }).changes,
    );
    expect(reread).toEqual([{ database: 'db', table: 'unknown' }]);
  });

  it('survives a JSON round trip', () => {
    const state = apply(empty, "CREATE TABLE t (id INT PRIMARY KEY, e ENUM('a','b'))");
    const restored = SchemaState.fromJSON(JSON.parse(JSON.stringify(state.toJSON())));
    expect(restored.getTable('db', 't')).toEqual(state.getTable('db', 't'));
    expect(restored.databaseCharset('db')).toBe('latin1');
  });

  it('compares names case-insensitively when the server does', () => {
    const state = apply(
      SchemaState.create({ serverCharset: 'utf8mb4', isCaseInsensitive: true }),
      'CREATE TABLE T1 (id INT)',
      'DB',
    );
    expect(state.getTable('db', 't1')).toBeDefined();
  });
});

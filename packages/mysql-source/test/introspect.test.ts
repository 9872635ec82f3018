import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quoteIdentifier } from '../src/identifiers';
import {
  describeTable,
  findTable,
  listDatabases,
  listTables,
  readTableSchema,
} from '../src/introspect';
import { createScratchDatabase, type ScratchDatabase } from './source-fixture';

describe('introspection', () => {
  let scratch: ScratchDatabase;
  const weird = 'Ördër `Lines` 表';

  beforeAll(async () => {
    scratch = await createScratchDatabase('introspect');
    await scratch.exec(
      `CREATE TABLE ${quoteIdentifier(weird)} (
         \`order\` BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
         \`Line No\` SMALLINT NOT NULL,
         \`名字\` VARCHAR(20) CHARACTER SET gbk COLLATE gbk_chinese_ci DEFAULT 'it''s',
         price DECIMAL(12,3) NOT NULL DEFAULT 0,
         at DATETIME(6) NULL DEFAULT CURRENT_TIMESTAMP(6),
         kind ENUM('a','it''s','c,d') NOT NULL DEFAULT 'a',
         flags SET('x','y') NULL,
         doc JSON,
         code CHAR(8) CHARACTER SET latin1 NOT NULL,
         email VARCHAR(50) NULL,
         PRIMARY KEY (\`order\`, \`Line No\`),
         UNIQUE KEY uk_code (code),
         UNIQUE KEY uk_email (email),
         UNIQUE KEY uk_prefix (\`名字\`(4))
       ) COMMENT 'lines'`,
    );
    await scratch.exec(
      `INSERT INTO ${quoteIdentifier(weird)} (\`Line No\`, code, \`名字\`) VALUES (1, 'A', '甲'), (2, 'B', '乙')`,
    );
    await scratch.exec('CREATE TABLE plain (id INT PRIMARY KEY)');
    await scratch.exec('CREATE TABLE Plain (id INT PRIMARY KEY)');
    await scratch.exec(`CREATE VIEW paid AS SELECT id FROM plain`);
  });
  afterAll(async () => {
    await scratch.drop();
  });

  it('lists user databases and leaves the system schemas out', async () => {
    const names = (await listDatabases(scratch.admin.connection)).map((database) => database.name);
    expect(names).toContain(scratch.name);
    for (const system of ['mysql', 'information_schema', 'performance_schema', 'sys']) {
      expect(names).not.toContain(system);
    }
  });

  it('lists tables and views with estimates, telling apart names that differ in case only', async () => {
    const tables = await listTables(scratch.admin.connection, scratch.name);
    expect(tables.map((table) => `${table.name}:${table.type}`).sort()).toEqual(
      [`${weird}:table`, 'Plain:table', 'paid:view', 'plain:table'].sort(),
    );
    const lines = tables.find((table) => table.name === weird);
    expect(lines).toMatchObject({ engine: 'InnoDB', comment: 'lines' });
    expect(lines?.estimatedRows).toBeGreaterThanOrEqual(0);
    expect(lines?.dataBytes).toBeGreaterThan(0);
    expect(tables.find((table) => table.name === 'paid')).toMatchObject({
      estimatedRows: null,
      engine: null,
    });
    expect(await findTable(scratch.admin.connection, scratch.name, 'PLAIN')).toBeNull();
    expect((await findTable(scratch.admin.connection, scratch.name, 'Plain'))?.name).toBe('Plain');
  });

  it('describes columns as declared, keys, and the TableSchema the stream starts from', async () => {
    const description = await describeTable(scratch.admin.connection, scratch.name, weird);
    const byName = new Map(description.columns.map((column) => [column.name, column]));
    expect(byName.get('order')).toMatchObject({
      family: 'integer',
      dataType: 'bigint',
      columnType: 'bigint(20) unsigned',
      unsigned: true,
      precision: 8,
      isAutoIncrement: true,
      nullable: false,
    });
    expect(byName.get('名字')).toMatchObject({
      family: 'char',
      charset: 'gbk',
      collation: 'gbk_chinese_ci',
      defaultValue: "it's",
      nullable: true,
    });
    expect(byName.get('price')).toMatchObject({
      family: 'decimal',
      precision: 12,
      scale: 3,
      defaultValue: '0.000',
    });
    expect(byName.get('at')).toMatchObject({
      family: 'datetime',
      scale: 6,
      defaultValue: 'current_timestamp(6)',
    });
    expect(byName.get('kind')).toMatchObject({ family: 'enum', members: ['a', "it's", 'c,d'] });
    expect(byName.get('flags')).toMatchObject({ family: 'set', members: ['x', 'y'] });
    expect(byName.get('doc')).toMatchObject({ family: 'json' });
    expect(byName.get('code')).toMatchObject({ family: 'char', charset: 'latin1' });

    expect(description.uniqueKeys.map((key) => key.name)).toEqual([
      'PRIMARY',
      'uk_code',
      'uk_email',
      'uk_prefix',
    ]);
    expect(description.uniqueKeys.find((key) => key.name === 'uk_email')?.hasNullableColumn).toBe(
      true,
    );
    expect(description.uniqueKeys.find((key) => key.name === 'uk_prefix')?.hasPrefixColumn).toBe(
      true,
    );

    const schema = await readTableSchema(scratch.admin.connection, scratch.name, weird);
    expect(schema).toMatchObject({
      database: scratch.name,
      table: weird,
      primaryKey: ['order', 'Line No'],
      uniqueKeys: { uk_code: ['code'], uk_email: ['email'], uk_prefix: ['名字'] },
    });
    expect(Object.keys(schema.columns[0] ?? {}).sort()).toEqual(
      [
        'charset',
        'collation',
        'columnType',
        'dataType',
        'family',
        'members',
        'name',
        'nullable',
        'precision',
        'scale',
        'unsigned',
      ].sort(),
    );
  });

  it('reports a missing table as SOURCE_TABLE_NOT_FOUND', async () => {
    await expect(
      describeTable(scratch.admin.connection, scratch.name, 'PLAIN'),
    ).rejects.toMatchObject({
      code: 'SOURCE_TABLE_NOT_FOUND',
    });
  });
});

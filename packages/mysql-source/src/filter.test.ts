import type { ColumnSchema, TableSchema } from '@tidewater/change-events';
import { describe, expect, it } from 'vitest';
import { MAX_FILTER_LENGTH } from '@tidewater/config';
import { isTidewaterError } from '@tidewater/errors';
import { parseRowFilter } from './filter';

function column(name: string, family: ColumnSchema['family'] = 'integer'): ColumnSchema {
  return {
    name,
    dataType: family === 'integer' ? 'int' : 'varchar',
    columnType: family === 'integer' ? 'int(11)' : 'varchar(20)',
    family,
    nullable: true,
    unsigned: false,
    precision: family === 'integer' ? 4 : null,
    scale: null,
    charset: family === 'integer' ? null : 'utf8mb4',
    members: null,
  };
}

const orders: TableSchema = {
  database: 'shop',
  table: 'orders',
  columns: [
    column('id'),
    column('status', 'char'),
    column('Amount', 'decimal'),
    column('created', 'datetime'),
    column('we`ird'),
    column('order'),
    column('名字', 'char'),
    column('doc', 'json'),
  ],
  primaryKey: ['id'],
  uniqueKeys: {},
};

function errorOf(filter: string): { code: string; message: string; remedy: string } {
  try {
    parseRowFilter(filter, orders);
  } catch (error) {
    if (isTidewaterError(error))
      return { code: error.code, message: error.message, remedy: error.remedy };
    throw error;
  }
  throw new Error(`filter was accepted: ${filter}`);
}

describe('parseRowFilter', () => {
  it.each([
    [
      "id > 100 AND status IN ('paid', 'sent')",
      "((`id` > 100) AND (`status` IN ('paid', 'sent')))",
    ],
    ["status LIKE 'a''b%'", "(`status` LIKE 'a\\'b%')"],
    ["status = 'it\\'s'", "(`status` = 'it\\'s')"],
    ["status LIKE 'x\\_%' ESCAPE '!'", "(`status` LIKE 'x\\\\_%' ESCAPE '!')"],
    ['id BETWEEN 1 AND 10', '(`id` BETWEEN 1 AND 10)'],
    ['id NOT BETWEEN -5 AND 5', '(`id` NOT BETWEEN (-5) AND 5)'],
    ['status IS NOT NULL', '(`status` IS NOT NULL)'],
    ["UPPER(status) = 'PAID'", "(UPPER(`status`) = 'PAID')"],
    ['`we``ird` = 1', '(`we``ird` = 1)'],
    ['`order` = 2', '(`order` = 2)'],
    ["名字 = '张三'", "(`名字` = '张三')"],
    ['amount = 0.10000000000000000000001', '(`Amount` = 0.10000000000000000000001)'],
    ['id = 18446744073709551615', '(`id` = 18446744073709551615)'],
    ["created >= DATE '2024-01-01'", "(`created` >= DATE '2024-01-01')"],
    [
      "DATE_ADD(created, INTERVAL 1 DAY) < '2024-02-01'",
      "(DATE_ADD(`created`, INTERVAL 1 DAY) < '2024-02-01')",
    ],
    ["doc ->> '$.kind' = 'a'", "((`doc` ->> '$.kind') = 'a')"],
    ['NOT (id > 3)', '(NOT (`id` > 3))'],
    [
      "CASE WHEN id > 1 THEN 'a' ELSE 'b' END = 'a'",
      "((CASE WHEN (`id` > 1) THEN 'a' ELSE 'b' END) = 'a')",
    ],
    ['CAST(amount AS DECIMAL(10,2)) > 1', '(CAST(`Amount` AS DECIMAL(10, 2)) > 1)'],
    ['orders.id = 1', '(`id` = 1)'],
    ['shop.orders.id = 1', '(`id` = 1)'],
    [
      "status = X'0A' OR id = 0x1F OR id = b'101'",
      "(((`status` = X'0A') OR (`id` = 0x1F)) OR (`id` = b'101'))",
    ],
    ["status = 'a' COLLATE utf8mb4_bin", "(`status` = ('a' COLLATE utf8mb4_bin))"],
    ['id = 1 OR id = 2 AND id = 3', '((`id` = 1) OR ((`id` = 2) AND (`id` = 3)))'],
    ['id = 1 AND id IN (2) OR id = 3', '(((`id` = 1) AND (`id` IN (2))) OR (`id` = 3))'],
    ['id XOR id AND id OR id', '((`id` XOR (`id` AND `id`)) OR `id`)'],
    ['(id = 1 OR id = 2) AND id = 3', '(((`id` = 1) OR (`id` = 2)) AND (`id` = 3))'],
    ['id <=> NULL', '(`id` <=> NULL)'],
    ['id<=1 AND id <=> 2 OR id>=3', '(((`id` <= 1) AND (`id` <=> 2)) OR (`id` >= 3))'],
    ["status <=> 'a=b' AND id = 1", "((`status` <=> 'a=b') AND (`id` = 1))"],
    ['amount = 1.50', '(`Amount` = 1.50)'],
    ['amount > 1e3 AND amount < 2.5E-3', '((`Amount` > 1e3) AND (`Amount` < 2.5E-3))'],
    ['amount = .5', '(`Amount` = .5)'],
  ])('accepts %s', (filter, sql) => {
    expect(parseRowFilter(filter, orders).sql).toBe(sql);
  });

  it('keeps the checked condition as a tree, the same condition as the SQL', () => {
    const filter = parseRowFilter(
      "id <=> 1.50 AND status NOT LIKE 'a!%' ESCAPE '!' OR UPPER(`名字`) IN ('X', NULL)",
      orders,
    );
    expect(filter.condition).toEqual({
      kind: 'logical',
      operator: 'OR',
      left: {
        kind: 'logical',
        operator: 'AND',
        left: {
          kind: 'comparison',
          operator: '<=>',
          left: { kind: 'column', name: 'id', collate: null },
          right: { kind: 'number', text: '1.50' },
        },
        right: {
          kind: 'like',
          isNegated: true,
          subject: { kind: 'column', name: 'status', collate: null },
          pattern: { kind: 'string', value: 'a!%', collate: null },
          escape: { kind: 'string', value: '!', collate: null },
        },
      },
      right: {
        kind: 'in',
        isNegated: false,
        subject: {
          kind: 'function',
          name: 'UPPER',
          args: [{ kind: 'column', name: '名字', collate: null }],
        },
        values: [{ kind: 'string', value: 'X', collate: null }, { kind: 'null' }],
      },
    });
  });

  it('keeps what the tree does not model as a named construct', () => {
    const filter = parseRowFilter("CAST(amount AS DECIMAL(10,2)) > 1 AND status = X'0A'", orders);
    expect(JSON.stringify(filter.condition)).toContain('"construct":"CAST"');
    expect(JSON.stringify(filter.condition)).toContain('"construct":"a hexadecimal literal"');
  });

  it('lists the columns the filter reads, spelled as the table spells them', () => {
    expect(parseRowFilter('AMOUNT > 1 AND id < 5', orders).columns).toEqual(['Amount', 'id']);
  });

  it.each([
    ['1=1; DROP TABLE x', 'FILTER_NOT_ALLOWED', /";"/],
    ['id = 1 OR SLEEP(5)', 'FILTER_NOT_ALLOWED', /SLEEP\(\).*waits/],
    ['BENCHMARK(1000000, MD5(1)) = 0', 'FILTER_NOT_ALLOWED', /BENCHMARK/],
    ["LOAD_FILE('/etc/passwd') IS NOT NULL", 'FILTER_NOT_ALLOWED', /LOAD_FILE.*files/],
    ["GET_LOCK('x', 10) = 1", 'FILTER_NOT_ALLOWED', /GET_LOCK/],
    ['id = (SELECT MAX(id) FROM users)', 'FILTER_NOT_ALLOWED', /subquery/],
    ['id IN (SELECT id FROM users)', 'FILTER_NOT_ALLOWED', /subquery/],
    ['EXISTS (SELECT 1)', 'FILTER_NOT_ALLOWED', /subquery/],
    ["@@version LIKE '10%'", 'FILTER_NOT_ALLOWED', /variable \(@@version\)/],
    ['@x = 1', 'FILTER_NOT_ALLOWED', /variable \(@x\)/],
    ['id = 1 /*!50000 OR 1=1*/', 'FILTER_NOT_ALLOWED', /comment/],
    ['id = 1 -- ', 'FILTER_NOT_ALLOWED', /comment/],
    ['id = 1 # x', 'FILTER_NOT_ALLOWED', /comment/],
    ["status = 'abc", 'FILTER_SYNTAX_ERROR', /not closed/],
    ['id = 1 UNION SELECT password FROM mysql.user', 'FILTER_NOT_ALLOWED', /UNION/],
    ["id = 1 INTO OUTFILE '/tmp/x'", 'FILTER_NOT_ALLOWED', /INTO/],
    ['id = 1 FOR UPDATE', 'FILTER_NOT_ALLOWED', /locking/],
    ['id = 1 LIMIT 1', 'FILTER_NOT_ALLOWED', /LIMIT/],
    ['id = 1 GROUP BY id', 'FILTER_NOT_ALLOWED', /GROUP BY/],
    ['id = 1 ORDER BY id', 'FILTER_NOT_ALLOWED', /ORDER BY/],
    ['nope = 1', 'FILTER_UNKNOWN_COLUMN', /"nope"/],
    ['users.id = 1', 'FILTER_NOT_ALLOWED', /users\.id/],
    ['created > NOW()', 'FILTER_NOT_ALLOWED', /NOW\(\).*literal/],
    ['id = RAND()', 'FILTER_NOT_ALLOWED', /RAND/],
    ['COUNT(*) > 1', 'FILTER_NOT_ALLOWED', /aggregate/],
    ['shop.f(id) = 1', 'FILTER_NOT_ALLOWED', /stored function/],
    ['my_udf(id) = 1', 'FILTER_NOT_ALLOWED', /MY_UDF/],
    ['id = ?', 'FILTER_NOT_ALLOWED', /placeholder/],
    ['', 'FILTER_NOT_ALLOWED', /empty/],
    ['id = 1 AND', 'FILTER_SYNTAX_ERROR', /not a valid condition/],
    ['id = 1) OR (1 = 1', 'FILTER_SYNTAX_ERROR', /not a valid condition/],
    ['UNIX_TIMESTAMP() > 0', 'FILTER_NOT_ALLOWED', /current time/],
  ])('rejects %s', (filter, code, message) => {
    const error = errorOf(filter);
    expect(error.code).toBe(code);
    expect(error.message).toMatch(message);
    expect(error.remedy.length).toBeGreaterThan(10);
  });

  it('never sends the operator text: a string holding SQL stays a string', () => {
    const filter = parseRowFilter("status = '\\' OR 1=1 -- '", orders);
    expect(filter.sql).toBe("(`status` = '\\' OR 1=1 -- ')");
  });

  it('takes a filter as long as the task configuration allows, and refuses a longer one', () => {
    const longest = `id IN (10${',1'.repeat((MAX_FILTER_LENGTH - 10) / 2)})`;
    expect(longest.length).toBe(MAX_FILTER_LENGTH);
    expect(parseRowFilter(longest, orders).sql).toMatch(/^\(`id` IN \(10, 1, 1/);
    expect(errorOf(`${longest} OR id = 2`)).toMatchObject({
      code: 'FILTER_NOT_ALLOWED',
      message: expect.stringContaining(`at most ${MAX_FILTER_LENGTH} are allowed`),
    });
  });
});

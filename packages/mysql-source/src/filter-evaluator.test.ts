import type { ColumnSchema, RowImage, TableSchema } from '@tidewater/change-events';
import { describe, expect, it } from 'vitest';
import { isTidewaterError } from '@tidewater/errors';
import { parseRowFilter } from './filter';
import {
  checkRowFilterStreamable,
  compileRowPredicate,
  isChangeInFilter,
  type RowPredicate,
} from './filter-evaluator';

function column(name: string, extra: Partial<ColumnSchema>): ColumnSchema {
  return {
    name,
    dataType: 'int',
    columnType: 'int(11)',
    family: 'integer',
    nullable: true,
    unsigned: false,
    precision: 4,
    scale: null,
    charset: null,
    collation: null,
    members: null,
    ...extra,
  };
}

const text = (name: string, collation: string, charset = collation.split('_')[0]): ColumnSchema =>
  column(name, {
    dataType: 'varchar',
    columnType: 'varchar(40)',
    family: 'char',
    precision: null,
    charset: charset ?? null,
    collation,
  });

const schema: TableSchema = {
  database: 'shop',
  table: 'orders',
  primaryKey: ['id'],
  uniqueKeys: {},
  columns: [
    column('id', { nullable: false }),
    column('i', {}),
    column('u', { unsigned: true, columnType: 'int(10) unsigned' }),
    column('b', { dataType: 'bigint', columnType: 'bigint(20)', precision: 8 }),
    column('d', {
      dataType: 'decimal',
      columnType: 'decimal(20,6)',
      family: 'decimal',
      precision: 20,
      scale: 6,
    }),
    column('f', { dataType: 'double', columnType: 'double', family: 'double', precision: null }),
    text('v', 'utf8mb4_general_ci'),
    text('vu', 'utf8mb4_unicode_ci'),
    text('vb', 'utf8mb4_bin'),
    text('l', 'latin1_swedish_ci'),
    column('dt', { dataType: 'date', columnType: 'date', family: 'date', precision: null }),
    column('dtm', {
      dataType: 'datetime',
      columnType: 'datetime(3)',
      family: 'datetime',
      precision: null,
      scale: 3,
    }),
    column('tm', {
      dataType: 'time',
      columnType: 'time',
      family: 'time',
      precision: null,
      scale: 0,
    }),
    column('e', {
      dataType: 'enum',
      columnType: "enum('small','Medium')",
      family: 'enum',
      precision: null,
      charset: 'utf8mb4',
      collation: 'utf8mb4_general_ci',
      members: ['small', 'Medium'],
    }),
    column('j', { dataType: 'longtext', columnType: 'longtext', family: 'json', precision: null }),
    column('dn', {
      dataType: 'date',
      columnType: 'date',
      family: 'date',
      precision: null,
      nullable: false,
    }),
    column('fx', {
      dataType: 'double',
      columnType: 'double(10,2)',
      family: 'double',
      precision: null,
    }),
    text('x', 'utf8mb4_0900_ai_ci'),
    column('nc', {
      dataType: 'varchar',
      columnType: 'varchar(4)',
      family: 'char',
      precision: null,
      charset: 'utf8mb4',
      collation: null,
    }),
  ],
};

type Values = Partial<Record<string, string | number | null>>;

function image(values: Values): RowImage {
  return schema.columns.map((candidate) => values[candidate.name] ?? null);
}

function predicate(filter: string): RowPredicate {
  return compileRowPredicate(parseRowFilter(filter, schema), schema);
}

function matches(filter: string, values: Values): boolean {
  return predicate(filter)(image(values));
}

function refusal(filter: string): { code: string; message: string; remedy: string } {
  try {
    predicate(filter);
  } catch (error) {
    if (isTidewaterError(error))
      return { code: error.code, message: error.message, remedy: error.remedy };
    throw error;
  }
  throw new Error(`the evaluator accepted ${filter}`);
}

describe('compileRowPredicate', () => {
  it('is true only when the condition is TRUE: FALSE and NULL are both no', () => {
    expect(matches('i = 1', { i: '1' })).toBe(true);
    expect(matches('i = 1', { i: '2' })).toBe(false);
    expect(matches('i = 1', { i: null })).toBe(false);
    expect(matches('NOT (i = 1)', { i: null })).toBe(false);
    expect(matches('i = 1 OR i IS NULL', { i: null })).toBe(true);
    expect(matches('i IN (1, NULL)', { i: '2' })).toBe(false);
    expect(matches('NOT (i IN (1, NULL))', { i: '2' })).toBe(false);
    expect(matches('NOT (i IN (1, 3))', { i: '2' })).toBe(true);
    expect(matches('i <=> NULL', { i: null })).toBe(true);
    expect(matches('i IS NOT TRUE', { i: null })).toBe(true);
    expect(matches('(i = 1) XOR (b = 1)', { i: '1', b: null })).toBe(false);
  });

  it('compares strings by the column collation, with PAD SPACE for = and never for LIKE', () => {
    expect(matches("v = 's'", { v: 'ß' })).toBe(true);
    expect(matches("vu = 'ss'", { vu: 'ß' })).toBe(true);
    expect(matches("vu = 's'", { vu: 'ß' })).toBe(false);
    expect(matches("vu LIKE 'ss'", { vu: 'ß' })).toBe(false);
    expect(matches("v = 'ABC'", { v: 'abc  ' })).toBe(true);
    expect(matches("v LIKE 'abc'", { v: 'abc ' })).toBe(false);
    expect(matches("v < 'abc'", { v: 'abc\t' })).toBe(true);
    expect(matches("vb = 'ABC'", { vb: 'abc' })).toBe(false);
    expect(matches("vb = 'abc'", { vb: 'abc ' })).toBe(true);
    expect(matches("l = 'a'", { l: 'Ä' })).toBe(false);
    expect(matches("l = 'ä'", { l: 'Ä' })).toBe(true);
    expect(matches("v = '😃'", { v: '😀' })).toBe(true);
    expect(matches("vu LIKE '😃'", { vu: '😀' })).toBe(false);
    expect(matches("v COLLATE utf8mb4_bin = 'ß'", { v: 's' })).toBe(false);
    expect(matches("e = 'MEDIUM'", { e: 'Medium' })).toBe(true);
  });

  it('matches LIKE patterns with % and _, escapes, and ESCAPE', () => {
    expect(matches("v LIKE 'a%c'", { v: 'ABBC' })).toBe(true);
    expect(matches("v LIKE 'a_c'", { v: 'aßc' })).toBe(true);
    expect(matches("v LIKE 'a\\%'", { v: 'a%' })).toBe(true);
    expect(matches("v LIKE 'a\\%'", { v: 'ab' })).toBe(false);
    expect(matches("v LIKE 'a!_' ESCAPE '!'", { v: 'a_' })).toBe(true);
    expect(matches("v NOT LIKE '%b%'", { v: 'abc' })).toBe(false);
  });

  it('compares numbers with the server types: integer and string as DECIMAL, BIGINT and a DOUBLE constant as integers', () => {
    expect(matches("i = '1.0'", { i: '1' })).toBe(true);
    expect(matches("i = '1.00000000000000000001'", { i: '1' })).toBe(false);
    expect(matches("i = ' 7x'", { i: '7' })).toBe(true);
    expect(matches('b = 9007199254740993e0', { b: '9007199254740993' })).toBe(false);
    expect(matches('b = 9007199254740993e0', { b: '9007199254740992' })).toBe(true);
    expect(matches('b + 0 = 9007199254740993e0', { b: '9007199254740993' })).toBe(true);
    expect(matches("d = '0.10000000000000000001'", { d: '0.100000' })).toBe(false);
    expect(matches("d IN ('0.10000000000000000001', '7')", { d: '0.100000' })).toBe(true);
    expect(matches('f = 0.1', { f: 0.1 })).toBe(true);
    expect(matches('u > -1', { u: '0' })).toBe(true);
    expect(matches('v = 100', { v: '1e2' })).toBe(true);
    expect(matches('v = 1.5', { v: ' 1.5abc' })).toBe(true);
  });

  it('compares dates with datetime strings as datetimes', () => {
    expect(matches("dt = '2024-01-01 00:00:00'", { dt: '2024-01-01' })).toBe(true);
    expect(matches("dt = '2024-01-01 10:00:00'", { dt: '2024-01-01' })).toBe(false);
    expect(matches("dt < '2024-01-01 10:00:00'", { dt: '2024-01-01' })).toBe(true);
    expect(matches("dtm = '2024-01-01 10:00:00.5'", { dtm: '2024-01-01 10:00:00.500' })).toBe(true);
    expect(matches("tm < '-00:30:00'", { tm: '-01:00:00' })).toBe(true);
    expect(
      matches('YEAR(dt) = 2024 AND MONTH(dtm) = 1', {
        dt: '2024-05-05',
        dtm: '2024-01-31 00:00:00.000',
      }),
    ).toBe(true);
  });

  it('computes arithmetic exactly and refuses to decide what the server refuses to compute', () => {
    expect(matches('d * 3 = 0.3', { d: '0.100000' })).toBe(true);
    expect(matches('i DIV 0 IS NULL', { i: '5' })).toBe(true);
    expect(matches('i % 3 = -1', { i: '-7' })).toBe(true);
    expect(() => matches('b + 1 > 0', { b: '9223372036854775807' })).toThrow(
      expect.objectContaining({ code: 'FILTER_EVALUATION_FAILED' }),
    );
    expect(() => matches('i = v', { i: '1', v: '1'.repeat(90) })).toThrow(
      expect.objectContaining({ code: 'FILTER_EVALUATION_FAILED' }),
    );
  });

  it.each([
    ['i / 2 = 1', /i \/ 2.*division/],
    ["CONCAT(v, 'x') = 'ax'", /CONCAT\(\)/],
    ["CASE WHEN i > 0 THEN 'a' END = 'a'", /CASE/],
    ["CAST(i AS CHAR) = '1'", /CAST/],
    ["v REGEXP 'a'", /REGEXP/],
    ['u - 1 > 0', /unsigned/],
    ['v', /a string used as a condition/],
    ['dt = 20240101', /20240101 is an integer, and comparing it as a DATETIME/],
    ['e = 1', /ENUM or SET/],
    ["tm = '2024-01-01 10:00:00'", /is not a TIME the evaluator reads/],
    ['tm > dt', /TIME compared with a date/],
    ["nc = 'a'", /collation of column nc is not known/],
    ["x = 'a'", /utf8mb4_0900_ai_ci/],
    ['v = vu', /mixes collations/],
    ["l = '中'", /cannot hold/],
    ['i IN (1, b)', /list that reads columns/],
    ['i BETWEEN NULL AND 3', /NULL bound/],
    ["j = '{}'", /only be tested with IS NULL/],
    ['dn IS NULL', /zero date/],
    ['NOT (dn IS NOT NULL)', /zero date/],
    ['fx = 1.5', /rounding tolerance/],
    ["dt = '2024-1-1'", /YYYY-MM-DD/],
    ["v LIKE CONCAT('a', '%')", /CONCAT/],
    ["v LIKE 'a' ESCAPE ''", /ESCAPE/],
  ])('refuses %s, naming the construct', (filter, message) => {
    const error = refusal(filter);
    expect(error.code).toBe('FILTER_NOT_STREAMABLE');
    expect(error.message).toMatch(message);
    expect(error.remedy).toMatch(/turn off incremental migration/);
  });

  it('tests any column for NULL, whatever its type', () => {
    expect(matches('j IS NULL', { j: null })).toBe(true);
    expect(matches('j IS NOT NULL AND fx IS NULL', { j: '{}' })).toBe(true);
  });

  it('names a column the table no longer has', () => {
    const filter = parseRowFilter('i = 1', schema);
    const altered = {
      ...schema,
      columns: schema.columns.filter((candidate) => candidate.name !== 'i'),
    };
    expect(() => compileRowPredicate(filter, altered)).toThrow(
      expect.objectContaining({ code: 'FILTER_UNKNOWN_COLUMN' }),
    );
  });
});

describe('the source server', () => {
  const on = (flavour: 'mysql' | 'mariadb' | 'polardbx', major: number, minor: number) => ({
    server: { flavour, major, minor },
  });

  it('refuses an integer compared with a string on servers whose rule is not verified', () => {
    const filter = parseRowFilter("i = '1' AND v = 'a'", schema);
    expect(checkRowFilterStreamable(filter, schema, on('mariadb', 10, 11))).toEqual({
      isStreamable: true,
    });
    expect(checkRowFilterStreamable(filter, schema, on('mariadb', 11, 4)).isStreamable).toBe(true);
    for (const server of [on('mysql', 8, 0), on('mariadb', 10, 6), on('polardbx', 5, 4)]) {
      const result = checkRowFilterStreamable(filter, schema, server);
      expect(result).toMatchObject({ isStreamable: false, construct: "i = '1'" });
    }
    expect(
      checkRowFilterStreamable(
        parseRowFilter("i = 1 AND v = 'a'", schema),
        schema,
        on('mysql', 8, 0),
      ),
    ).toEqual({ isStreamable: true });
  });
});

describe('checkRowFilterStreamable', () => {
  it('says which part cannot be evaluated on the stream, and why', () => {
    const result = checkRowFilterStreamable(
      parseRowFilter("i > 0 AND SOUNDEX(v) = 'A000'", schema),
      schema,
    );
    expect(result).toMatchObject({ isStreamable: false, construct: 'SOUNDEX()' });
    expect(result.isStreamable || result.reason).toMatch(/does not emulate/);
    expect(checkRowFilterStreamable(parseRowFilter("v LIKE 'a%'", schema), schema)).toEqual({
      isStreamable: true,
    });
  });
});

describe('isChangeInFilter', () => {
  it('passes a change when its before or its after image matches', () => {
    const inFilter = predicate("v = 'paid'");
    const paid = image({ v: 'paid' });
    const open = image({ v: 'open' });
    expect(isChangeInFilter(inFilter, open, paid)).toBe(true);
    expect(isChangeInFilter(inFilter, paid, open)).toBe(true);
    expect(isChangeInFilter(inFilter, open, open)).toBe(false);
    expect(isChangeInFilter(inFilter, null, paid)).toBe(true);
    expect(isChangeInFilter(inFilter, open, null)).toBe(false);
  });
});

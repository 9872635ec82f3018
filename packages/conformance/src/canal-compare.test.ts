import { describe, expect, it } from 'vitest';

import {
  classifyDifferences,
  compareFlatMessages,
  describeDifference,
  relations,
  type Deviation,
  type FlatMessage,
} from './canal-compare';

function message(overrides: Partial<FlatMessage>): FlatMessage {
  return {
    data: [{ id: '1', price: '5.00' }],
    database: 'shop',
    es: 1,
    gtid: '',
    id: 1,
    isDdl: false,
    mysqlType: { id: 'int(11)', price: 'decimal(10,2)' },
    old: null,
    pkNames: ['id'],
    sql: '',
    sqlType: { id: 4, price: 3 },
    table: 'orders',
    ts: 2,
    type: 'INSERT',
    ...overrides,
  };
}

const decimalText: Deviation = {
  id: 'decimal-text',
  status: 'being fixed in issue 11',
  reason: 'Canal drops zeros of the scale.',
  match: { kind: 'field', field: ['data', 'old'], mysqlType: '^DECIMAL', relation: 'same-decimal' },
};

describe('compareFlatMessages', () => {
  it('ignores id, ts and es, and finds nothing in equal messages', () => {
    expect(compareFlatMessages([message({})], [message({ id: 9, ts: 99, es: 77 })])).toEqual([]);
  });

  it('reports a value, its path, its column and the column type', () => {
    const [difference, ...rest] = compareFlatMessages(
      [message({ data: [{ id: '1', price: '5.0' }] })],
      [message({})],
    );
    expect(rest).toEqual([]);
    expect(difference).toMatchObject({
      kind: 'field',
      path: 'data[0].price',
      column: 'price',
      mysqlType: 'decimal(10,2)',
      canal: '5.0',
      tidewater: '5.00',
    });
  });

  it('pairs the messages both sides wrote and reports the one only Canal wrote', () => {
    const query = message({ type: 'QUERY', database: '', table: '', data: null, sql: 'INSERT …' });
    const differences = compareFlatMessages(
      [query, message({}), message({ type: 'DELETE' })],
      [message({}), message({ type: 'DELETE' })],
    );
    expect(differences.map(describeDifference)).toEqual([
      'only in Canal #0: QUERY . isDdl=false sql="INSERT …"',
    ]);
  });

  it('reports a column one side has and the other lacks, and a different key order', () => {
    const differences = compareFlatMessages(
      [message({ old: [{ price: '1.00', id: '1' }] })],
      [message({ old: [{ id: '1' }] })],
    );
    expect(differences.map((d) => (d.kind === 'field' ? [d.path, d.tidewater] : d.kind))).toEqual([
      ['old[0].price', '(absent)'],
    ]);
    const reordered = compareFlatMessages(
      [message({ sqlType: { price: 3, id: 4 } })],
      [message({})],
    );
    expect(reordered.map((d) => (d.kind === 'field' ? d.path : d.kind))).toEqual([
      'sqlType key order',
    ]);
  });

  it('reports a message Canal could not write', () => {
    const failed = { ...message({}), canalError: 'java.lang.ArrayIndexOutOfBoundsException' };
    expect(compareFlatMessages([failed], [message({})]).map((d) => d.kind)).toEqual([
      'canal-failed',
    ]);
  });
});

describe('classifyDifferences', () => {
  it('explains a difference only when every part of the matcher and the relation hold', () => {
    const sameNumber = compareFlatMessages(
      [message({ data: [{ id: '1', price: '5.0' }] })],
      [message({})],
    );
    const otherNumber = compareFlatMessages(
      [message({ data: [{ id: '1', price: '5.1' }] })],
      [message({})],
    );
    expect(classifyDifferences(sameNumber, [decimalText]).unexplained).toEqual([]);
    expect(
      classifyDifferences(sameNumber, [decimalText]).explained.get('decimal-text'),
    ).toHaveLength(1);
    expect(classifyDifferences(otherNumber, [decimalText]).unexplained).toHaveLength(1);
  });
});

describe('relations', () => {
  it('compare decimals, padding, floats and type spellings as the deviations need', () => {
    expect(relations['same-decimal']('5.0', '5.00')).toBe(true);
    expect(relations['same-decimal']('0.0', '-0.0000')).toBe(true);
    expect(relations['same-decimal']('5.1', '5.10000')).toBe(true);
    expect(relations['same-decimal']('5.1', '5.01')).toBe(false);
    expect(relations['without-trailing-nul']('ab', 'ab\u0000\u0000')).toBe(true);
    expect(relations['without-trailing-nul']('\u0000a', '\u0000a\u0000\u0000')).toBe(true);
    expect(relations['without-trailing-nul']('ab', 'ab')).toBe(false);
    expect(relations['same-float32']('1.17549435E-38', '1.1754944E-38')).toBe(true);
    // JDK 17's text of 2e23 reads back to the same double.
    expect(relations['same-number']('1.9999999999999998E23', '2.0E23')).toBe(true);
    expect(relations['same-number']('1.5', '1.6')).toBe(false);
    expect(relations['same-number']('1.0E20', '1e20')).toBe(true);
    expect(relations['same-type-spelling']('BIGINT unsigned', 'bigint unsigned')).toBe(true);
    expect(relations['same-type-spelling']('JSON', 'longtext')).toBe(false);
  });
});

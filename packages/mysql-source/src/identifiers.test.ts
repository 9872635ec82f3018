import { describe, expect, it } from 'vitest';
import { quoteIdentifier, quoteTableName } from './identifiers';

describe('quoteIdentifier', () => {
  it.each([
    ['orders', '`orders`'],
    ['order', '`order`'],
    ['Mixed Case', '`Mixed Case`'],
    ['we`ird', '`we``ird`'],
    ['``', '``````'],
    ['订单', '`订单`'],
    ['it\'s "x"', '`it\'s "x"`'],
    ['a.b', '`a.b`'],
  ])('quotes %s as %s', (name, quoted) => {
    expect(quoteIdentifier(name)).toBe(quoted);
  });

  it('refuses an empty name and a NUL character', () => {
    expect(() => quoteIdentifier('')).toThrow(/empty/);
    expect(() => quoteIdentifier('a\u0000b')).toThrow(/NUL/);
  });

  it('quotes database and table separately', () => {
    expect(quoteTableName('my.db', 'my`table')).toBe('`my.db`.`my``table`');
  });
});

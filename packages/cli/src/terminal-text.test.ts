import { describe, expect, it } from 'vitest';
import { stripControlCharacters, withoutControlCharacters } from './terminal-text';

describe('text from the API', () => {
  it('drops escape sequences, bells, C1 controls and bidirectional overrides', () => {
    expect(stripControlCharacters('a\u001b[2Jb\u001b]0;title\u0007c\u009b31md\u202ee\u007f')).toBe(
      'a[2Jb]0;titlec31mde',
    );
  });

  it('turns line breaks and tabs into spaces, so a value cannot fake a line of its own', () => {
    expect(stripControlCharacters('name\r\nError X: forged\tvalue\u2028end')).toBe(
      'name  Error X: forged value end',
    );
  });

  it('keeps printable text in any script', () => {
    expect(stripControlCharacters('订单 — Bestellung ✓ émoji 🚀')).toBe(
      '订单 — Bestellung ✓ émoji 🚀',
    );
  });

  it('cleans every string of an answer, keys included, and leaves other values alone', () => {
    expect(
      withoutControlCharacters({
        task: { name: 'x\u001by', count: 3, isDone: true, gone: null },
        list: ['\u0007a', 2],
        'k\u009bey': 'v',
      }),
    ).toEqual({
      task: { name: 'xy', count: 3, isDone: true, gone: null },
      list: ['a', 2],
      key: 'v',
    });
  });
});

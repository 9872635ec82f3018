import { describe, expect, it } from 'vitest';
import {
  jsonBinary,
  jsonDiffVector,
  type JsonDiffOperation,
  type JsonFixture,
} from './binlog-fixtures';
import { jsonBinaryToNode, jsonNodeToText } from './json-binary';
import { applyJsonDiffs, JsonDiffMismatch, parseJsonDiffPath } from './json-diff';

/** Applies diffs built per json_diff.cc's layout to `document`; returns MySQL's text. */
function apply(
  document: JsonFixture,
  diffs: Array<{ operation: JsonDiffOperation; path: string; value?: JsonFixture }>,
): string {
  const before = jsonBinary(document);
  const vector = jsonDiffVector(
    diffs.map(({ operation, path, value }) =>
      operation === 'remove' ? { operation, path } : { operation, path, value: jsonBinary(value!) },
    ),
  );
  const node = jsonBinaryToNode(before, 0, before.length);
  return jsonNodeToText(applyJsonDiffs(node, vector, 4, vector.length));
}

describe('JSON diff paths', () => {
  it('reads members, quoted members and array cells as MySQL prints them', () => {
    expect(parseJsonDiffPath('$')).toEqual([]);
    expect(parseJsonDiffPath('$.a[3]."key with \\"quote\\"".b')).toEqual([
      { member: 'a' },
      { index: 3, isFromEnd: false },
      { member: 'key with "quote"' },
      { member: 'b' },
    ]);
    expect(parseJsonDiffPath('$[last]')).toEqual([{ index: 0, isFromEnd: true }]);
    expect(parseJsonDiffPath('$[ last - 2 ]')).toEqual([{ index: 2, isFromEnd: true }]);
    expect(parseJsonDiffPath('$."ü"')).toEqual([{ member: 'ü' }]);
  });

  it.each(['a.b', '$.*', '$[*]', '$[1 to 3]', '$**.a', '$.a[', '$."open'])(
    'refuses %s, which a diff cannot hold',
    (path) => {
      expect(() => parseJsonDiffPath(path)).toThrow(JsonDiffMismatch);
    },
  );
});

describe('applying JSON diffs', () => {
  it('replaces values in objects and arrays, and the whole document at $', () => {
    expect(
      apply({ a: 1, b: [1, 2, 3] }, [
        { operation: 'replace', path: '$.a', value: 'one' },
        { operation: 'replace', path: '$.b[1]', value: { two: 2 } },
        { operation: 'replace', path: '$.b[last]', value: null },
      ]),
    ).toBe('{"a": "one", "b": [1, {"two": 2}, null]}');
    expect(apply({ a: 1 }, [{ operation: 'replace', path: '$', value: [true] }])).toBe('[true]');
  });

  it('inserts members in MySQL key order and array elements before the index', () => {
    expect(
      apply({ b: 1, ccc: 3 }, [
        { operation: 'insert', path: '$.aa', value: 2 },
        { operation: 'insert', path: '$.a', value: 0 },
      ]),
    ).toBe('{"a": 0, "b": 1, "aa": 2, "ccc": 3}');
    expect(
      apply({ list: [1, 2, 3] }, [
        { operation: 'insert', path: '$.list[0]', value: 'first' },
        { operation: 'insert', path: '$.list[99]', value: 'appended' },
        { operation: 'insert', path: '$.list[last]', value: 'before last' },
      ]),
    ).toBe('{"list": ["first", 1, 2, 3, "before last", "appended"]}');
  });

  it('removes members and elements', () => {
    expect(
      apply({ a: 1, b: [1, 2, 3], c: { d: 4 } }, [
        { operation: 'remove', path: '$.a' },
        { operation: 'remove', path: '$.b[0]' },
        { operation: 'remove', path: '$.b[last]' },
        { operation: 'remove', path: '$.c.d' },
      ]),
    ).toBe('{"b": [2], "c": {}}');
  });

  it('applies diffs in order, each seeing the ones before it', () => {
    expect(
      apply(
        [],
        [
          { operation: 'insert', path: '$[0]', value: { n: [] } },
          { operation: 'insert', path: '$[0].n[0]', value: 1.5 },
          { operation: 'replace', path: '$[0].n[0]', value: 'x' },
        ],
      ),
    ).toBe('[{"n": ["x"]}]');
  });

  it.each([
    [{ a: 1 }, 'replace', '$.b', 2, /does not exist/],
    [{ a: 1 }, 'remove', '$.b', undefined, /does not exist/],
    [{ a: 1 }, 'insert', '$.a', 2, /already exists/],
    [[1], 'replace', '$[1]', 2, /beyond/],
    [[1], 'remove', '$[last-1]', undefined, /beyond/],
    [{ a: 1 }, 'insert', '$.x.y', 2, /no parent/],
    [{ a: 1 }, 'insert', '$[0]', 2, /non-array/],
    [[1], 'insert', '$.a', 2, /non-object/],
    [{ a: 1 }, 'remove', '$', undefined, /root/],
  ] as const)(
    'refuses a diff that does not fit the document: %j %s %s',
    (document, operation, path, value, reason) => {
      expect(() =>
        apply(document as JsonFixture, [
          { operation, path, ...(value === undefined ? {} : { value }) },
        ]),
      ).toThrow(reason);
    },
  );
});

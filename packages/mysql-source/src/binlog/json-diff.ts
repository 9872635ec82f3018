/**
 * MySQL 8's partial JSON updates (binlog_row_value_options=PARTIAL_JSON): a JSON column of an
 * update's after image may be a list of diffs against the before image instead of the document
 * (sql/json_diff.h, json_diff.cc). Each diff is an operation at a JSON path:
 * - REPLACE (0): the value at the path is replaced (as `JSON_REPLACE`);
 * - INSERT (1): a member is added to an object, or an element inserted into an array before the
 *   given index (as `JSON_INSERT` / `JSON_ARRAY_INSERT`);
 * - REMOVE (2): the member or element at the path is removed (as `JSON_REMOVE`).
 * Binary layout (`Json_diff_vector::write_binary`): 4 bytes of length, then per diff the
 * operation byte, the path (length-encoded length, text) and, except for REMOVE, the value
 * (length-encoded length, binary JSON). The paths are MySQL's path syntax without wildcards:
 * `$`, `.member` or `."quoted member"`, `[n]`, `[last]`, `[last-n]`.
 *
 * A diff that does not fit the before image (a missing member, an index out of range) is what
 * the server itself refuses to apply (`apply_json_diffs` returns REJECTED): it means the binlog
 * and the before image disagree, and decoding stops rather than guessing.
 */
import { readLengthEncoded } from './event-decoder';
import { jsonBinaryToNode, type JsonNode } from './json-binary';

const REPLACE = 0;
const INSERT = 1;
const REMOVE = 2;

/** Why a diff vector cannot be applied; the row decoder names the table and column. */
export class JsonDiffMismatch extends Error {}

type PathLeg = { member: string } | { index: number; isFromEnd: boolean };

/** Parses a diff's path: `$` followed by member and array-cell legs. */
export function parseJsonDiffPath(path: string): PathLeg[] {
  let p = 0;
  const skipSpace = (): void => {
    while (p < path.length && /\s/.test(path[p]!)) p += 1;
  };
  skipSpace();
  if (path[p] !== '$') throw new JsonDiffMismatch(`path ${path} does not start with $`);
  p += 1;
  const legs: PathLeg[] = [];
  for (;;) {
    skipSpace();
    if (p >= path.length) return legs;
    const char = path[p]!;
    if (char === '.') {
      p += 1;
      skipSpace();
      if (path[p] === '"') {
        // A quoted member name is a JSON string.
        let q = p + 1;
        while (q < path.length && path[q] !== '"') q += path[q] === '\\' ? 2 : 1;
        if (q >= path.length) throw new JsonDiffMismatch(`unterminated member name in ${path}`);
        legs.push({ member: JSON.parse(path.slice(p, q + 1)) as string });
        p = q + 1;
      } else {
        const start = p;
        while (p < path.length && !/[.[\s]/.test(path[p]!)) p += 1;
        const name = path.slice(start, p);
        if (name === '' || name === '*')
          throw new JsonDiffMismatch(`path ${path} has a wildcard or empty member`);
        legs.push({ member: name });
      }
    } else if (char === '[') {
      const close = path.indexOf(']', p);
      if (close === -1) throw new JsonDiffMismatch(`unterminated array index in ${path}`);
      const cell = /^\s*(?:(\d+)|last\s*(?:-\s*(\d+))?)\s*$/.exec(path.slice(p + 1, close));
      if (!cell) throw new JsonDiffMismatch(`path ${path} has an array leg that is not one cell`);
      legs.push(
        cell[1] !== undefined
          ? { index: Number(cell[1]), isFromEnd: false }
          : { index: Number(cell[2] ?? 0), isFromEnd: true },
      );
      p = close + 1;
    } else {
      throw new JsonDiffMismatch(`unexpected ${char} in path ${path}`);
    }
  }
}

/**
 * An array position as MySQL resolves a cell for `size` elements (json_path.h
 * `Json_array_index`): [n] is n, capped at size; [last-n] is size-1-n, or 0 when that is
 * negative; `isWithin` whether the position names an existing element.
 */
function arrayPosition(
  leg: { index: number; isFromEnd: boolean },
  size: number,
): { position: number; isWithin: boolean } {
  if (leg.isFromEnd) {
    return leg.index < size
      ? { position: size - 1 - leg.index, isWithin: true }
      : { position: 0, isWithin: false };
  }
  return { position: Math.min(leg.index, size), isWithin: leg.index < size };
}

/** The node at `legs` (exact, no auto-wrapping, as json_diff.cc `seek_exact_path`), or null. */
function seek(root: JsonNode, legs: readonly PathLeg[]): JsonNode | null {
  let node: JsonNode = root;
  for (const leg of legs) {
    if ('member' in leg) {
      if (node.kind !== 'object') return null;
      const next = node.members.get(leg.member);
      if (next === undefined) return null;
      node = next;
    } else {
      if (node.kind !== 'array') return null;
      const { position, isWithin } = arrayPosition(leg, node.items.length);
      if (!isWithin) return null;
      node = node.items[position]!;
    }
  }
  return node;
}

function describe(legs: readonly PathLeg[]): string {
  return `$${legs
    .map((leg) =>
      'member' in leg
        ? `.${JSON.stringify(leg.member)}`
        : `[${leg.isFromEnd ? `last-${leg.index}` : leg.index}]`,
    )
    .join('')}`;
}

/** Applies one operation to the tree; returns the (possibly new) root. */
function applyOne(
  root: JsonNode,
  operation: number,
  legs: PathLeg[],
  value: JsonNode | null,
): JsonNode {
  if (legs.length === 0) {
    if (operation === REPLACE) return value!;
    throw new JsonDiffMismatch('an insert or remove at the document root');
  }
  const parent = seek(root, legs.slice(0, -1));
  const last = legs[legs.length - 1]!;
  const where = describe(legs);
  if (parent === null) throw new JsonDiffMismatch(`${where} has no parent in the before image`);
  if ('member' in last) {
    if (parent.kind !== 'object')
      throw new JsonDiffMismatch(`${where} names a member of a non-object`);
    const exists = parent.members.has(last.member);
    if (operation === INSERT) {
      if (exists) throw new JsonDiffMismatch(`${where} already exists`);
      parent.members.set(last.member, value!);
    } else if (!exists) {
      throw new JsonDiffMismatch(`${where} does not exist`);
    } else if (operation === REPLACE) {
      parent.members.set(last.member, value!);
    } else {
      parent.members.delete(last.member);
    }
    return root;
  }
  if (parent.kind !== 'array') throw new JsonDiffMismatch(`${where} indexes a non-array`);
  const { position, isWithin } = arrayPosition(last, parent.items.length);
  if (operation === INSERT) {
    parent.items.splice(position, 0, value!);
  } else if (!isWithin) {
    throw new JsonDiffMismatch(`${where} is beyond the array's ${parent.items.length} elements`);
  } else if (operation === REPLACE) {
    parent.items[position] = value!;
  } else {
    parent.items.splice(position, 1);
  }
  return root;
}

/**
 * Applies the diffs in `bytes[start, end)` (after the 4 length bytes) to `document`, in order;
 * returns the resulting tree. The tree is changed in place.
 */
export function applyJsonDiffs(
  document: JsonNode,
  bytes: Buffer,
  start: number,
  end: number,
): JsonNode {
  let root = document;
  let p = start;
  while (p < end) {
    const operation = bytes[p]!;
    if (operation !== REPLACE && operation !== INSERT && operation !== REMOVE)
      throw new JsonDiffMismatch(`unknown JSON diff operation ${operation}`);
    const [pathLength, pathStart] = readLengthEncoded(bytes, p + 1);
    const legs = parseJsonDiffPath(bytes.toString('utf8', pathStart, pathStart + pathLength));
    p = pathStart + pathLength;
    let value: JsonNode | null = null;
    if (operation !== REMOVE) {
      const [valueLength, valueStart] = readLengthEncoded(bytes, p);
      if (valueStart + valueLength > end)
        throw new JsonDiffMismatch('a JSON diff value runs past its column');
      value = jsonBinaryToNode(bytes, valueStart, valueStart + valueLength);
      p = valueStart + valueLength;
    }
    if (p > end) throw new JsonDiffMismatch('a JSON diff runs past its column');
    root = applyOne(root, operation, legs, value);
  }
  return root;
}

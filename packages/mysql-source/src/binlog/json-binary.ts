/**
 * MySQL's binary JSON (the storage format of JSON columns, sql-common/json_binary.h, documented
 * in the header comment there as the "JSON binary format") rendered as the text MySQL prints for
 * the column: objects as `{"k": v, "k2": v2}`, arrays as `[1, 2]` (`", "` and `": "` separators),
 * keys in stored order (sorted by length, then bytes), doubles with a `.0` when they would look
 * like integers (json_dom.cc `print_double`), DATE/TIME/DATETIME opaque values as quoted strings
 * with six fraction digits, DECIMAL opaque values as bare numbers, other opaque values as
 * `"base64:type<N>:…"`. MariaDB stores JSON as text and never reaches this code.
 */
import { TidewaterError } from '@tidewater/errors';
import { decodeDecimal } from './decimal';
import { formatDate, formatDateTime, formatFraction } from './temporal';

const SMALL_OBJECT = 0x00;
const LARGE_OBJECT = 0x01;
const SMALL_ARRAY = 0x02;
const LARGE_ARRAY = 0x03;
const LITERAL = 0x04;
const INT16 = 0x05;
const UINT16 = 0x06;
const INT32 = 0x07;
const UINT32 = 0x08;
const INT64 = 0x09;
const UINT64 = 0x0a;
const DOUBLE = 0x0b;
const STRING = 0x0c;
const OPAQUE = 0x0f;

function malformed(reason: string): TidewaterError {
  return new TidewaterError(
    'BINLOG_EVENT_MALFORMED',
    `A JSON value in the binlog is malformed: ${reason}.`,
    {
      category: 'internal',
      remedy:
        'Check that the source writes a supported binlog format; report the event position if it repeats.',
    },
  );
}

/**
 * A JSON document as a tree, for applying partial updates (json-diff.ts): containers hold their
 * members, scalars their text as MySQL prints it. Object members print in MySQL's key order
 * (byte length, then bytes: json_dom.h `Json_key_comparator`), whatever the insertion order.
 */
export type JsonNode =
  | { kind: 'object'; members: Map<string, JsonNode> }
  | { kind: 'array'; items: JsonNode[] }
  | { kind: 'scalar'; text: string };

/** Reads the binary JSON document `bytes[start, end)` into a tree. */
export function jsonBinaryToNode(bytes: Buffer, start: number, end: number): JsonNode {
  if (end <= start) return { kind: 'scalar', text: 'null' };
  return readNode(bytes, bytes[start]!, start + 1, end);
}

function readNode(bytes: Buffer, type: number, pos: number, end: number): JsonNode {
  if (
    type === SMALL_OBJECT ||
    type === LARGE_OBJECT ||
    type === SMALL_ARRAY ||
    type === LARGE_ARRAY
  )
    return readContainerNode(
      bytes,
      pos,
      end,
      type === LARGE_OBJECT || type === LARGE_ARRAY,
      type === SMALL_OBJECT || type === LARGE_OBJECT,
    );
  const out: string[] = [];
  writeValue(bytes, type, pos, end, out);
  return { kind: 'scalar', text: out.join('') };
}

function readContainerNode(
  bytes: Buffer,
  base: number,
  end: number,
  isLarge: boolean,
  isObject: boolean,
): JsonNode {
  const word = isLarge ? 4 : 2;
  const readWord = (at: number): number =>
    isLarge ? bytes.readUInt32LE(at) : bytes.readUInt16LE(at);
  const count = readWord(base);
  const size = readWord(base + word);
  if (base + size > end) throw malformed('container larger than its value');
  const keyEntries = base + 2 * word;
  const valueEntries = isObject ? keyEntries + count * (word + 2) : keyEntries;
  const members = new Map<string, JsonNode>();
  const items: JsonNode[] = [];
  for (let i = 0; i < count; i += 1) {
    const entry = valueEntries + i * (1 + word);
    const type = bytes[entry]!;
    let node: JsonNode;
    if (isInlined(type, isLarge)) {
      const out: string[] = [];
      writeInlined(bytes, type, entry + 1, out);
      node = { kind: 'scalar', text: out.join('') };
    } else {
      node = readNode(bytes, type, base + readWord(entry + 1), base + size);
    }
    if (isObject) {
      const keyEntry = keyEntries + i * (word + 2);
      const keyOffset = readWord(keyEntry);
      const keyLength = bytes.readUInt16LE(keyEntry + word);
      members.set(bytes.toString('utf8', base + keyOffset, base + keyOffset + keyLength), node);
    } else {
      items.push(node);
    }
  }
  return isObject ? { kind: 'object', members } : { kind: 'array', items };
}

/** MySQL's order of object keys: shorter (in UTF-8 bytes) first, then by bytes. */
function compareKeys(a: string, b: string): number {
  const lengthA = Buffer.byteLength(a);
  const lengthB = Buffer.byteLength(b);
  if (lengthA !== lengthB) return lengthA - lengthB;
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/** A tree as MySQL prints the document (the same form as `jsonBinaryToText`). */
export function jsonNodeToText(node: JsonNode): string {
  const out: string[] = [];
  writeNode(node, out);
  return out.join('');
}

function writeNode(node: JsonNode, out: string[]): void {
  switch (node.kind) {
    case 'scalar':
      out.push(node.text);
      return;
    case 'array':
      out.push('[');
      node.items.forEach((item, i) => {
        if (i > 0) out.push(', ');
        writeNode(item, out);
      });
      out.push(']');
      return;
    case 'object': {
      out.push('{');
      [...node.members.keys()].sort(compareKeys).forEach((key, i) => {
        if (i > 0) out.push(', ');
        out.push(quoteJsonString(key), ': ');
        writeNode(node.members.get(key)!, out);
      });
      out.push('}');
    }
  }
}

/** Converts the binary JSON document `bytes[start, end)` to MySQL's text form. */
export function jsonBinaryToText(bytes: Buffer, start: number, end: number): string {
  // An empty value is what MySQL writes for a JSON column set to the JSON null literal by some paths.
  if (end <= start) return 'null';
  const out: string[] = [];
  writeValue(bytes, bytes[start]!, start + 1, end, out);
  return out.join('');
}

function writeValue(bytes: Buffer, type: number, pos: number, end: number, out: string[]): void {
  switch (type) {
    case SMALL_OBJECT:
    case LARGE_OBJECT:
      writeContainer(bytes, pos, end, type === LARGE_OBJECT, true, out);
      return;
    case SMALL_ARRAY:
    case LARGE_ARRAY:
      writeContainer(bytes, pos, end, type === LARGE_ARRAY, false, out);
      return;
    case LITERAL:
      out.push(literalText(bytes[pos]!));
      return;
    case INT16:
      out.push(String(bytes.readInt16LE(pos)));
      return;
    case UINT16:
      out.push(String(bytes.readUInt16LE(pos)));
      return;
    case INT32:
      out.push(String(bytes.readInt32LE(pos)));
      return;
    case UINT32:
      out.push(String(bytes.readUInt32LE(pos)));
      return;
    case INT64:
      out.push(bytes.readBigInt64LE(pos).toString());
      return;
    case UINT64:
      out.push(bytes.readBigUInt64LE(pos).toString());
      return;
    case DOUBLE:
      out.push(formatJsonDouble(bytes.readDoubleLE(pos)));
      return;
    case STRING: {
      const [length, next] = readVariableLength(bytes, pos);
      out.push(quoteJsonString(bytes.toString('utf8', next, next + length)));
      return;
    }
    case OPAQUE:
      writeOpaque(bytes, pos, out);
      return;
    default:
      throw malformed(`unknown value type ${type}`);
  }
}

function literalText(value: number): string {
  switch (value) {
    case 0:
      return 'null';
    case 1:
      return 'true';
    case 2:
      return 'false';
    default:
      throw malformed(`unknown literal ${value}`);
  }
}

function writeContainer(
  bytes: Buffer,
  base: number,
  end: number,
  isLarge: boolean,
  isObject: boolean,
  out: string[],
): void {
  const word = isLarge ? 4 : 2;
  const readWord = (at: number): number =>
    isLarge ? bytes.readUInt32LE(at) : bytes.readUInt16LE(at);
  const count = readWord(base);
  const size = readWord(base + word);
  if (base + size > end) throw malformed('container larger than its value');
  const keyEntries = base + 2 * word;
  const valueEntries = isObject ? keyEntries + count * (word + 2) : keyEntries;
  const valueEntrySize = 1 + word;
  out.push(isObject ? '{' : '[');
  for (let i = 0; i < count; i += 1) {
    if (i > 0) out.push(', ');
    if (isObject) {
      const keyEntry = keyEntries + i * (word + 2);
      const keyOffset = readWord(keyEntry);
      const keyLength = bytes.readUInt16LE(keyEntry + word);
      out.push(
        quoteJsonString(bytes.toString('utf8', base + keyOffset, base + keyOffset + keyLength)),
        ': ',
      );
    }
    const entry = valueEntries + i * valueEntrySize;
    const type = bytes[entry]!;
    if (isInlined(type, isLarge)) {
      writeInlined(bytes, type, entry + 1, out);
    } else {
      writeValue(bytes, type, base + readWord(entry + 1), base + size, out);
    }
  }
  out.push(isObject ? '}' : ']');
}

function isInlined(type: number, isLarge: boolean): boolean {
  return (
    type === LITERAL ||
    type === INT16 ||
    type === UINT16 ||
    (isLarge && (type === INT32 || type === UINT32))
  );
}

function writeInlined(bytes: Buffer, type: number, pos: number, out: string[]): void {
  switch (type) {
    case LITERAL:
      out.push(literalText(bytes[pos]!));
      return;
    case INT16:
      out.push(String(bytes.readInt16LE(pos)));
      return;
    case UINT16:
      out.push(String(bytes.readUInt16LE(pos)));
      return;
    case INT32:
      out.push(String(bytes.readInt32LE(pos)));
      return;
    default:
      out.push(String(bytes.readUInt32LE(pos)));
  }
}

/** Lengths inside JSON values: 7 bits per byte, low group first, high bit = more bytes follow. */
function readVariableLength(bytes: Buffer, pos: number): [number, number] {
  let length = 0;
  for (let i = 0; i < 5; i += 1) {
    const byte = bytes[pos + i]!;
    length += (byte & 0x7f) * 2 ** (7 * i);
    if ((byte & 0x80) === 0) return [length, pos + i + 1];
  }
  throw malformed('variable length longer than 5 bytes');
}

const MYSQL_TYPE_NEWDECIMAL = 246;
const MYSQL_TYPE_DATE = 10;
const MYSQL_TYPE_TIME = 11;
const MYSQL_TYPE_DATETIME = 12;
const MYSQL_TYPE_TIMESTAMP = 7;

function writeOpaque(bytes: Buffer, pos: number, out: string[]): void {
  const fieldType = bytes[pos]!;
  const [length, data] = readVariableLength(bytes, pos + 1);
  switch (fieldType) {
    case MYSQL_TYPE_NEWDECIMAL:
      out.push(decodeDecimal(bytes, data + 2, bytes[data]!, bytes[data + 1]!));
      return;
    case MYSQL_TYPE_DATE:
    case MYSQL_TYPE_TIME:
    case MYSQL_TYPE_DATETIME:
    case MYSQL_TYPE_TIMESTAMP:
      out.push(`"${packedTemporalText(bytes.readBigInt64LE(data), fieldType)}"`);
      return;
    default:
      out.push(
        `"base64:type${fieldType}:${bytes.subarray(data, data + length).toString('base64')}"`,
      );
  }
}

/** MySQL's in-memory packed temporal (my_time.h `TIME_to_longlong_packed`): ((ymd<<17|hms)<<24)+µs. */
function packedTemporalText(packed: bigint, fieldType: number): string {
  const isNegative = packed < 0n;
  const magnitude = isNegative ? -packed : packed;
  const micros = Number(magnitude % (1n << 24n));
  const ymdhms = Number(magnitude >> 24n);
  const ymd = Math.floor(ymdhms / 0x20000);
  const hms = ymdhms % 0x20000;
  const hour = hms >>> 12;
  const minute = (hms >>> 6) & 63;
  const second = hms & 63;
  if (fieldType === MYSQL_TYPE_TIME) {
    // TIME packs only h<<12|m<<6|s (`TIME_to_longlong_time_packed`); hours may exceed 24.
    const hours = ymdhms >>> 12;
    const text = `${String(hours % 1024).padStart(2, '0')}:${String(minute).padStart(2, '0')}:${String(second).padStart(2, '0')}${formatFraction(micros, 6)}`;
    return isNegative ? `-${text}` : text;
  }
  const ym = ymd >>> 5;
  const year = Math.floor(ym / 13);
  const month = ym % 13;
  const day = ymd & 31;
  if (fieldType === MYSQL_TYPE_DATE) return formatDate(year, month, day);
  return formatDateTime(year, month, day, hour, minute, second, micros, 6);
}

/** A double as MySQL prints it in JSON: shortest round-trip digits, `.0` added to integral values. */
export function formatJsonDouble(value: number): string {
  const text = String(value).replace('e+', 'e');
  return /^-?\d+$/.test(text) ? `${text}.0` : text;
}

/** A JSON string literal as MySQL escapes it (json_dom.cc `double_quote`). */
export function quoteJsonString(text: string): string {
  let needsEscape = false;
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code === 0x22 || code === 0x5c) {
      needsEscape = true;
      break;
    }
  }
  if (!needsEscape) return `"${text}"`;
  let out = '"';
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i]!;
    const code = text.charCodeAt(i);
    if (char === '"') out += '\\"';
    else if (char === '\\') out += '\\\\';
    else if (char === '\b') out += '\\b';
    else if (char === '\f') out += '\\f';
    else if (char === '\n') out += '\\n';
    else if (char === '\r') out += '\\r';
    else if (char === '\t') out += '\\t';
    else if (code < 0x20) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += char;
  }
  return `${out}"`;
}

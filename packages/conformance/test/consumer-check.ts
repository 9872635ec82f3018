/**
 * What the real-consumer suite compares: the source's rows (the snapshot `SELECT`, canonical
 * values), the rows Flink's canal-json produced under each declared Flink type, and the
 * records Avro Java decoded, each folded into the final state per primary key.
 */
import type { CellValue, ColumnSchema, TableSchema } from '@tidewater/change-events';
import type { CanalJsonValues } from '@tidewater/config';
import { connectSource, readSnapshot } from '@tidewater/mysql-source';

import type { AvroLine, FlinkLine } from '../src/consumers';
import { SOURCE } from './source';

export interface SourceTable {
  schema: TableSchema;
  /** id → row (canonical values, table column order). */
  rows: Map<string, CellValue[]>;
}

/** The tables' rows as the full migration reads them (the source's `SELECT`, canonical). */
export async function readSourceTables(
  database: string,
  tables: string[],
): Promise<Map<string, SourceTable>> {
  const result = new Map<string, SourceTable>();
  for await (const item of readSnapshot({
    connect: () => connectSource(SOURCE),
    tables: tables.map((table) => ({ database, table })),
  })) {
    if (item.kind !== 'chunk') continue;
    const entry = result.get(item.event.schema.table) ?? {
      schema: item.event.schema,
      rows: new Map(),
    };
    for (const row of item.event.rows) entry.rows.set(String(row[0]), row);
    result.set(item.event.schema.table, entry);
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// Flink SQL types a column can be declared as

export interface Candidate {
  /** Flink SQL type, e.g. `DECIMAL(10, 2)`, `TIMESTAMP(3)`, `STRING`. */
  flinkType: string;
}

/** The Flink types worth trying for a MySQL column: its natural type(s), then STRING. */
export function flinkCandidates(column: ColumnSchema): string[] {
  const precision = column.scale ?? 0;
  switch (column.family) {
    case 'integer': {
      const bytes = column.precision ?? 4;
      const natural = column.unsigned
        ? { 1: 'SMALLINT', 2: 'INT', 3: 'INT', 4: 'BIGINT', 8: 'DECIMAL(20, 0)' }[bytes]
        : { 1: 'TINYINT', 2: 'SMALLINT', 3: 'INT', 4: 'INT', 8: 'BIGINT' }[bytes];
      const isBool = column.columnType.startsWith('tinyint(1)');
      return [natural ?? 'BIGINT', ...(isBool ? ['BOOLEAN'] : []), 'STRING'];
    }
    case 'decimal': {
      const p = column.precision ?? 10;
      return [
        ...(p <= 38 ? [`DECIMAL(${p}, ${column.scale ?? 0})`] : ['DECIMAL(38, 8)']),
        'STRING',
      ];
    }
    case 'float':
      return ['FLOAT', 'STRING'];
    case 'double':
      return ['DOUBLE', 'STRING'];
    case 'bit':
      return [
        ...((column.precision ?? 1) === 1 ? ['BOOLEAN'] : []),
        (column.precision ?? 1) < 64 ? 'BIGINT' : 'DECIMAL(20, 0)',
        'BYTES',
        'STRING',
      ];
    case 'year':
      return ['INT', 'STRING'];
    case 'date':
      return ['DATE', 'STRING'];
    case 'datetime':
      return [`TIMESTAMP(${precision})`, 'STRING'];
    case 'timestamp':
      return [`TIMESTAMP(${precision})`, `TIMESTAMP_LTZ(${precision})`, 'STRING'];
    case 'time':
      return [`TIME(${precision})`, 'STRING'];
    case 'binary':
    case 'blob':
    case 'geometry':
      return ['BYTES', 'STRING'];
    // Canal writes an ENUM as its 1-based index and a SET as its bit mask.
    case 'enum':
      return ['INT', 'STRING'];
    case 'set':
      return ['BIGINT', 'STRING'];
    case 'char':
    case 'text':
    case 'json':
      return ['STRING'];
  }
}

/**
 * The one Flink SQL type to declare a column as when the task writes the `flink` values: the
 * type whose values are the source's (the formats README's Flink section). TIME stays STRING:
 * MySQL's TIME is a duration (−838:59:59 to 838:59:59), Flink's a time of day.
 */
export function naturalFlinkType(column: ColumnSchema): string {
  switch (column.family) {
    case 'bit':
      return (column.precision ?? 1) === 1 ? 'BOOLEAN' : 'BYTES';
    case 'decimal':
      return (column.precision ?? 10) <= 38 ? flinkCandidates(column)[0]! : 'STRING';
    case 'timestamp':
      return `TIMESTAMP_LTZ(${column.scale ?? 0})`;
    case 'time':
      return 'STRING';
    case 'binary':
    case 'blob':
    case 'geometry':
      return 'BYTES';
    default:
      return flinkCandidates(column)[0]!;
  }
}

/** What Canal writes for an ENUM or SET label list: the index (`''` is 0) or the bit mask. */
function choiceNumber(column: ColumnSchema, labels: string): string {
  const members = column.members ?? [];
  if (column.family === 'enum') return String(labels === '' ? 0 : members.indexOf(labels) + 1);
  let mask = 0n;
  for (const label of labels === '' ? [] : labels.split(','))
    mask |= 1n << BigInt(members.indexOf(label));
  return mask.toString();
}

// ---------------------------------------------------------------------------------------------
// Comparing a consumer's text with the source value

/** `12:00:00.500` → `12:00:00.5`, `12:00:00.000` → `12:00:00`. */
const trimFraction = (text: string) => text.replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '');

function decimalKey(text: string): string {
  const match = /^(-?)(\d+)(?:\.(\d*))?$/.exec(text.trim());
  if (!match) return `not a decimal: ${text}`;
  const whole = match[2]!.replace(/^0+(?=\d)/, '');
  const fraction = (match[3] ?? '').replace(/0+$/, '');
  const sign = whole === '0' && fraction === '' ? '' : match[1];
  return `${sign}${whole}${fraction ? `.${fraction}` : ''}`;
}

const hex = (bytes: Buffer) => bytes.toString('hex');

/** Whether a DATE/DATETIME/TIMESTAMP value has a zero month or day (`0000-00-00`, `2024-00-10`). */
const hasZeroDatePart = (value: string) => /^\d{4}-(00-\d\d|\d\d-00)/.test(value);

/**
 * The value a consumer of `values` can get: the `flink` values write a date with a zero part
 * as NULL (Flink's DATE and TIMESTAMP hold none), losing it by design.
 */
export function consumableValue(
  column: ColumnSchema,
  value: CellValue,
  values: CanalJsonValues,
): CellValue {
  const isDate =
    column.family === 'date' || column.family === 'datetime' || column.family === 'timestamp';
  return values === 'flink' && isDate && typeof value === 'string' && hasZeroDatePart(value)
    ? null
    : value;
}

/**
 * Whether `text` (what a consumer produced for a cell declared as `flinkType`, or `null`) is
 * the source value (as `consumableValue` gives it): numbers by value, temporal text with
 * insignificant fraction zeros dropped, bytes by their hex, ENUM and SET by Canal's number for
 * the label, everything else exactly. Flink prints TIMESTAMP_LTZ as an instant. Text read as
 * STRING is the message's own: with Canal's values bytes are one ISO-8859-1 character per
 * byte; with the `flink` values bytes and BIT are base64 (BIT(1) `true`/`false`) and a
 * TIMESTAMP ends in `Z`.
 */
export function isSameValue(
  column: ColumnSchema,
  flinkType: string,
  value: CellValue,
  text: string | null,
  values: CanalJsonValues = 'canal',
): boolean {
  if (value === null || text === null) return value === null && text === null;
  const isString = flinkType === 'STRING';
  const isFlinkText = isString && values === 'flink';
  switch (column.family) {
    case 'integer':
      if (flinkType === 'BOOLEAN') return text === String(value !== '0');
      return /^-?\d+$/.test(text) && BigInt(text) === BigInt(value as string);
    case 'bit': {
      const bits = BigInt(`0x${hex(value as Buffer) || '0'}`);
      if (isFlinkText) {
        return (column.precision ?? 1) === 1
          ? text === String(bits !== 0n)
          : hex(Buffer.from(text, 'base64')) === hex(value as Buffer);
      }
      if (flinkType === 'BOOLEAN') return text === String(bits !== 0n);
      if (flinkType === 'BYTES') return text === hex(value as Buffer);
      return /^-?\d+$/.test(text) && BigInt(text) === bits;
    }
    case 'decimal':
      return decimalKey(text) === decimalKey(value as string);
    case 'float':
      return Math.fround(Number(text)) === Math.fround(value as number);
    case 'double':
      return Number(text) === value;
    case 'year':
      return Number(text) === value;
    case 'date':
      return text === value;
    case 'datetime':
    case 'timestamp':
    case 'time': {
      const shown =
        flinkType.startsWith('TIMESTAMP_LTZ') || isFlinkText
          ? text.replace('T', ' ').replace(/Z$/, '')
          : text;
      return trimFraction(shown) === trimFraction(value as string);
    }
    case 'binary':
    case 'blob':
    case 'geometry': {
      if (!isString) return text === hex(value as Buffer);
      if (isFlinkText) return hex(Buffer.from(text, 'base64')) === hex(value as Buffer);
      // Canal text carries one ISO-8859-1 character per byte; a BINARY(n) reader pads to n.
      const bytes = Buffer.from(text, 'latin1');
      const width = column.dataType === 'binary' ? (value as Buffer).length : bytes.length;
      return (
        hex(Buffer.concat([bytes, Buffer.alloc(Math.max(0, width - bytes.length))])) ===
        hex(value as Buffer)
      );
    }
    case 'enum':
    case 'set':
      return text === choiceNumber(column, value as string);
    case 'char':
    case 'text':
    case 'json':
      return text === value;
  }
}

export function showValue(value: CellValue): string {
  if (value === null) return 'NULL';
  if (Buffer.isBuffer(value)) return `0x${hex(value)}`;
  return JSON.stringify(value);
}

// ---------------------------------------------------------------------------------------------
// Flink: fold the rows of one declaration, judge the outcome

export type Outcome =
  | { kind: 'exact' }
  | { kind: 'rejected'; error: string; messages: number }
  | { kind: 'different'; id: string; expected: string; got: string };

/** Flink's error, without the message text it quotes. */
export function errorGist(error: string): string {
  return error
    .replace(/The Canal JSON message is '.*$/s, '')
    .replace(/Corrupt Canal JSON message '.*$/s, 'Corrupt Canal JSON message')
    .replace(/\s+/g, ' ')
    .slice(0, 160)
    .trim();
}

/** The final state per id of the rows Flink produced for one declaration. */
export function foldFlinkRows(lines: FlinkLine[]): Map<string, Record<string, string | null>> {
  const state = new Map<string, Record<string, string | null>>();
  for (const line of lines) {
    for (const row of line.rows ?? []) {
      const id = String(row.fields.id);
      if (row.kind === '+I' || row.kind === '+U') state.set(id, row.fields);
      else state.delete(id);
    }
  }
  return state;
}

export function judgeFlink(
  lines: FlinkLine[],
  source: SourceTable,
  column: ColumnSchema,
  flinkType: string,
  values: CanalJsonValues = 'canal',
): Outcome {
  const errors = lines.filter((line) => line.error !== undefined);
  if (errors.length > 0) {
    return { kind: 'rejected', error: errorGist(errors[0]!.error!), messages: errors.length };
  }
  const folded = foldFlinkRows(lines);
  const index = source.schema.columns.findIndex((c) => c.name === column.name);
  for (const [id, row] of source.rows) {
    const got = folded.get(id);
    const value = consumableValue(column, row[index]!, values);
    if (got === undefined)
      return { kind: 'different', id, expected: showValue(value), got: '(no row)' };
    if (!isSameValue(column, flinkType, value, got[column.name] ?? null, values)) {
      return {
        kind: 'different',
        id,
        expected: showValue(value),
        got: JSON.stringify(got[column.name]),
      };
    }
  }
  if (folded.size !== source.rows.size) {
    return {
      kind: 'different',
      id: '-',
      expected: `${source.rows.size} rows`,
      got: `${folded.size} rows`,
    };
  }
  return { kind: 'exact' };
}

// ---------------------------------------------------------------------------------------------
// Avro: DTS values back to canonical ones

const DTS = 'com.alibaba.dts.formats.avro.';

/** The one branch of an Avro JSON union: `{ "com...Integer": {...} }` → ['Integer', {...}]. */
function branch(value: unknown): [string, Record<string, unknown>] | null {
  if (value === null || typeof value !== 'object') return null;
  const [name, inner] = Object.entries(value as Record<string, unknown>)[0] ?? [];
  if (name === undefined) return null;
  return [name.replace(DTS, ''), inner as Record<string, unknown>];
}

const bytesOf = (value: unknown) => Buffer.from(String(value), 'latin1');
const two = (n: unknown) => String(Math.abs(Number(n ?? 0))).padStart(2, '0');

/**
 * cp1252's characters for 0x80–0x9F (MySQL's latin1 is cp1252); the five undefined bytes map
 * to the C1 controls, as MySQL does. Node 20's TextDecoder('windows-1252') decodes ISO-8859-1.
 */
const cp1252High =
  '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f' +
  '\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178';

function decodeCharacter(charset: string, bytes: Buffer): string {
  const label = charset.toLowerCase();
  if (label.startsWith('utf8')) return bytes.toString('utf8');
  if (label === 'latin1') {
    return [...bytes]
      .map((byte) =>
        byte >= 0x80 && byte <= 0x9f ? cp1252High[byte - 0x80] : String.fromCharCode(byte),
      )
      .join('');
  }
  return new TextDecoder(label).decode(bytes);
}

/** A DTS Avro image value as the canonical value of `column`. */
export function dtsValue(column: ColumnSchema, value: unknown): CellValue {
  const found = branch(value);
  if (found === null) return null;
  const [type, inner] = found;
  switch (type) {
    case 'Integer':
      return column.family === 'bit'
        ? Buffer.from(
            BigInt(String(inner.value))
              .toString(16)
              .padStart(Math.ceil((column.precision ?? 1) / 8) * 2, '0'),
            'hex',
          )
        : String(inner.value);
    case 'Decimal':
      return String(inner.value);
    case 'Float':
      return Number(inner.value);
    case 'Character':
      return decodeCharacter(String(inner.charset), bytesOf(inner.value));
    case 'TextObject':
      return String(inner.value);
    case 'BinaryObject':
    case 'BinaryGeometry':
      return bytesOf(inner.value);
    case 'Timestamp': {
      const seconds = Number(inner.timestamp);
      const micros = Number(branch(inner.millis)?.[1] ?? inner.millis ?? 0);
      if (seconds === 0 && micros === 0) return '0000-00-00 00:00:00' + fractionOf(0, column.scale);
      const base = new Date(seconds * 1000).toISOString().slice(0, 19).replace('T', ' ');
      return base + fractionOf(micros, column.scale);
    }
    case 'DateTime': {
      const part = (name: string) => {
        const raw = inner[name];
        return raw === null || raw === undefined ? 0 : Number((branch(raw)?.[1] as unknown) ?? raw);
      };
      switch (column.family) {
        case 'year':
          return part('year');
        case 'date':
          return `${String(part('year')).padStart(4, '0')}-${two(part('month'))}-${two(part('day'))}`;
        case 'time': {
          const negative = [part('hour'), part('minute'), part('second'), part('millis')].some(
            (n) => n < 0,
          );
          return `${negative ? '-' : ''}${two(part('hour'))}:${two(part('minute'))}:${two(part('second'))}${fractionOf(Math.abs(part('millis')), column.scale)}`;
        }
        default:
          return `${String(part('year')).padStart(4, '0')}-${two(part('month'))}-${two(part('day'))} ${two(part('hour'))}:${two(part('minute'))}:${two(part('second'))}${fractionOf(part('millis'), column.scale)}`;
      }
    }
    default:
      return `unexpected DTS value ${type}`;
  }
}

/** `.123456` cut to the column's fractional digits; nothing without them. */
function fractionOf(micros: number, scale: number | null): string {
  if (!scale) return '';
  return `.${String(micros).padStart(6, '0').slice(0, scale)}`;
}

export interface AvroFold {
  /** table → id → row of canonical values. */
  tables: Map<string, Map<string, CellValue[]>>;
  errors: string[];
  trailingBytes: number[];
}

/** Applies every DTS record (INIT/INSERT/UPDATE/DELETE) to the final state per table and id. */
export function foldAvroRecords(lines: AvroLine[], schemas: Map<string, TableSchema>): AvroFold {
  const fold: AvroFold = { tables: new Map(), errors: [], trailingBytes: [] };
  for (const line of lines) {
    if (line.error !== undefined) {
      fold.errors.push(line.error);
      continue;
    }
    if (line.trailingBytes) fold.trailingBytes.push(line.trailingBytes);
    const record = line.record!;
    const operation = String(record.operation);
    if (!['INIT', 'INSERT', 'UPDATE', 'DELETE'].includes(operation)) continue;
    const objectName = String(
      branch(record.objectName)?.[1] ?? (record.objectName as { string?: string })?.string ?? '',
    );
    const table = objectName.slice(objectName.indexOf('.') + 1);
    const schema = schemas.get(table);
    if (schema === undefined) continue;
    const imageOf = (field: 'beforeImages' | 'afterImages') => {
      const images = record[field] as { array?: unknown[] } | null;
      return (images?.array ?? []).map((value, i) => dtsValue(schema.columns[i]!, value));
    };
    const rows = fold.tables.get(table) ?? new Map<string, CellValue[]>();
    fold.tables.set(table, rows);
    if (operation === 'DELETE' || operation === 'UPDATE')
      rows.delete(String(imageOf('beforeImages')[0]));
    if (operation !== 'DELETE') {
      const after = imageOf('afterImages');
      rows.set(String(after[0]), after);
    }
  }
  return fold;
}

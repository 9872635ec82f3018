/**
 * Row images from rows events, decoded to the canonical values of `@tidewater/change-events`.
 *
 * The byte layout of each value comes from the binlog's TABLE_MAP (type and metadata, always
 * exact for the event); what the bytes mean (signedness, charset, ENUM/SET labels, text or bytes)
 * comes from the tracked table schema, because MySQL 5.7 and PolarDB-X do not write it into the
 * binlog. Value layouts: MySQL "Rows_event" documentation and `Field::pack` of each field type
 * (sql/field.cc): integers little-endian, DECIMAL/temporal as in decimal.ts and temporal.ts,
 * strings length-prefixed (1 byte when the maximum length is below 256, else 2), BLOB/JSON/GEOMETRY
 * prefixed by `meta` length bytes, ENUM/SET as their index/bitmap in `meta` bytes.
 *
 * A layout is compiled once per (table map, schema) pair into parallel arrays so the per-value
 * loop is a switch with no allocation beyond the value itself.
 */
import type { CellValue, ColumnSchema, RowImage, TableSchema } from '@tidewater/change-events';
import { TidewaterError } from '@tidewater/errors';
import { textDecoderFor, type TextDecodeFn } from './charset';
import { ColumnType } from './constants';
import { decimalBinaryLength, decodeDecimal } from './decimal';
import { readLengthEncoded, type RowsEventView, type TableMap } from './event-decoder';
import { jsonBinaryToNode, jsonBinaryToText, jsonNodeToText } from './json-binary';
import { applyJsonDiffs, JsonDiffMismatch } from './json-diff';
import { mariadbBinaryTextDecoder } from './mariadb-binary-types';
import {
  decodeDate,
  decodeDatetime,
  decodeDatetime2,
  decodeTime,
  decodeTime2,
  decodeTimestamp,
  decodeTimestamp2,
  decodeDatetimeHires,
  decodeTimeHires,
  decodeTimestampHires,
  fractionLength,
  hiresLength,
} from './temporal';

const enum Kind {
  Null,
  Int8,
  UInt8,
  Int16,
  UInt16,
  Int24,
  UInt24,
  Int32,
  UInt32,
  Int64,
  UInt64,
  Float,
  Double,
  Decimal,
  Year,
  Date,
  Time,
  Time2,
  Datetime,
  Datetime2,
  Timestamp,
  Timestamp2,
  Bit,
  VarText,
  VarBinary,
  CharText,
  CharBinary,
  Enum,
  Set,
  BlobText,
  BlobBinary,
  JsonBinary,
  Geometry,
  TimeHires,
  DatetimeHires,
  TimestampHires,
}

/**
 * The old temporal types with fraction digits in the schema are MariaDB 5.3's formats, whose
 * fraction the table map does not say (temporal.ts); their `meta` becomes the schema's scale.
 */
function mariadbHiresKind(kind: Kind, scale: number | null): Kind | null {
  if (scale === null || scale <= 0) return null;
  if (kind === Kind.Time) return Kind.TimeHires;
  if (kind === Kind.Datetime) return Kind.DatetimeHires;
  if (kind === Kind.Timestamp) return Kind.TimestampHires;
  return null;
}

export interface RowLayout {
  schema: TableSchema;
  columnCount: number;
  kinds: Uint8Array;
  metas: Uint32Array;
  textDecoders: Array<TextDecodeFn | null>;
  members: Array<string[] | null>;
}

/** Why a table map and a schema do not describe the same columns. */
export interface LayoutMismatch {
  reason: string;
}

const INTEGER_BYTES: Record<number, number> = {
  [ColumnType.TINY]: 1,
  [ColumnType.SHORT]: 2,
  [ColumnType.INT24]: 3,
  [ColumnType.LONG]: 4,
  [ColumnType.LONGLONG]: 8,
};

function isTextFamily(column: ColumnSchema): boolean {
  return column.family === 'char' || column.family === 'text' || column.family === 'json';
}

/** Checks one column of a table map against the schema's column; returns a reason when they differ. */
function columnMismatch(type: number, meta: number, column: ColumnSchema): string | null {
  const fits = ((): boolean => {
    switch (column.family) {
      case 'integer':
        return (
          INTEGER_BYTES[type] !== undefined &&
          (column.precision === null || column.precision === INTEGER_BYTES[type])
        );
      case 'decimal':
        return (
          type === ColumnType.NEWDECIMAL &&
          (column.precision === null || column.precision === meta >> 8) &&
          (column.scale === null || column.scale === (meta & 0xff))
        );
      case 'float':
        return type === ColumnType.FLOAT;
      case 'double':
        return type === ColumnType.DOUBLE;
      case 'bit':
        return type === ColumnType.BIT;
      case 'year':
        return type === ColumnType.YEAR;
      case 'date':
        return type === ColumnType.DATE || type === ColumnType.NEWDATE;
      case 'datetime':
        return type === ColumnType.DATETIME || type === ColumnType.DATETIME2;
      case 'timestamp':
        return type === ColumnType.TIMESTAMP || type === ColumnType.TIMESTAMP2;
      case 'time':
        return type === ColumnType.TIME || type === ColumnType.TIME2;
      case 'char':
      case 'binary':
        return (
          type === ColumnType.STRING ||
          type === ColumnType.VARCHAR ||
          type === ColumnType.VAR_STRING
        );
      case 'text':
      case 'blob':
        return type === ColumnType.BLOB;
      case 'enum':
        return type === ColumnType.ENUM;
      case 'set':
        return type === ColumnType.SET;
      case 'json':
        return type === ColumnType.JSON || type === ColumnType.BLOB;
      case 'geometry':
        return type === ColumnType.GEOMETRY;
    }
  })();
  return fits
    ? null
    : `column ${column.name} is ${column.columnType} in the schema but binlog type ${type} (meta ${meta})`;
}

/** Compiles the decoding plan for rows of `tableMap` read with `schema`, or says why it cannot. */
export function compileRowLayout(
  tableMap: TableMap,
  schema: TableSchema,
): RowLayout | LayoutMismatch {
  const count = tableMap.columnCount;
  if (schema.columns.length !== count) {
    return {
      reason: `the binlog has ${count} columns for ${tableMap.database}.${tableMap.table}, the schema ${schema.columns.length}`,
    };
  }
  const kinds = new Uint8Array(count);
  const metas = new Uint32Array(count);
  const textDecoders: Array<TextDecodeFn | null> = new Array<TextDecodeFn | null>(count).fill(null);
  const members: Array<string[] | null> = new Array<string[] | null>(count).fill(null);
  const { metadata } = tableMap;
  for (let i = 0; i < count; i += 1) {
    const type = tableMap.columnTypes[i]!;
    const meta = tableMap.columnMeta[i]!;
    const column = schema.columns[i]!;
    const mismatch = columnMismatch(type, meta, column);
    if (mismatch) return { reason: mismatch };
    const metaUnsigned = metadata.unsigned?.[i];
    if (
      metaUnsigned !== undefined &&
      metaUnsigned !== null &&
      column.family === 'integer' &&
      metaUnsigned !== column.unsigned
    ) {
      return {
        reason: `column ${column.name} is ${column.unsigned ? 'unsigned' : 'signed'} in the schema but not in the binlog`,
      };
    }
    const metaCharset = metadata.charsets?.[i];
    if (metaCharset && column.charset && isTextFamily(column) && metaCharset !== column.charset) {
      return {
        reason: `column ${column.name} is ${column.charset} in the schema but ${metaCharset} in the binlog`,
      };
    }
    metas[i] = meta;
    kinds[i] = kindOf(type, meta, column);
    const hires = mariadbHiresKind(kinds[i] as Kind, column.scale);
    if (hires !== null) {
      kinds[i] = hires;
      metas[i] = column.scale!;
    }
    if (kinds[i] === Kind.VarText || kinds[i] === Kind.CharText || kinds[i] === Kind.BlobText) {
      textDecoders[i] =
        mariadbBinaryTextDecoder(column.dataType) ??
        textDecoderFor(column.family === 'json' ? 'utf8mb4' : column.charset);
    }
    if (type === ColumnType.ENUM || type === ColumnType.SET) {
      const labels = column.members ?? metadata.members?.[i] ?? null;
      if (!labels)
        return {
          reason: `column ${column.name} has no ${type === ColumnType.ENUM ? 'ENUM' : 'SET'} labels`,
        };
      members[i] = labels;
    }
  }
  return { schema, columnCount: count, kinds, metas, textDecoders, members };
}

export function isLayoutMismatch(value: RowLayout | LayoutMismatch): value is LayoutMismatch {
  return 'reason' in value;
}

function kindOf(type: number, meta: number, column: ColumnSchema): Kind {
  const unsigned = column.unsigned;
  switch (type) {
    case ColumnType.TINY:
      return unsigned ? Kind.UInt8 : Kind.Int8;
    case ColumnType.SHORT:
      return unsigned ? Kind.UInt16 : Kind.Int16;
    case ColumnType.INT24:
      return unsigned ? Kind.UInt24 : Kind.Int24;
    case ColumnType.LONG:
      return unsigned ? Kind.UInt32 : Kind.Int32;
    case ColumnType.LONGLONG:
      return unsigned ? Kind.UInt64 : Kind.Int64;
    case ColumnType.FLOAT:
      return Kind.Float;
    case ColumnType.DOUBLE:
      return Kind.Double;
    case ColumnType.NEWDECIMAL:
      return Kind.Decimal;
    case ColumnType.YEAR:
      return Kind.Year;
    case ColumnType.DATE:
    case ColumnType.NEWDATE:
      return Kind.Date;
    case ColumnType.TIME:
      return Kind.Time;
    case ColumnType.TIME2:
      return Kind.Time2;
    case ColumnType.DATETIME:
      return Kind.Datetime;
    case ColumnType.DATETIME2:
      return Kind.Datetime2;
    case ColumnType.TIMESTAMP:
      return Kind.Timestamp;
    case ColumnType.TIMESTAMP2:
      return Kind.Timestamp2;
    case ColumnType.BIT:
      return Kind.Bit;
    case ColumnType.VARCHAR:
    case ColumnType.VAR_STRING:
      return isTextFamily(column) ? Kind.VarText : Kind.VarBinary;
    case ColumnType.STRING:
      return isTextFamily(column) ? Kind.CharText : Kind.CharBinary;
    case ColumnType.ENUM:
      return Kind.Enum;
    case ColumnType.SET:
      return Kind.Set;
    case ColumnType.BLOB:
      return isTextFamily(column) ? Kind.BlobText : Kind.BlobBinary;
    case ColumnType.JSON:
      return Kind.JsonBinary;
    case ColumnType.GEOMETRY:
      return Kind.Geometry;
    case ColumnType.NULL:
      return Kind.Null;
    default:
      throw new TidewaterError(
        'BINLOG_TYPE_UNSUPPORTED',
        `Column ${column.name} has binlog type ${type} (meta ${meta}), which Tidewater cannot decode.`,
        {
          category: 'unsupported',
          remedy: 'Exclude the table from the task or change the column to a supported type.',
          details: { column: column.name, type },
        },
      );
  }
}

function copyBytes(bytes: Buffer, start: number, end: number): Buffer {
  // A copy, so a value kept downstream does not pin the socket chunk it arrived in.
  const copy = Buffer.allocUnsafe(end - start);
  bytes.copy(copy, 0, start, end);
  return copy;
}

function readLengthPrefix(bytes: Buffer, pos: number, size: number): number {
  switch (size) {
    case 1:
      return bytes[pos]!;
    case 2:
      return bytes.readUInt16LE(pos);
    case 3:
      return bytes.readUIntLE(pos, 3);
    default:
      return bytes.readUInt32LE(pos);
  }
}

function int64Text(bytes: Buffer, pos: number, isUnsigned: boolean): string {
  const low = bytes.readUInt32LE(pos);
  const high = isUnsigned ? bytes.readUInt32LE(pos + 4) : bytes.readInt32LE(pos + 4);
  // Exact in a double while |value| < 2^53; beyond that go through BigInt.
  if (high >= -0x200000 && high < 0x200000) return String(high * 0x100000000 + low);
  return (isUnsigned ? bytes.readBigUInt64LE(pos) : bytes.readBigInt64LE(pos)).toString();
}

function setText(bytes: Buffer, pos: number, size: number, labels: string[]): string {
  let text = '';
  for (let byte = 0; byte < size; byte += 1) {
    const bits = bytes[pos + byte]!;
    if (bits === 0) continue;
    for (let bit = 0; bit < 8; bit += 1) {
      if ((bits & (1 << bit)) === 0) continue;
      const label = labels[byte * 8 + bit];
      if (label === undefined) continue;
      text = text.length === 0 ? label : `${text},${label}`;
    }
  }
  return text;
}

/**
 * The columns a rows event's present-columns bitmap leaves out: a partial row image, written
 * by a session with binlog_row_image=MINIMAL or NOBLOB (MySQL "Rows_event": one bit per column
 * of the table map, least significant bit first). Empty for a full image.
 */
export function absentColumns(present: Buffer, layout: RowLayout): string[] {
  const absent: string[] = [];
  for (let i = 0; i < layout.columnCount; i += 1) {
    if ((present[i >> 3]! & (1 << (i & 7))) === 0) {
      absent.push(layout.schema.columns[i]?.name ?? `#${i + 1}`);
    }
  }
  return absent;
}

/**
 * What the after image of a partial JSON update needs (`decodePartialUpdates`): which JSON
 * columns hold diffs, and where each JSON value of the before image lies in `bytes`.
 */
interface PartialJsonImage {
  /** One bit per JSON column of the table, set where the after image holds a diff. */
  partialBits: Buffer;
  /** Per column: its number among the table's JSON columns, -1 for other columns. */
  jsonOrdinals: Int16Array;
  /** Per column: [start, end) of its JSON value in the before image, -1 when NULL or absent. */
  beforeSpans: Int32Array;
}

/**
 * Decodes one row image starting at `pos` into `out` (one slot per column) and returns the
 * position after it. The image must be full: a column absent from `present` has no value to
 * give, and NULL would be a wrong one (callers check `absentColumns` first). Partial JSON
 * updates only: `jsonSpans` collects where the before image's JSON values lie; `partialJson`
 * says which JSON columns of an after image are diffs against them.
 */
function decodeRow(
  bytes: Buffer,
  pos: number,
  layout: RowLayout,
  present: Buffer,
  out: RowImage,
  jsonSpans: Int32Array | null = null,
  partialJson: PartialJsonImage | null = null,
): number {
  const count = layout.columnCount;
  let presentCount = 0;
  for (let i = 0; i < count; i += 1)
    if ((present[i >> 3]! & (1 << (i & 7))) !== 0) presentCount += 1;
  const nullStart = pos;
  let p = pos + ((presentCount + 7) >> 3);
  let nullIndex = 0;
  const { kinds, metas } = layout;
  for (let i = 0; i < count; i += 1) {
    if ((present[i >> 3]! & (1 << (i & 7))) === 0) {
      throw new TidewaterError(
        'BINLOG_PARTIAL_ROW_IMAGE',
        `A row of ${layout.schema.database}.${layout.schema.table} lacks column ${layout.schema.columns[i]?.name ?? i + 1} (binlog_row_image is not FULL).`,
        {
          category: 'unsupported',
          remedy: PARTIAL_ROW_IMAGE_REMEDY,
          details: { database: layout.schema.database, table: layout.schema.table },
        },
      );
    }
    const isNull = (bytes[nullStart + (nullIndex >> 3)]! & (1 << (nullIndex & 7))) !== 0;
    nullIndex += 1;
    if (isNull) {
      out[i] = null;
      continue;
    }
    const meta = metas[i]!;
    let value: CellValue;
    switch (kinds[i] as Kind) {
      case Kind.Int8:
        value = String(bytes.readInt8(p));
        p += 1;
        break;
      case Kind.UInt8:
        value = String(bytes[p]!);
        p += 1;
        break;
      case Kind.Int16:
        value = String(bytes.readInt16LE(p));
        p += 2;
        break;
      case Kind.UInt16:
        value = String(bytes.readUInt16LE(p));
        p += 2;
        break;
      case Kind.Int24:
        value = String(bytes.readIntLE(p, 3));
        p += 3;
        break;
      case Kind.UInt24:
        value = String(bytes.readUIntLE(p, 3));
        p += 3;
        break;
      case Kind.Int32:
        value = String(bytes.readInt32LE(p));
        p += 4;
        break;
      case Kind.UInt32:
        value = String(bytes.readUInt32LE(p));
        p += 4;
        break;
      case Kind.Int64:
        value = int64Text(bytes, p, false);
        p += 8;
        break;
      case Kind.UInt64:
        value = int64Text(bytes, p, true);
        p += 8;
        break;
      case Kind.Float:
        value = bytes.readFloatLE(p);
        p += 4;
        break;
      case Kind.Double:
        value = bytes.readDoubleLE(p);
        p += 8;
        break;
      case Kind.Decimal: {
        const precision = meta >> 8;
        const scale = meta & 0xff;
        value = decodeDecimal(bytes, p, precision, scale);
        p += decimalBinaryLength(precision, scale);
        break;
      }
      case Kind.Year: {
        const year = bytes[p]!;
        value = year === 0 ? 0 : 1900 + year;
        p += 1;
        break;
      }
      case Kind.Date:
        value = decodeDate(bytes, p);
        p += 3;
        break;
      case Kind.Time:
        value = decodeTime(bytes, p);
        p += 3;
        break;
      case Kind.Time2:
        value = decodeTime2(bytes, p, meta);
        p += 3 + fractionLength(meta);
        break;
      case Kind.Datetime:
        value = decodeDatetime(bytes, p);
        p += 8;
        break;
      case Kind.Datetime2:
        value = decodeDatetime2(bytes, p, meta);
        p += 5 + fractionLength(meta);
        break;
      case Kind.Timestamp:
        value = decodeTimestamp(bytes, p);
        p += 4;
        break;
      case Kind.Timestamp2:
        value = decodeTimestamp2(bytes, p, meta);
        p += 4 + fractionLength(meta);
        break;
      case Kind.Bit: {
        const size = (meta + 7) >> 3;
        value = copyBytes(bytes, p, p + size);
        p += size;
        break;
      }
      case Kind.VarText:
      case Kind.CharText: {
        const prefix = meta < 256 ? 1 : 2;
        const length = prefix === 1 ? bytes[p]! : bytes.readUInt16LE(p);
        p += prefix;
        value = layout.textDecoders[i]!(bytes, p, p + length);
        p += length;
        break;
      }
      case Kind.VarBinary: {
        const prefix = meta < 256 ? 1 : 2;
        const length = prefix === 1 ? bytes[p]! : bytes.readUInt16LE(p);
        p += prefix;
        value = copyBytes(bytes, p, p + length);
        p += length;
        break;
      }
      case Kind.CharBinary: {
        // BINARY(n) is logged without its trailing 0x00 padding (Field_string::pack strips the
        // pad character); SELECT returns all n bytes, so pad back to the column length.
        const prefix = meta < 256 ? 1 : 2;
        const length = prefix === 1 ? bytes[p]! : bytes.readUInt16LE(p);
        p += prefix;
        const padded = Buffer.alloc(Math.max(meta, length));
        bytes.copy(padded, 0, p, p + length);
        value = padded;
        p += length;
        break;
      }
      case Kind.Enum: {
        const index = meta === 1 ? bytes[p]! : bytes.readUInt16LE(p);
        value = index === 0 ? '' : (layout.members[i]![index - 1] ?? '');
        p += meta;
        break;
      }
      case Kind.Set:
        value = setText(bytes, p, meta, layout.members[i]!);
        p += meta;
        break;
      case Kind.BlobText: {
        const length = readLengthPrefix(bytes, p, meta);
        p += meta;
        value = layout.textDecoders[i]!(bytes, p, p + length);
        p += length;
        break;
      }
      case Kind.BlobBinary:
      case Kind.Geometry: {
        const length = readLengthPrefix(bytes, p, meta);
        p += meta;
        value = copyBytes(bytes, p, p + length);
        p += length;
        break;
      }
      case Kind.JsonBinary: {
        if (partialJson !== null && isPartialJsonColumn(partialJson, i)) {
          // Json_diff_vector: 4 length bytes, then the diffs.
          const length = bytes.readUInt32LE(p);
          value = applyPartialJson(bytes, p + 4, p + 4 + length, partialJson, layout, i);
          p += 4 + length;
          break;
        }
        const length = readLengthPrefix(bytes, p, meta);
        p += meta;
        if (jsonSpans !== null) {
          jsonSpans[2 * i] = p;
          jsonSpans[2 * i + 1] = p + length;
        }
        value = jsonBinaryToText(bytes, p, p + length);
        p += length;
        break;
      }
      case Kind.TimeHires:
        value = decodeTimeHires(bytes, p, meta);
        p += hiresLength('time', meta);
        break;
      case Kind.DatetimeHires:
        value = decodeDatetimeHires(bytes, p, meta);
        p += hiresLength('datetime', meta);
        break;
      case Kind.TimestampHires:
        value = decodeTimestampHires(bytes, p, meta);
        p += hiresLength('timestamp', meta);
        break;
      case Kind.Null:
        value = null;
        break;
    }
    out[i] = value;
  }
  return p;
}

function isPartialJsonColumn(partialJson: PartialJsonImage, column: number): boolean {
  const ordinal = partialJson.jsonOrdinals[column]!;
  return ordinal >= 0 && (partialJson.partialBits[ordinal >> 3]! & (1 << (ordinal & 7))) !== 0;
}

/** A JSON column's after value: the before image's document with the diffs applied. */
function applyPartialJson(
  bytes: Buffer,
  start: number,
  end: number,
  partialJson: PartialJsonImage,
  layout: RowLayout,
  column: number,
): string {
  const { database, table } = layout.schema;
  const name = layout.schema.columns[column]?.name ?? `#${column + 1}`;
  const beforeStart = partialJson.beforeSpans[2 * column]!;
  try {
    if (beforeStart < 0) throw new JsonDiffMismatch('the before image has no JSON value to change');
    const document = jsonBinaryToNode(bytes, beforeStart, partialJson.beforeSpans[2 * column + 1]!);
    return jsonNodeToText(applyJsonDiffs(document, bytes, start, end));
  } catch (error) {
    if (!(error instanceof JsonDiffMismatch)) throw error;
    throw new TidewaterError(
      'BINLOG_EVENT_MALFORMED',
      `The partial JSON update of ${database}.${table}.${name} does not fit the row's before image: ${error.message}.`,
      {
        category: 'internal',
        remedy:
          'The binlog and the row it changes disagree; restart the task with a new full data migration of this table, and report the binlog position if it repeats.',
        details: { database, table, column: name },
        cause: error,
      },
    );
  }
}

/**
 * The rows of a PARTIAL_UPDATE_ROWS_EVENT (rpl_record.h `unpack_row`): per row the before image,
 * the shared image — value_options (length-encoded; 1 = PARTIAL_JSON_UPDATES) and, when set,
 * one bit per JSON column of the table — and the after image, whose JSON columns with their bit
 * set are diffs against the before image (json-diff.ts). Only these events pay for the
 * bookkeeping; ordinary updates decode as before.
 */
function decodePartialUpdates(
  view: RowsEventView,
  layout: RowLayout,
): Array<{ before: RowImage; after: RowImage }> {
  const count = layout.columnCount;
  const jsonOrdinals = new Int16Array(count).fill(-1);
  let jsonCount = 0;
  for (let i = 0; i < count; i += 1) {
    if (layout.kinds[i] === Kind.JsonBinary) jsonOrdinals[i] = jsonCount++;
  }
  const beforeSpans = new Int32Array(2 * count);
  const { bytes, rowsEnd } = view;
  const pairs: Array<{ before: RowImage; after: RowImage }> = [];
  let p = view.rowsStart;
  while (p < rowsEnd) {
    beforeSpans.fill(-1);
    const before: RowImage = new Array<CellValue>(count);
    p = decodeRow(bytes, p, layout, view.presentBefore, before, beforeSpans);
    const [valueOptions, afterOptions] = readLengthEncoded(bytes, p);
    p = afterOptions;
    let partialJson: PartialJsonImage | null = null;
    if ((valueOptions & PARTIAL_JSON_UPDATES) !== 0) {
      const length = (jsonCount + 7) >> 3;
      partialJson = { partialBits: bytes.subarray(p, p + length), jsonOrdinals, beforeSpans };
      p += length;
    }
    const after: RowImage = new Array<CellValue>(count);
    p = decodeRow(bytes, p, layout, view.presentAfter!, after, null, partialJson);
    pairs.push({ before, after });
  }
  return pairs;
}

/** value_options bit of a partial update's shared image (binlog_row_value_options=PARTIAL_JSON). */
const PARTIAL_JSON_UPDATES = 1;

/** What the operator does about a partial row image (see `absentColumns`). */
export const PARTIAL_ROW_IMAGE_REMEDY =
  'Set binlog_row_image=FULL on the source globally (SET GLOBAL and the server configuration) and for every session that writes (no SET SESSION binlog_row_image=MINIMAL or NOBLOB in applications, connection pools or tools). The rows already logged without these columns cannot be read from the binlog: restart the task with a new full data migration.';

export interface DecodedRows {
  /** Insert and delete row images (null for updates). */
  images: RowImage[] | null;
  /** Update before/after pairs (null for inserts and deletes). */
  pairs: Array<{ before: RowImage; after: RowImage }> | null;
}

/** Decodes every row of a rows event with a compiled layout. */
export function decodeRows(view: RowsEventView, layout: RowLayout): DecodedRows {
  if (view.columnCount !== layout.columnCount) {
    throw new TidewaterError(
      'BINLOG_SCHEMA_MISMATCH',
      `A rows event has ${view.columnCount} columns but its table map ${layout.columnCount}.`,
      {
        category: 'internal',
        remedy: 'Report the binlog position; the source wrote inconsistent events.',
      },
    );
  }
  const { bytes, rowsEnd } = view;
  let p = view.rowsStart;
  try {
    if (view.rowsKind === 'update') {
      if (view.hasValueOptions) return { images: null, pairs: decodePartialUpdates(view, layout) };
      const pairs: Array<{ before: RowImage; after: RowImage }> = [];
      while (p < rowsEnd) {
        const before: RowImage = new Array<CellValue>(layout.columnCount);
        p = decodeRow(bytes, p, layout, view.presentBefore, before);
        const after: RowImage = new Array<CellValue>(layout.columnCount);
        p = decodeRow(bytes, p, layout, view.presentAfter!, after);
        pairs.push({ before, after });
      }
      return { images: null, pairs };
    }
    const rows: RowImage[] = [];
    while (p < rowsEnd) {
      const row: RowImage = new Array<CellValue>(layout.columnCount);
      p = decodeRow(bytes, p, layout, view.presentBefore, row);
      rows.push(row);
    }
    return { images: rows, pairs: null };
  } catch (error) {
    if (error instanceof RangeError) {
      throw new TidewaterError(
        'BINLOG_SCHEMA_MISMATCH',
        `Rows of ${layout.schema.database}.${layout.schema.table} do not fit the table's tracked schema (${error.message}).`,
        {
          category: 'internal',
          remedy:
            'The schema history is out of step with the binlog; restart the task from a new snapshot if it repeats.',
          cause: error,
        },
      );
    }
    throw error;
  }
}

/**
 * Canal JSON: the bytes Canal's Kafka producer writes for a `FlatMessage` (Canal
 * `MQMessageUtils.messageConverter` fills it, `CanalKafkaProducer` serialises it with fastjson2,
 * `WriteNulls`). fastjson2 writes a bean's properties in alphabetical order, writes nulls and
 * adds no whitespace, so the text is built by hand in that order:
 * `data, database, es, gtid, id, isDdl, mysqlType, old, pkNames, sql, sqlType, table, ts, type`
 * (`docs/formats/canal-json.md` §2). Every string goes through `JSON.stringify`,
 * which escapes exactly like fastjson2 for the characters MySQL text can hold (checked in
 * `docs/formats/canal-json.md` §3).
 */
import type {
  CellValue,
  ChangeEvent,
  ColumnSchema,
  DdlEvent,
  RowEvent,
  RowImage,
  TableSchema,
} from '@tidewater/change-events';
import { copyToNewBuffer, type CopyValue } from '../copy-value';
import { resolveTimeZone } from '../time-zone';
import {
  canalSqlType,
  createCanalRenderer,
  isSqlTypeValueDependent,
  needsJsonEscaping,
  type CanalJsonValues,
  type CanalRenderer,
  type CanalValueOptions,
  type UnsignedSqlTypeRule,
} from './canal-value';

export interface CanalJsonOptions extends CanalValueOptions {
  /** FlatMessage `id`: Canal's batch id; the caller's batch or serial number. */
  id: number;
  /** FlatMessage `ts`: when the message was built, ms since epoch (caller's clock, for tests). */
  ts: number;
  /** How `sqlType` codes unsigned integers; `column` by default (see `UnsignedSqlTypeRule`). */
  unsignedSqlType?: UnsignedSqlTypeRule;
  /** Where the message's bytes are copied (default: a new Buffer). */
  copyValue?: CopyValue;
}

interface ColumnPlan {
  column: ColumnSchema;
  /** `"name":` ready to concatenate. */
  key: string;
  render: CanalRenderer;
  isEscaped: boolean;
}

interface TablePlan {
  columns: ColumnPlan[];
  database: string;
  table: string;
  mysqlType: string;
  pkNames: string;
  /** The `sqlType` object when the last row has no NULL in `valueDependent` columns. */
  sqlTypeNonNull: string;
  /** Columns whose code depends on the last row's value (NULL codes, Canal's unsigned rule). */
  valueDependent: number[];
}

/** Plans per table schema object, zone, unsigned rule and values; schemas are immutable hand-offs. */
const plans = new WeakMap<TableSchema, Map<string, TablePlan>>();

/** The last plan used: consecutive events usually come from the same table. */
let lastPlan: {
  schema: TableSchema;
  timeZone: string;
  rule: UnsignedSqlTypeRule;
  values: CanalJsonValues;
  plan: TablePlan;
} | null = null;

function tablePlan(
  schema: TableSchema,
  timeZone: string,
  rule: UnsignedSqlTypeRule,
  values: CanalJsonValues,
): TablePlan {
  if (
    lastPlan !== null &&
    lastPlan.schema === schema &&
    lastPlan.timeZone === timeZone &&
    lastPlan.rule === rule &&
    lastPlan.values === values
  ) {
    return lastPlan.plan;
  }
  const plan = findOrCreatePlan(schema, timeZone, rule, values);
  lastPlan = { schema, timeZone, rule, values, plan };
  return plan;
}

function findOrCreatePlan(
  schema: TableSchema,
  timeZone: string,
  rule: UnsignedSqlTypeRule,
  values: CanalJsonValues,
): TablePlan {
  const planKey = `${rule} ${values} ${timeZone}`;
  let bySettings = plans.get(schema);
  if (bySettings === undefined) {
    bySettings = new Map();
    plans.set(schema, bySettings);
  }
  const known = bySettings.get(planKey);
  if (known !== undefined) return known;

  const zone = resolveTimeZone(timeZone);
  const columns = schema.columns.map((column) => ({
    column,
    key: `${JSON.stringify(column.name)}:`,
    render: createCanalRenderer(column, zone, values),
    isEscaped: needsJsonEscaping(column),
  }));
  const mysqlType = `{${columns.map((c) => c.key + JSON.stringify(c.column.columnType)).join(',')}}`;
  // Canal lists the key columns in column order (`addPkName` while walking the columns).
  const keyNames = new Set(schema.primaryKey);
  const pkColumns = schema.columns.filter((c) => keyNames.has(c.name));
  const pkNames = pkColumns.length === 0 ? 'null' : JSON.stringify(pkColumns.map((c) => c.name));
  const valueDependent: number[] = [];
  schema.columns.forEach((c, i) => {
    if (isSqlTypeValueDependent(c, rule)) valueDependent.push(i);
  });
  const plan: TablePlan = {
    columns,
    database: JSON.stringify(schema.database),
    table: JSON.stringify(schema.table),
    mysqlType,
    pkNames,
    sqlTypeNonNull: sqlTypeObject(columns, null, rule),
    valueDependent,
  };
  bySettings.set(planKey, plan);
  return plan;
}

/** Canal refills `sqlType` for every row, so the last row's values decide (`messageConverter`). */
function sqlTypeObject(
  columns: ColumnPlan[],
  lastRow: RowImage | null,
  rule: UnsignedSqlTypeRule,
): string {
  let out = '{';
  for (let i = 0; i < columns.length; i++) {
    const plan = columns[i]!;
    // With no row at hand, a non-null placeholder gives the codes of the non-null path.
    const value: CellValue = lastRow === null ? '' : (lastRow[i] ?? null);
    if (i > 0) out += ',';
    out += plan.key + String(canalSqlType(plan.column, value, rule));
  }
  return `${out}}`;
}

function sqlTypeOf(plan: TablePlan, lastRow: RowImage, rule: UnsignedSqlTypeRule): string {
  if (rule === 'column') {
    let hasNull = false;
    for (const i of plan.valueDependent) hasNull ||= (lastRow[i] ?? null) === null;
    if (!hasNull) return plan.sqlTypeNonNull;
  } else if (plan.valueDependent.length === 0) {
    return plan.sqlTypeNonNull;
  }
  return sqlTypeObject(plan.columns, lastRow, rule);
}

function valueJson(plan: ColumnPlan, value: CellValue): string {
  if (value === null) return 'null';
  const text = plan.render(value);
  if (text === null) return 'null';
  return plan.isEscaped ? JSON.stringify(text) : `"${text}"`;
}

function rowJson(columns: ColumnPlan[], row: RowImage): string {
  let out = '{';
  for (let i = 0; i < columns.length; i++) {
    const plan = columns[i]!;
    if (i > 0) out += ',';
    out += plan.key + valueJson(plan, row[i] ?? null);
  }
  return `${out}}`;
}

/**
 * The `old` entry of one UPDATE row: the before values of the columns whose Canal text changed
 * (`LogEventConvert.isUpdate` compares the rendered strings and null-ness; a value the `flink`
 * values write as null counts as null), in column order.
 * Unlike Canal we compare per row and keep a `{}` for a row that changed nothing, so `old[i]`
 * always belongs to `data[i]` (see the README compatibility table).
 */
function oldJson(columns: ColumnPlan[], before: RowImage, after: RowImage): string {
  let out = '{';
  let isFirst = true;
  for (let i = 0; i < columns.length; i++) {
    const plan = columns[i]!;
    const was = before[i] ?? null;
    const is = after[i] ?? null;
    if (was === null && is === null) continue;
    // Equal canonical values render equally (rendering is a function of the value); only
    // values that differ are rendered and compared as text.
    if (isSameCanonical(was, is)) continue;
    const wasText = was === null ? null : plan.render(was);
    if (wasText === (is === null ? null : plan.render(is))) continue;
    if (!isFirst) out += ',';
    isFirst = false;
    out +=
      plan.key +
      (wasText === null ? 'null' : plan.isEscaped ? JSON.stringify(wasText) : `"${wasText}"`);
  }
  return `${out}}`;
}

function isSameCanonical(a: CellValue, b: CellValue): boolean {
  if (typeof a === 'string' || typeof a === 'number') return Object.is(a, b);
  return a !== null && b !== null && Buffer.isBuffer(b) && a.equals(b);
}

function canalType(event: RowEvent): string {
  switch (event.kind) {
    // Canal has no snapshot stage; INSERT is the type every Canal JSON reader applies.
    case 'snapshot':
    case 'insert':
      return 'INSERT';
    case 'update':
      return 'UPDATE';
    case 'delete':
      return 'DELETE';
  }
}

function gtidJson(event: ChangeEvent): string {
  // Canal copies the binlog header's GTID set (`LogEventConvert.createHeader`); the protobuf
  // default "" when the source has none.
  return JSON.stringify(event.position?.gtidSet ?? '');
}

function encodeRows(event: RowEvent, options: CanalJsonOptions): string {
  const rule = options.unsignedSqlType ?? 'column';
  const plan = tablePlan(event.schema, options.timeZone, rule, options.values ?? 'canal');
  const { columns } = plan;
  const images: RowImage[] = event.kind === 'update' ? event.rows.map((r) => r.after) : event.rows;

  let data = 'null';
  let old = 'null';
  let mysqlType = 'null';
  let sqlType = 'null';
  let pkNames = 'null';
  if (images.length > 0) {
    data = '[';
    for (let r = 0; r < images.length; r++) {
      if (r > 0) data += ',';
      data += rowJson(columns, images[r]!);
    }
    data += ']';
    if (event.kind === 'update') {
      old = '[';
      for (let r = 0; r < event.rows.length; r++) {
        const pair = event.rows[r]!;
        if (r > 0) old += ',';
        old += oldJson(columns, pair.before, pair.after);
      }
      old += ']';
    }
    mysqlType = plan.mysqlType;
    pkNames = plan.pkNames;
    sqlType = sqlTypeOf(plan, images[images.length - 1]!, rule);
  }
  return (
    `{"data":${data},"database":${plan.database},"es":${event.timestamp},"gtid":${gtidJson(event)}` +
    `,"id":${options.id},"isDdl":false,"mysqlType":${mysqlType},"old":${old},"pkNames":${pkNames}` +
    `,"sql":"","sqlType":${sqlType},"table":${plan.table},"ts":${options.ts},"type":"${canalType(event)}"}`
  );
}

function encodeDdl(event: DdlEvent, options: CanalJsonOptions): string {
  // A DDL carries only the statement: data/mysqlType/old/pkNames/sqlType stay null and `type`
  // is the kind Canal's Druid parse gives (`docs/formats/canal-json.md` §6).
  return (
    `{"data":null,"database":${JSON.stringify(event.database)},"es":${event.timestamp}` +
    `,"gtid":${gtidJson(event)},"id":${options.id},"isDdl":true,"mysqlType":null,"old":null` +
    `,"pkNames":null,"sql":${JSON.stringify(event.sql)},"sqlType":null,"table":${JSON.stringify(event.table)}` +
    `,"ts":${options.ts},"type":"${event.ddlKind}"}`
  );
}

let scratch = Buffer.allocUnsafe(64 * 1024);

/**
 * UTF-8 bytes of the message text: one encoding pass into a reused scratch buffer and one copy,
 * instead of `Buffer.from`'s length pass plus encoding pass.
 */
function utf8Bytes(text: string, copyValue: CopyValue): Buffer {
  if (text.length * 3 > scratch.length) {
    // A message this large is encoded into a Buffer of its own, which is the value as it is.
    if (text.length * 3 > 1024 * 1024) return Buffer.from(text, 'utf8');
    scratch = Buffer.allocUnsafe(text.length * 3);
  }
  const length = scratch.write(text, 0, 'utf8');
  return copyValue(scratch.subarray(0, length));
}

/** The Canal JSON text of an event, or null when Canal writes no message for it. */
export function encodeCanalJsonText(event: ChangeEvent, options: CanalJsonOptions): string | null {
  switch (event.kind) {
    case 'snapshot':
    case 'insert':
    case 'update':
    case 'delete':
      return encodeRows(event, options);
    case 'ddl':
      return encodeDdl(event, options);
    case 'begin':
    case 'commit':
    case 'heartbeat':
      // Transaction boundaries and heartbeats produce no FlatMessage (messageConverter skips
      // TRANSACTIONBEGIN/TRANSACTIONEND entries).
      return null;
  }
}

/**
 * Encodes one change event as one Canal JSON message (UTF-8). A multi-row event gives one
 * message whose `data` holds every row, as Canal does; a sink that partitions by key splits the
 * event first. Returns null for BEGIN, COMMIT and heartbeats, which Canal does not write.
 */
export function encodeCanalJson(event: RowEvent | DdlEvent, options: CanalJsonOptions): Buffer;
export function encodeCanalJson(event: ChangeEvent, options: CanalJsonOptions): Buffer | null;
export function encodeCanalJson(event: ChangeEvent, options: CanalJsonOptions): Buffer | null {
  const text = encodeCanalJsonText(event, options);
  return text === null ? null : utf8Bytes(text, options.copyValue ?? copyToNewBuffer);
}

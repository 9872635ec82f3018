/**
 * Row filters on the stream: decides, for a row image, whether the filter's condition is TRUE
 * the way the server would decide it for `SELECT … WHERE <filter>`, so the binlog half applies
 * the same filter the snapshot applied in SQL.
 *
 * Exactness comes before coverage. `compileRowPredicate` type-checks the condition as MariaDB
 * 10.11 does (sql/item_cmpfunc.cc, sql/sql_type.cc: the comparison type of each operator, the
 * collation of each string comparison, the conversions of constants) and refuses, with
 * `FILTER_NOT_STREAMABLE` naming the construct, anything it cannot evaluate exactly; it never
 * evaluates approximately. The rules it follows, each checked against the server by
 * test/filter-conformance.test.ts:
 *
 * - Comparison types: string with string compares as strings; integers as integers (signed and
 *   unsigned exactly); integers and DECIMALs as DECIMAL; an integer with a string as DECIMAL
 *   (MariaDB 10.11); a DECIMAL expression with a constant string as DECIMAL; a temporal value
 *   with a constant string as that temporal type (DATE with a datetime string as DATETIME);
 *   anything else with a DOUBLE or a string as DOUBLE. A BIGINT column compared with a
 *   constant DOUBLE that stores into it unchanged compares as integers (`convert_const_to_int`).
 *   IN takes one type when every value pairs with the subject the same way (else pair by
 *   pair), BETWEEN the type of its three arguments folded left to right.
 * - Collations: the operand with the lower derivation wins (COLLATE, then columns, then
 *   literals); a Unicode column wins over latin1; a literal the winner's charset cannot hold is
 *   refused (the server refuses it too). Comparison pads with spaces for PAD SPACE collations;
 *   LIKE never does (filter-collation.ts).
 * - NULL: three-valued logic throughout; AND stops at the first FALSE, OR at the first TRUE.
 *
 * The predicate is TRUE only when the condition is TRUE; FALSE and NULL are both "no". A value
 * the evaluator cannot convert exactly (an 80-digit numeric string, an overflowing sum, which
 * the server answers with an error) throws `FILTER_EVALUATION_FAILED` rather than guess.
 */
import type { CellValue, ColumnSchema, RowImage, TableSchema } from '@tidewater/change-events';
import { TidewaterError } from '@tidewater/errors';
import type { RowFilter } from './filter';
import type { ServerInfo } from './flavour';
import {
  byteLengthIn,
  canEncode,
  codePointCount,
  codePointsOf,
  findCollation,
  type Collation,
  type CollationCharset,
} from './filter-collation';
import type { FilterExpression } from './filter-expression';
import {
  addDecimal,
  compareDecimal,
  dateToDatetimeKey,
  datetimeKeyOf,
  decimalOf,
  decimalToBigint,
  decimalToDouble,
  integerDigits,
  INT64_MAX,
  INT64_MIN,
  isZeroDecimal,
  multiplyDecimal,
  negateDecimal,
  parseDateLiteral,
  parseDatetimeLiteral,
  parseDecimal,
  parseTimeLiteral,
  storeDoubleInBigint,
  stringToDecimal,
  stringToDouble,
  subtractDecimal,
  timeMicrosOf,
  UINT64_MAX,
  type Decimal,
} from './filter-values';

/** Decides whether a row image satisfies the filter: true only when the condition is TRUE. */
export type RowPredicate = (image: RowImage) => boolean;

export interface RowPredicateOptions {
  /**
   * The source server. The evaluator follows MariaDB 10.11; where servers are known to differ
   * (an integer compared with a string: DECIMAL in MariaDB 10.11, DOUBLE in MySQL), other
   * servers get a refusal instead. Absent: MariaDB 10.11.
   */
  server?: Pick<ServerInfo, 'flavour' | 'major' | 'minor'>;
}

export type FilterStreamability =
  | { isStreamable: true }
  | {
      isStreamable: false;
      /** The part of the filter that cannot be evaluated on the stream. */
      construct: string;
      reason: string;
      error: TidewaterError;
    };

/**
 * Compiles the filter for a table's row images (`schema` must be the schema the images carry).
 * Throws `FILTER_NOT_STREAMABLE` when the filter uses a construct outside the supported subset,
 * or `FILTER_UNKNOWN_COLUMN` when the table no longer has a column the filter reads.
 */
export function compileRowPredicate(
  filter: RowFilter,
  schema: TableSchema,
  options: RowPredicateOptions = {},
): RowPredicate {
  const where = `${schema.database}.${schema.table}`;
  const { server } = options;
  const isMariadb1011 =
    server === undefined ||
    (server.flavour === 'mariadb' &&
      (server.major > 10 || (server.major === 10 && server.minor >= 11)));
  let root: Compiled;
  try {
    root = compileCondition(filter.condition, { schema, where, isMariadb1011 });
  } catch (error) {
    if (error instanceof NotStreamable) throw notStreamableError(where, error);
    throw error;
  }
  return (image) => {
    try {
      return root.evaluate(image) === 1n;
    } catch (error) {
      if (error instanceof Undecidable) {
        throw new TidewaterError(
          'FILTER_EVALUATION_FAILED',
          `The filter for ${where} cannot be evaluated for a changed row: ${error.message}.`,
          {
            category: 'unsupported',
            remedy:
              'The source would refuse this row in SELECT … WHERE <filter> as well; rewrite the filter so it does not depend on this value, or turn off incremental migration for this task.',
            details: { table: where },
          },
        );
      }
      throw error;
    }
  };
}

/** Whether the filter can be applied to changes on the stream, and if not, which part and why. */
export function checkRowFilterStreamable(
  filter: RowFilter,
  schema: TableSchema,
  options: RowPredicateOptions = {},
): FilterStreamability {
  try {
    compileRowPredicate(filter, schema, options);
    return { isStreamable: true };
  } catch (error) {
    if (error instanceof TidewaterError && error.code === 'FILTER_NOT_STREAMABLE') {
      return {
        isStreamable: false,
        construct: String(error.details.construct),
        reason: String(error.details.reason),
        error,
      };
    }
    throw error;
  }
}

/** A change passes the filter when its before or its after image satisfies it. */
export function isChangeInFilter(
  predicate: RowPredicate,
  before: RowImage | null,
  after: RowImage | null,
): boolean {
  return (before !== null && predicate(before)) || (after !== null && predicate(after));
}

// ---------------------------------------------------------------------------------------------
// Errors.

/** Compile-time refusal: the construct and why; becomes FILTER_NOT_STREAMABLE. */
class NotStreamable extends Error {
  constructor(
    readonly construct: string,
    readonly reason: string,
  ) {
    super(`${construct}: ${reason}`);
  }
}

/** Run-time refusal: this value cannot be converted exactly; becomes FILTER_EVALUATION_FAILED. */
class Undecidable extends Error {}

function notStreamableError(where: string, error: NotStreamable): TidewaterError {
  return new TidewaterError(
    'FILTER_NOT_STREAMABLE',
    `The filter for ${where} cannot be applied to changes during incremental migration: ${error.construct} — ${error.reason}.`,
    {
      category: 'unsupported',
      remedy:
        'Rewrite the filter with the constructs Tidewater evaluates on the stream (comparisons, AND/OR/XOR/NOT, IN, BETWEEN, LIKE, IS [NOT] NULL/TRUE/FALSE, + - * DIV %, and the functions listed in the mysql-source README), or turn off incremental migration for this task.',
      details: { table: where, construct: error.construct, reason: error.reason },
    },
  );
}

// ---------------------------------------------------------------------------------------------
// Types and values.

type Kind = 'null' | 'int' | 'decimal' | 'double' | 'string' | 'date' | 'datetime' | 'time';
type CompareKind = Exclude<Kind, 'null'>;

/** Collation derivations (MariaDB `Derivation`): the lower wins. */
const EXPLICIT = 0;
const IMPLICIT = 2;
const SYSCONST = 3;
const COERCIBLE = 4;

type Repertoire = 'ascii' | 'extended' | 'unicode';

interface StringInfo {
  charset: CollationCharset;
  /** Null when the collation is unknown or not emulated; `collationProblem` says which. */
  collation: Collation | null;
  collationProblem: string | null;
  derivation: number;
  repertoire: Repertoire;
  /** ENUM and SET are strings, except in numeric context, where they are member numbers. */
  isEnumOrSet: boolean;
}

interface ExprType {
  kind: Kind;
  /** Integers: BIGINT UNSIGNED range. */
  isUnsigned: boolean;
  /** DECIMALs: the scale. */
  scale: number;
  string: StringInfo | null;
}

/**
 * int: bigint; decimal: Decimal; double: number; string: string; date: `YYYY-MM-DD`;
 * datetime: `YYYY-MM-DD HH:MM:SS.ffffff`; time: microseconds. Booleans are the ints 1 and 0.
 */
type Value = null | bigint | Decimal | number | string;

interface Compiled {
  type: ExprType;
  /** Set when the expression reads no column: its value, computed once. */
  constant: { value: Value } | null;
  /** The column when the expression is exactly a column reference (MariaDB's Item_field). */
  column: ColumnSchema | null;
  evaluate(image: RowImage): Value;
  /** How the filter spells this part, for messages. */
  label: string;
}

interface CompileContext {
  schema: TableSchema;
  where: string;
  /** Whether the server compares an integer with a string as DECIMAL (MariaDB 10.11). */
  isMariadb1011: boolean;
}

const TYPE_NULL: ExprType = { kind: 'null', isUnsigned: false, scale: 0, string: null };
const TYPE_BOOLEAN: ExprType = { kind: 'int', isUnsigned: false, scale: 0, string: null };

function typeOf(kind: Kind, extra: Partial<ExprType> = {}): ExprType {
  return { kind, isUnsigned: false, scale: 0, string: null, ...extra };
}

function constant(type: ExprType, value: Value, label: string): Compiled {
  return { type, constant: { value }, column: null, evaluate: () => value, label };
}

/** A node from its parts: constant-folded when every part is constant. */
function derived(
  type: ExprType,
  parts: Compiled[],
  evaluate: (image: RowImage) => Value,
  label: string,
): Compiled {
  if (parts.every((part) => part.constant !== null)) {
    let value: Value;
    try {
      value = evaluate([]);
    } catch (error) {
      if (error instanceof Undecidable)
        throw new NotStreamable(label, `the server cannot compute it either (${error.message})`);
      throw error;
    }
    return constant(type, value, label);
  }
  return { type, constant: null, column: null, evaluate, label };
}

const bool = (value: boolean | null): Value => (value === null ? null : value ? 1n : 0n);

const KIND_NAMES: Record<Kind, string> = {
  null: 'NULL',
  int: 'an integer',
  decimal: 'a DECIMAL',
  double: 'a DOUBLE',
  string: 'a string',
  date: 'a DATE',
  datetime: 'a DATETIME',
  time: 'a TIME',
};

/** "an integer", "a DATE", … for messages. */
const nameOf = (kind: Kind): string => KIND_NAMES[kind];

// ---------------------------------------------------------------------------------------------
// Conditions and expressions.

function compileCondition(expr: FilterExpression, context: CompileContext): Compiled {
  const compiled = compile(expr, context);
  const truth = truthOf(compiled);
  return derived(TYPE_BOOLEAN, [compiled], (image) => bool(truth(image)), compiled.label);
}

function compile(expr: FilterExpression, context: CompileContext): Compiled {
  switch (expr.kind) {
    case 'column':
      return compileColumn(expr.name, expr.collate, context);
    case 'number':
      return compileNumber(expr.text);
    case 'string':
      return compileString(expr.value, expr.collate);
    case 'null':
      return constant(TYPE_NULL, null, 'NULL');
    case 'boolean':
      return constant(TYPE_BOOLEAN, expr.value ? 1n : 0n, expr.value ? 'TRUE' : 'FALSE');
    case 'temporal':
      return compileTemporalLiteral(expr.type, expr.value);
    case 'not': {
      const operand = compile(expr.operand, context);
      const truth = truthOf(operand);
      return derived(
        TYPE_BOOLEAN,
        [operand],
        (image) => {
          const value = truth(image);
          return value === null ? null : bool(!value);
        },
        `NOT ${operand.label}`,
      );
    }
    case 'negate':
      return compileNegate(compile(expr.operand, context));
    case 'plus':
      return compile(expr.operand, context);
    case 'comparison':
      return compileComparison(
        expr.operator,
        compile(expr.left, context),
        compile(expr.right, context),
        context,
      );
    case 'logical':
      return compileLogical(expr.operator, expr.left, expr.right, context);
    case 'arithmetic':
      return compileArithmetic(
        expr.operator,
        compile(expr.left, context),
        compile(expr.right, context),
      );
    case 'like':
      return compileLike(expr, context);
    case 'in':
      return compileIn(
        expr.isNegated,
        compile(expr.subject, context),
        expr.values.map((value) => compile(value, context)),
        context,
      );
    case 'between':
      return compileBetween(
        expr.isNegated,
        compile(expr.subject, context),
        compile(expr.low, context),
        compile(expr.high, context),
        context,
      );
    case 'is':
      return compileIs(expr.isNegated, expr.value, expr.subject, context);
    case 'function':
      return compileFunction(expr.name, expr.args, context);
    case 'unsupported':
      throw new NotStreamable(expr.construct, 'the stream evaluator does not emulate it');
  }
}

// ---------------------------------------------------------------------------------------------
// Columns and literals.

const COLUMN_FAMILIES_FOR_NULL_TESTS_ONLY = new Set([
  'year',
  'bit',
  'binary',
  'blob',
  'json',
  'geometry',
]);

const STRING_DATA_TYPES = new Set([
  'char',
  'varchar',
  'tinytext',
  'text',
  'mediumtext',
  'longtext',
  'enum',
  'set',
]);

function findColumn(
  name: string,
  context: CompileContext,
): { column: ColumnSchema; index: number } {
  const index = context.schema.columns.findIndex(
    (candidate) => candidate.name.toLowerCase() === name.toLowerCase(),
  );
  const column = context.schema.columns[index];
  if (column === undefined) {
    throw new TidewaterError(
      'FILTER_UNKNOWN_COLUMN',
      `The filter for ${context.where} names column "${name}", which the table no longer has.`,
      {
        category: 'invalid_input',
        remedy:
          "Change the filter to the table's current columns, or leave the table out of the task.",
        details: { table: context.where, column: name },
      },
    );
  }
  return { column, index };
}

function stringInfoOfColumn(column: ColumnSchema, collate: string | null): StringInfo {
  const label = column.name;
  const charset = column.charset?.toLowerCase();
  if (
    charset !== 'utf8mb4' &&
    charset !== 'utf8mb3' &&
    charset !== 'utf8' &&
    charset !== 'latin1'
  ) {
    throw new NotStreamable(
      label,
      `its character set ${column.charset ?? 'unknown'} is not one the evaluator emulates (utf8mb4, utf8mb3, latin1)`,
    );
  }
  const normalizedCharset: CollationCharset = charset === 'utf8' ? 'utf8mb3' : charset;
  const isEnumOrSet = column.family === 'enum' || column.family === 'set';
  const repertoire: Repertoire = normalizedCharset === 'latin1' ? 'extended' : 'unicode';
  if (collate !== null) {
    const explicit = findCollation(collate);
    if (explicit === null)
      throw new NotStreamable(
        `COLLATE ${collate}`,
        'the evaluator does not emulate this collation',
      );
    if (explicit.charset !== normalizedCharset)
      throw new NotStreamable(
        `COLLATE ${collate}`,
        `it is not a collation of the column's character set ${normalizedCharset}`,
      );
    return {
      charset: normalizedCharset,
      collation: explicit,
      collationProblem: null,
      derivation: EXPLICIT,
      repertoire,
      isEnumOrSet,
    };
  }
  const name = column.collation ?? null;
  const collation = name === null ? null : findCollation(name);
  return {
    charset: normalizedCharset,
    collation,
    collationProblem:
      name === null
        ? `the collation of column ${column.name} is not known (read the table's schema from the source again)`
        : collation === null
          ? `column ${column.name} uses the collation ${name}, which the evaluator does not emulate`
          : null,
    derivation: IMPLICIT,
    repertoire,
    isEnumOrSet,
  };
}

function compileColumn(name: string, collate: string | null, context: CompileContext): Compiled {
  const { column, index } = findColumn(name, context);
  const label = column.name;
  const read = (image: RowImage): CellValue => image[index] ?? null;
  let type: ExprType;
  let convert: (value: CellValue) => Value;
  if (COLUMN_FAMILIES_FOR_NULL_TESTS_ONLY.has(column.family)) {
    throw new NotStreamable(
      label,
      `a ${column.dataType} column can only be tested with IS NULL or IS NOT NULL on the stream`,
    );
  }
  if (collate !== null && !['char', 'text', 'enum', 'set'].includes(column.family)) {
    throw new NotStreamable(`${label} COLLATE ${collate}`, 'COLLATE applies to strings only');
  }
  switch (column.family) {
    case 'integer':
      type = typeOf('int', { isUnsigned: column.unsigned });
      convert = (value) => BigInt(value as string);
      break;
    case 'decimal':
      type = typeOf('decimal', { scale: column.scale ?? 0 });
      convert = (value) => parseDecimal(value as string) as Decimal;
      break;
    case 'float':
    case 'double':
      if (/\(\s*\d+\s*,\s*\d+\s*\)/.test(column.columnType)) {
        // FLOAT(M,D)/DOUBLE(M,D) compare with a tolerance of half a unit in the last place
        // (Arg_comparator::compare_real_fixed); not emulated.
        throw new NotStreamable(
          label,
          `a ${column.columnType} column compares with a rounding tolerance the evaluator does not emulate`,
        );
      }
      type = typeOf('double');
      convert = (value) => value as number;
      break;
    case 'char':
    case 'text':
    case 'enum':
    case 'set':
      if (!STRING_DATA_TYPES.has(column.dataType)) {
        // MariaDB's INET6, UUID, … print as text but compare by their own rules.
        throw new NotStreamable(label, `the evaluator does not compare ${column.dataType} values`);
      }
      type = typeOf('string', { string: stringInfoOfColumn(column, collate) });
      convert = (value) => value as string;
      break;
    case 'date':
      type = typeOf('date');
      convert = (value) => value as string;
      break;
    case 'datetime':
    case 'timestamp':
      type = typeOf('datetime');
      convert = (value) => datetimeKeyOf(value as string);
      break;
    case 'time':
      type = typeOf('time');
      convert = (value) => timeMicrosOf(value as string);
      break;
    default:
      throw new NotStreamable(label, `the evaluator does not read ${column.dataType} columns`);
  }
  return {
    type,
    constant: null,
    column,
    evaluate: (image) => {
      const value = read(image);
      return value === null ? null : convert(value);
    },
    label,
  };
}

function compileNumber(text: string): Compiled {
  if (/^-?\d+$/.test(text)) {
    const value = BigInt(text);
    if (value >= INT64_MIN && value <= INT64_MAX) return constant(typeOf('int'), value, text);
    if (value > INT64_MAX && value <= UINT64_MAX)
      return constant(typeOf('int', { isUnsigned: true }), value, text);
    if (text.replace(/^-?0*/, '').length > 65)
      throw new NotStreamable(text, 'a number of more than 65 digits');
    return constant(typeOf('decimal'), decimalOf(value), text);
  }
  if (!/[eE]/.test(text)) {
    const value = parseDecimal(text);
    if (value === undefined) throw new NotStreamable(text, 'not a number the evaluator reads');
    if (text.replace(/[-.]/g, '').replace(/^0+/, '').length > 65)
      throw new NotStreamable(text, 'a number of more than 65 digits');
    return constant(typeOf('decimal', { scale: value.s }), value, text);
  }
  const value = Number(text);
  if (!Number.isFinite(value)) throw new NotStreamable(text, 'it is outside the DOUBLE range');
  return constant(typeOf('double'), value, text);
}

/** String literals have the connection's collation: utf8mb4_general_ci for Tidewater's sessions. */
const CONNECTION_COLLATION = 'utf8mb4_general_ci';

function repertoireOf(text: string): Repertoire {
  for (let index = 0; index < text.length; index += 1) {
    if (text.charCodeAt(index) >= 0x80) return 'unicode';
  }
  return 'ascii';
}

function compileString(value: string, collate: string | null): Compiled {
  const label = `'${value}'`;
  let collation = findCollation(CONNECTION_COLLATION) as Collation;
  if (collate !== null) {
    const explicit = findCollation(collate);
    if (explicit === null)
      throw new NotStreamable(
        `COLLATE ${collate}`,
        'the evaluator does not emulate this collation',
      );
    if (explicit.charset !== 'utf8mb4')
      throw new NotStreamable(
        `COLLATE ${collate}`,
        'a string literal is utf8mb4, and this collation belongs to another character set',
      );
    collation = explicit;
  }
  const info: StringInfo = {
    charset: 'utf8mb4',
    collation,
    collationProblem: null,
    derivation: collate === null ? COERCIBLE : EXPLICIT,
    repertoire: repertoireOf(value),
    isEnumOrSet: false,
  };
  return constant(typeOf('string', { string: info }), value, label);
}

function compileTemporalLiteral(
  type: 'DATE' | 'TIME' | 'TIMESTAMP' | 'DATETIME',
  text: string,
): Compiled {
  const label = `${type} '${text}'`;
  if (type === 'DATE') {
    const value = parseDateLiteral(text);
    if (value === undefined) throw new NotStreamable(label, 'write the date as YYYY-MM-DD');
    return constant(typeOf('date'), value, label);
  }
  if (type === 'TIME') {
    const value = parseTimeLiteral(text);
    if (value === undefined) throw new NotStreamable(label, 'write the time as HH:MM:SS');
    return constant(typeOf('time'), value, label);
  }
  const value = parseDatetimeLiteral(text);
  if (value === undefined)
    throw new NotStreamable(label, 'write the timestamp as YYYY-MM-DD HH:MM:SS');
  return constant(typeOf('datetime'), value, label);
}

// ---------------------------------------------------------------------------------------------
// Truth values.

/** The truth of a value in a boolean context (`val_bool`): numbers are true when not zero. */
function truthOf(compiled: Compiled): (image: RowImage) => boolean | null {
  const { kind } = compiled.type;
  switch (kind) {
    case 'null':
      return () => null;
    case 'int':
      if (compiled.type.string?.isEnumOrSet) break;
      return (image) => {
        const value = compiled.evaluate(image);
        return value === null ? null : value !== 0n;
      };
    case 'decimal':
      return (image) => {
        const value = compiled.evaluate(image);
        return value === null ? null : !isZeroDecimal(value as Decimal);
      };
    case 'double':
      return (image) => {
        const value = compiled.evaluate(image);
        return value === null ? null : value !== 0;
      };
    default:
      break;
  }
  throw new NotStreamable(
    compiled.label,
    `${nameOf(kind)} used as a condition; compare it with something instead (e.g. ${compiled.label} <> '')`,
  );
}

function compileLogical(
  operator: string,
  leftExpr: FilterExpression,
  rightExpr: FilterExpression,
  context: CompileContext,
): Compiled {
  if (operator === '||') {
    throw new NotStreamable('||', 'it means OR or CONCAT depending on the sql_mode; write OR');
  }
  const left = compile(leftExpr, context);
  const right = compile(rightExpr, context);
  const leftTruth = truthOf(left);
  const rightTruth = truthOf(right);
  const label = `${left.label} ${operator} ${right.label}`;
  if (operator === 'AND' || operator === '&&') {
    return derived(
      TYPE_BOOLEAN,
      [left, right],
      (image) => {
        const a = leftTruth(image);
        if (a === false) return 0n;
        const b = rightTruth(image);
        if (b === false) return 0n;
        return a === null || b === null ? null : 1n;
      },
      label,
    );
  }
  if (operator === 'OR') {
    return derived(
      TYPE_BOOLEAN,
      [left, right],
      (image) => {
        const a = leftTruth(image);
        if (a === true) return 1n;
        const b = rightTruth(image);
        if (b === true) return 1n;
        return a === null || b === null ? null : 0n;
      },
      label,
    );
  }
  return derived(
    TYPE_BOOLEAN,
    [left, right],
    (image) => {
      const a = leftTruth(image);
      const b = rightTruth(image);
      return a === null || b === null ? null : bool(a !== b);
    },
    label,
  );
}

function compileIs(
  isNegated: boolean,
  value: 'NULL' | 'TRUE' | 'FALSE',
  subjectExpr: FilterExpression,
  context: CompileContext,
): Compiled {
  const label = `IS ${isNegated ? 'NOT ' : ''}${value}`;
  if (value === 'NULL') {
    let isNull: (image: RowImage) => boolean;
    let subjectLabel: string;
    if (subjectExpr.kind === 'column') {
      // Any column can be tested for NULL, whatever its type.
      const { column, index } = findColumn(subjectExpr.name, context);
      if (!column.nullable && (column.family === 'date' || column.family === 'datetime')) {
        // MySQL's ODBC quirk: `not_null_date IS NULL` finds the zero date.
        throw new NotStreamable(
          `${column.name} IS NULL`,
          `${column.name} is a NOT NULL ${column.dataType}, for which the server's IS NULL matches the zero date; compare with '0000-00-00' instead`,
        );
      }
      isNull = (image) => (image[index] ?? null) === null;
      subjectLabel = column.name;
    } else {
      const subject = compile(subjectExpr, context);
      isNull = (image) => subject.evaluate(image) === null;
      subjectLabel = subject.label;
      if (subject.constant !== null) {
        const result = (subject.constant.value === null) !== isNegated;
        return constant(TYPE_BOOLEAN, bool(result), `${subjectLabel} ${label}`);
      }
    }
    return {
      type: TYPE_BOOLEAN,
      constant: null,
      column: null,
      evaluate: (image) => bool(isNull(image) !== isNegated),
      label: `${subjectLabel} ${label}`,
    };
  }
  const subject = compile(subjectExpr, context);
  const truth = truthOf(subject);
  const wanted = value === 'TRUE';
  return derived(
    TYPE_BOOLEAN,
    [subject],
    (image) => {
      const actual = truth(image);
      const matches = actual !== null && actual === wanted;
      return bool(matches !== isNegated);
    },
    `${subject.label} ${label}`,
  );
}

// ---------------------------------------------------------------------------------------------
// Collations of string operations (MariaDB DTCollation::aggregate).

interface CollationOperand {
  info: StringInfo;
  label: string;
  /** The operand's value when it is a constant (checked for conversion to the winner). */
  constantValue: string | null | undefined;
}

function isUnicodeCharset(charset: CollationCharset): boolean {
  return charset === 'utf8mb4' || charset === 'utf8mb3';
}

function leftIsSuperset(left: StringInfo, right: StringInfo): boolean {
  if (
    isUnicodeCharset(left.charset) &&
    (left.derivation < right.derivation ||
      (left.derivation === right.derivation &&
        (!isUnicodeCharset(right.charset) ||
          (left.charset === 'utf8mb4' && right.charset === 'utf8mb3'))))
  ) {
    return true;
  }
  return (
    right.repertoire === 'ascii' &&
    (left.derivation < right.derivation ||
      (left.derivation === right.derivation && left.repertoire !== 'ascii'))
  );
}

/** The collation a string operation over these operands uses; refuses an illegal mix. */
function aggregateCollation(operands: CollationOperand[], operation: string): Collation {
  for (const operand of operands) {
    if (operand.info.collation === null) {
      throw new NotStreamable(
        operand.label,
        operand.info.collationProblem ?? 'its collation is not known',
      );
    }
  }
  const illegal = (): NotStreamable =>
    new NotStreamable(
      operation,
      `it mixes collations (${operands.map((operand) => `${operand.info.collation?.name}`).join(', ')}) in a way the server refuses`,
    );
  let winner = operands[0]?.info as StringInfo;
  for (const operand of operands.slice(1)) {
    const other = operand.info;
    const a = winner.collation as Collation;
    const b = other.collation as Collation;
    if (a.name === b.name) {
      if (other.derivation < winner.derivation)
        winner = { ...winner, derivation: other.derivation };
    } else if (winner.charset !== other.charset) {
      if (leftIsSuperset(winner, other)) {
        // keep
      } else if (leftIsSuperset(other, winner)) {
        winner = other;
      } else if (winner.derivation < other.derivation && other.derivation >= SYSCONST) {
        // keep; the other is converted
      } else if (other.derivation < winner.derivation && winner.derivation >= SYSCONST) {
        winner = other;
      } else {
        throw illegal();
      }
    } else if (winner.derivation < other.derivation) {
      // keep
    } else if (other.derivation < winner.derivation) {
      winner = other;
    } else if (winner.derivation !== EXPLICIT && a.name.endsWith('_bin')) {
      // keep: a binary collation wins over another of the same charset
    } else if (winner.derivation !== EXPLICIT && b.name.endsWith('_bin')) {
      winner = other;
    } else {
      throw illegal();
    }
  }
  const collation = winner.collation as Collation;
  for (const operand of operands) {
    if (operand.info.charset === collation.charset) continue;
    if (operand.constantValue !== undefined) {
      // A constant is converted to the winner's charset; the server refuses characters the
      // charset cannot hold ("Illegal mix of collations").
      if (operand.constantValue !== null && !canEncode(collation.charset, operand.constantValue)) {
        throw new NotStreamable(
          operation,
          `${operand.label} has characters the ${collation.charset} collation ${collation.name} cannot hold`,
        );
      }
    } else if (!isUnicodeCharset(collation.charset)) {
      throw illegal();
    }
  }
  return collation;
}

function collationOperand(compiled: Compiled): CollationOperand {
  return {
    info: compiled.type.string as StringInfo,
    label: compiled.label,
    constantValue:
      compiled.constant === null ? undefined : (compiled.constant.value as string | null),
  };
}

// ---------------------------------------------------------------------------------------------
// Comparisons.

const isTemporal = (kind: Kind): boolean =>
  kind === 'date' || kind === 'datetime' || kind === 'time';
const isExactNumber = (kind: Kind): boolean => kind === 'int' || kind === 'decimal';

/**
 * The type two operands compare as (Type_handler_hybrid_field_type::aggregate_for_comparison
 * as MariaDB 10.11 behaves): strings as strings, integers as integers, exact numbers as DECIMAL,
 * an integer and a string as DECIMAL, a temporal type with anything as that temporal type,
 * the rest as DOUBLE.
 */
function aggregateKinds(
  a: CompareKind,
  b: CompareKind,
  operation: string,
  context: CompileContext,
): CompareKind {
  if (a === 'string' && b === 'string') return 'string';
  if (a === 'int' && b === 'int') return 'int';
  if (isTemporal(a) || isTemporal(b)) {
    if (isTemporal(a) && isTemporal(b)) {
      if (a === b) return a;
      if (a === 'time' || b === 'time') {
        throw new NotStreamable(
          operation,
          'a TIME compared with a date takes the current date on the server',
        );
      }
      return 'datetime';
    }
    // A DATE against a string compares as DATETIME: '2024-01-01 10:00' is not that day.
    const temporal = isTemporal(a) ? a : b;
    return temporal === 'date' ? 'datetime' : temporal;
  }
  if (isExactNumber(a) && isExactNumber(b)) return 'decimal';
  if ((a === 'int' && b === 'string') || (a === 'string' && b === 'int')) {
    if (!context.isMariadb1011) {
      throw new NotStreamable(
        operation,
        'an integer compared with a string: MariaDB 10.11 compares them as DECIMAL, other servers differ, and only the former is verified; compare with a number or a string on both sides',
      );
    }
    return 'decimal';
  }
  return 'double';
}

type Converter = (value: Exclude<Value, null>) => Exclude<Value, null>;

/** Converts an operand's values to the comparison type; constants once, here. */
function converterTo(target: CompareKind, operand: Compiled, operation: string): Converter {
  const { kind } = operand.type;
  if (kind === target) return (value) => value;
  if (operand.type.string?.isEnumOrSet && target !== 'string') {
    throw new NotStreamable(
      operation,
      `${operand.label} is an ENUM or SET, which compares with a number by its member index; compare it with a string`,
    );
  }
  switch (target) {
    case 'decimal':
      if (kind === 'int') return (value) => decimalOf(value as bigint);
      if (kind === 'string') {
        return (value) => {
          const converted = stringToDecimal(value as string);
          if (converted === undefined)
            throw new Undecidable(`${operand.label} holds a number too long to compare exactly`);
          return converted;
        };
      }
      break;
    case 'double':
      if (kind === 'int') return (value) => Number(value as bigint);
      if (kind === 'decimal') return (value) => decimalToDouble(value as Decimal);
      if (kind === 'string') {
        return (value) => {
          const converted = stringToDouble(value as string);
          if (converted === undefined)
            throw new Undecidable(`${operand.label} holds a number outside the DOUBLE range`);
          return converted;
        };
      }
      break;
    case 'datetime':
      if (kind === 'date') return (value) => dateToDatetimeKey(value as string);
      if (kind === 'string' && operand.constant !== null) {
        return constantTemporal(operand, target, operation);
      }
      break;
    case 'date':
    case 'time':
      if (kind === 'string' && operand.constant !== null) {
        return constantTemporal(operand, target, operation);
      }
      break;
    default:
      break;
  }
  throw new NotStreamable(
    operation,
    `${operand.label} is ${nameOf(kind)}, and comparing it as ${nameOf(target)} is not a conversion the evaluator emulates`,
  );
}

function constantTemporal(operand: Compiled, target: CompareKind, operation: string): Converter {
  const text = operand.constant?.value as string;
  const parsed =
    target === 'time'
      ? parseTimeLiteral(text)
      : target === 'date'
        ? parseDateLiteral(text)
        : (parseDatetimeLiteral(text) ??
          (parseDateLiteral(text) === undefined ? undefined : dateToDatetimeKey(text)));
  if (parsed === undefined) {
    throw new NotStreamable(
      operation,
      `${operand.label} is not ${nameOf(target)} the evaluator reads exactly (write ${target === 'time' ? "'HH:MM:SS'" : target === 'date' ? "'YYYY-MM-DD'" : "'YYYY-MM-DD HH:MM:SS'"})`,
    );
  }
  return () => parsed;
}

function compareValues(kind: CompareKind, collation: Collation | null, a: Value, b: Value): number {
  switch (kind) {
    case 'int':
      return (a as bigint) < (b as bigint) ? -1 : (a as bigint) > (b as bigint) ? 1 : 0;
    case 'decimal':
      return compareDecimal(a as Decimal, b as Decimal);
    case 'double':
    case 'time':
      return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0;
    case 'string':
      return (collation as Collation).compare(a as string, b as string);
    case 'date':
    case 'datetime':
      return (a as string) < (b as string) ? -1 : (a as string) > (b as string) ? 1 : 0;
  }
}

interface ComparisonPlan {
  kind: CompareKind;
  collation: Collation | null;
  left: Compiled;
  right: Compiled;
  convertLeft: Converter;
  convertRight: Converter;
}

/** A constant the server may store into a BIGINT column and compare as an integer. */
function bigintColumnConstant(column: ColumnSchema, other: Compiled): bigint | null | undefined {
  if (other.constant === null || other.type.kind !== 'double') return undefined;
  const value = other.constant.value;
  if (value === null) return undefined;
  const stored = storeDoubleInBigint(value as number, column.unsigned);
  if (stored === undefined || Number(stored) !== value) return undefined;
  return stored;
}

/** `convert_const_compared_to_int_field`: a BIGINT column against a constant DOUBLE. */
function bigintRewrite(left: Compiled, right: Compiled): ComparisonPlan | null {
  const field = left.column !== null ? 0 : right.column !== null ? 1 : -1;
  const column = field === 0 ? left.column : field === 1 ? right.column : null;
  if (column === null || column.family !== 'integer' || column.dataType !== 'bigint') return null;
  const other = field === 0 ? right : left;
  const stored = bigintColumnConstant(column, other);
  if (stored === undefined || stored === null) return null;
  const replacement = constant(typeOf('int', { isUnsigned: column.unsigned }), stored, other.label);
  const identity: Converter = (value) => value;
  return field === 0
    ? {
        kind: 'int',
        collation: null,
        left,
        right: replacement,
        convertLeft: identity,
        convertRight: identity,
      }
    : {
        kind: 'int',
        collation: null,
        left: replacement,
        right,
        convertLeft: identity,
        convertRight: identity,
      };
}

function planComparison(
  left: Compiled,
  right: Compiled,
  operation: string,
  context: CompileContext,
): ComparisonPlan {
  const rewritten = bigintRewrite(left, right);
  if (rewritten !== null) return rewritten;
  let kind = aggregateKinds(
    left.type.kind as CompareKind,
    right.type.kind as CompareKind,
    operation,
    context,
  );
  // Arg_comparator::set_cmp_func_real: a DECIMAL expression against a constant string
  // compares as DECIMAL, not to lose precision.
  if (
    kind === 'double' &&
    ((left.type.kind === 'decimal' &&
      left.constant === null &&
      right.type.kind === 'string' &&
      right.constant !== null) ||
      (right.type.kind === 'decimal' &&
        right.constant === null &&
        left.type.kind === 'string' &&
        left.constant !== null))
  ) {
    kind = 'decimal';
  }
  const collation =
    kind === 'string'
      ? aggregateCollation([collationOperand(left), collationOperand(right)], operation)
      : null;
  return {
    kind,
    collation,
    left,
    right,
    convertLeft: converterTo(kind, left, operation),
    convertRight: converterTo(kind, right, operation),
  };
}

/** A constant converted once, at compile time; a constant that cannot be is refused. */
function convertConstant(operand: Compiled, convert: Converter): Value {
  const value = operand.constant?.value ?? null;
  if (value === null) return null;
  try {
    return convert(value);
  } catch (error) {
    if (error instanceof Undecidable) throw new NotStreamable(operand.label, error.message);
    throw error;
  }
}

/** Values of an operand converted to the comparison type; a constant converted once. */
function valuesOf(operand: Compiled, convert: Converter): (image: RowImage) => Value {
  if (operand.constant !== null) {
    const converted = convertConstant(operand, convert);
    return () => converted;
  }
  return (image) => {
    const value = operand.evaluate(image);
    return value === null ? null : convert(value);
  };
}

function compileComparison(
  operator: string,
  left: Compiled,
  right: Compiled,
  context: CompileContext,
): Compiled {
  const label = `${left.label} ${operator} ${right.label}`;
  if (left.type.kind === 'null' || right.type.kind === 'null') {
    // NULL compares as unknown; <=> asks whether the other side is NULL too.
    return derived(
      TYPE_BOOLEAN,
      [left, right],
      (image) => {
        if (operator !== '<=>') return null;
        return bool(left.evaluate(image) === null && right.evaluate(image) === null);
      },
      label,
    );
  }
  const plan = planComparison(left, right, label, context);
  const leftValues = valuesOf(plan.left, plan.convertLeft);
  const rightValues = valuesOf(plan.right, plan.convertRight);
  const test = comparisonTest(operator);
  return derived(
    TYPE_BOOLEAN,
    [left, right],
    (image) => {
      const a = leftValues(image);
      const b = rightValues(image);
      if (a === null || b === null) return operator === '<=>' ? bool(a === b) : null;
      return bool(test(compareValues(plan.kind, plan.collation, a, b)));
    },
    label,
  );
}

function comparisonTest(operator: string): (order: number) => boolean {
  switch (operator) {
    case '=':
    case '<=>':
      return (order) => order === 0;
    case '<>':
    case '!=':
      return (order) => order !== 0;
    case '<':
      return (order) => order < 0;
    case '<=':
      return (order) => order <= 0;
    case '>':
      return (order) => order > 0;
    case '>=':
      return (order) => order >= 0;
    default:
      throw new NotStreamable(operator, 'not a comparison the evaluator knows');
  }
}

function compileIn(
  isNegated: boolean,
  subject: Compiled,
  values: Compiled[],
  context: CompileContext,
): Compiled {
  // The parser turns `x IN (y)` into `x = y` (SQL:2003 note 184), and NOT IN into <>.
  if (values.length === 1) {
    return compileComparison(isNegated ? '<>' : '=', subject, values[0] as Compiled, context);
  }
  const label = `${subject.label} ${isNegated ? 'NOT IN' : 'IN'} (…)`;
  for (const value of values) {
    if (value.constant === null) {
      throw new NotStreamable(label, 'IN with a list that reads columns; list constant values');
    }
  }
  const listed = values.filter((value) => value.type.kind !== 'null');
  const hasNull = listed.length < values.length;
  if (subject.type.kind === 'null' || listed.length === 0) {
    return constant(TYPE_BOOLEAN, null, label);
  }
  const subjectKind = subject.type.kind as CompareKind;
  const pairKinds = listed.map((value) =>
    aggregateKinds(subjectKind, value.type.kind as CompareKind, label, context),
  );
  const isCompatible = pairKinds.every((kind) => kind === pairKinds[0]);
  const collation = pairKinds.includes('string')
    ? aggregateCollation(
        [subject, ...listed]
          .filter((operand) => operand.type.kind === 'string')
          .map(collationOperand),
        label,
      )
    : null;
  // value_list_convert_const_to_int: a BIGINT column against constants that all store into it
  // unchanged compares as integers.
  let pairs: Array<{ kind: CompareKind; value: Compiled }> = listed.map((value, index) => ({
    kind: pairKinds[index] as CompareKind,
    value,
  }));
  const column = subject.column;
  if (
    isCompatible &&
    pairKinds[0] !== 'int' &&
    column?.dataType === 'bigint' &&
    column.family === 'integer'
  ) {
    const converted = listed.map((value) => convertedForBigint(column, value));
    if (converted.every((value) => value !== undefined)) {
      pairs = converted.map((value) => ({
        kind: 'int',
        value: constant(typeOf('int', { isUnsigned: column.unsigned }), value as bigint, label),
      }));
    }
  }
  const tests = pairs.map(({ kind, value }) => {
    const convertSubject = converterTo(kind, subject, label);
    const convertValue = converterTo(kind, value, label);
    const expected = convertConstant(value, convertValue);
    return (raw: Exclude<Value, null>) =>
      compareValues(kind, collation, convertSubject(raw), expected) === 0;
  });
  return derived(
    TYPE_BOOLEAN,
    [subject, ...values],
    (image) => {
      const raw = subject.evaluate(image);
      if (raw === null) return null;
      const found = tests.some((test) => test(raw));
      if (found) return bool(!isNegated);
      return hasNull ? null : bool(isNegated);
    },
    label,
  );
}

/**
 * `convert_const_to_int` for one constant against a BIGINT column: the integer it stores as when
 * the store is exact, else undefined (an integer constant is already an integer).
 */
function convertedForBigint(column: ColumnSchema, value: Compiled): bigint | undefined {
  const raw = value.constant?.value ?? null;
  if (raw === null) return undefined;
  switch (value.type.kind) {
    case 'int':
      return raw as bigint;
    case 'double':
      return bigintColumnConstant(column, value) ?? undefined;
    case 'decimal':
    case 'string': {
      const decimal =
        value.type.kind === 'decimal' ? (raw as Decimal) : stringToDecimal(raw as string);
      const integer = decimal === undefined ? undefined : decimalToBigint(decimal);
      if (integer === undefined) return undefined;
      const [low, high] = column.unsigned ? [0n, UINT64_MAX] : [INT64_MIN, INT64_MAX];
      return integer >= low && integer <= high ? integer : undefined;
    }
    default:
      return undefined;
  }
}

function compileBetween(
  isNegated: boolean,
  subject: Compiled,
  low: Compiled,
  high: Compiled,
  context: CompileContext,
): Compiled {
  const label = `${subject.label} ${isNegated ? 'NOT BETWEEN' : 'BETWEEN'} ${low.label} AND ${high.label}`;
  if (subject.type.kind === 'null') return constant(TYPE_BOOLEAN, null, label);
  if (low.type.kind === 'null' || high.type.kind === 'null') {
    throw new NotStreamable(label, 'BETWEEN with a NULL bound; write the comparison you mean');
  }
  let kind = aggregateKinds(
    aggregateKinds(subject.type.kind as CompareKind, low.type.kind as CompareKind, label, context),
    high.type.kind as CompareKind,
    label,
    context,
  );
  let bounds = [low, high];
  const column = subject.column;
  if (kind !== 'int' && column?.dataType === 'bigint' && column.family === 'integer') {
    const converted = bounds.map((bound) =>
      bound.constant === null ? undefined : convertedForBigint(column, bound),
    );
    if (converted.every((value) => value !== undefined)) {
      kind = 'int';
      bounds = converted.map((value) =>
        constant(typeOf('int', { isUnsigned: column.unsigned }), value as bigint, label),
      );
    }
  }
  const collation =
    kind === 'string'
      ? aggregateCollation([subject, low, high].map(collationOperand), label)
      : null;
  const subjectValues = valuesOf(subject, converterTo(kind, subject, label));
  const lowValues = valuesOf(
    bounds[0] as Compiled,
    converterTo(kind, bounds[0] as Compiled, label),
  );
  const highValues = valuesOf(
    bounds[1] as Compiled,
    converterTo(kind, bounds[1] as Compiled, label),
  );
  return derived(
    TYPE_BOOLEAN,
    [subject, low, high],
    (image) => {
      const value = subjectValues(image);
      if (value === null) return null;
      const a = lowValues(image);
      const b = highValues(image);
      const aboveLow = a === null ? null : compareValues(kind, collation, value, a) >= 0;
      const belowHigh = b === null ? null : compareValues(kind, collation, value, b) <= 0;
      if (aboveLow === false || belowHigh === false) return bool(isNegated);
      if (aboveLow === null || belowHigh === null) return null;
      return bool(!isNegated);
    },
    label,
  );
}

// ---------------------------------------------------------------------------------------------
// LIKE.

type PatternPart = { kind: 'any' } | { kind: 'one' } | { kind: 'char'; codePoint: number };

function parsePattern(pattern: string, escape: number): PatternPart[] {
  const codePoints = codePointsOf(pattern);
  const parts: PatternPart[] = [];
  for (let index = 0; index < codePoints.length; index += 1) {
    const codePoint = codePoints[index] as number;
    if (codePoint === escape && index + 1 < codePoints.length) {
      index += 1;
      parts.push({ kind: 'char', codePoint: codePoints[index] as number });
    } else if (codePoint === 0x25) {
      parts.push({ kind: 'any' });
    } else if (codePoint === 0x5f) {
      parts.push({ kind: 'one' });
    } else {
      parts.push({ kind: 'char', codePoint });
    }
  }
  return parts;
}

/** Wildcard matching over code points (my_wildcmp), characters compared by the collation. */
function matchPattern(parts: PatternPart[], text: number[], collation: Collation): boolean {
  // reachable[j]: the pattern so far can end just before text[j].
  let reachable = new Array<boolean>(text.length + 1).fill(false);
  reachable[0] = true;
  for (const part of parts) {
    const next = new Array<boolean>(text.length + 1).fill(false);
    if (part.kind === 'any') {
      let seen = false;
      for (let j = 0; j <= text.length; j += 1) {
        seen ||= reachable[j] as boolean;
        next[j] = seen;
      }
    } else {
      for (let j = 0; j < text.length; j += 1) {
        if (!reachable[j]) continue;
        if (part.kind === 'one' || collation.isLikeEqual(text[j] as number, part.codePoint))
          next[j + 1] = true;
      }
    }
    reachable = next;
  }
  return reachable[text.length] as boolean;
}

function compileLike(
  expr: Extract<FilterExpression, { kind: 'like' }>,
  context: CompileContext,
): Compiled {
  const subject = compile(expr.subject, context);
  const pattern = compile(expr.pattern, context);
  const label = `${subject.label} ${expr.isNegated ? 'NOT LIKE' : 'LIKE'} ${pattern.label}`;
  if (subject.type.kind === 'null' || pattern.type.kind === 'null') {
    return derived(TYPE_BOOLEAN, [subject, pattern], () => null, label);
  }
  if (subject.type.kind !== 'string') {
    throw new NotStreamable(
      label,
      `LIKE on ${nameOf(subject.type.kind)}; the evaluator matches strings only`,
    );
  }
  if (pattern.type.kind !== 'string' || pattern.constant === null) {
    throw new NotStreamable(label, 'the pattern must be a string literal');
  }
  let escape = 0x5c;
  if (expr.escape !== null) {
    const escapeCompiled = compile(expr.escape, context);
    const escapeText = escapeCompiled.constant?.value;
    if (
      escapeCompiled.type.kind !== 'string' ||
      typeof escapeText !== 'string' ||
      codePointCount(escapeText) !== 1 ||
      escapeText === '%' ||
      escapeText === '_'
    ) {
      throw new NotStreamable(label, 'ESCAPE must be one character other than % and _');
    }
    escape = escapeText.codePointAt(0) as number;
  }
  const collation = aggregateCollation(
    [collationOperand(subject), collationOperand(pattern)],
    label,
  );
  const parts = parsePattern(pattern.constant.value as string, escape);
  return derived(
    TYPE_BOOLEAN,
    [subject, pattern],
    (image) => {
      const value = subject.evaluate(image);
      if (value === null) return null;
      return bool(matchPattern(parts, codePointsOf(value as string), collation) !== expr.isNegated);
    },
    label,
  );
}

// ---------------------------------------------------------------------------------------------
// Arithmetic.

function outOfRange(label: string): Undecidable {
  return new Undecidable(`${label} is out of the BIGINT range (the server raises an error)`);
}

function compileNegate(operand: Compiled): Compiled {
  const label = `-${operand.label}`;
  const { kind } = operand.type;
  if (operand.type.string?.isEnumOrSet) throw new NotStreamable(label, 'minus of an ENUM or SET');
  switch (kind) {
    case 'null':
      return constant(TYPE_NULL, null, label);
    case 'int':
      if (operand.type.isUnsigned) {
        // -18446744073709551615 and the like: only the constant 2^63 stays an integer.
        const value = operand.constant?.value;
        if (value === 2n ** 63n) return constant(typeOf('int'), INT64_MIN, label);
        if (typeof value === 'bigint') return constant(typeOf('decimal'), decimalOf(-value), label);
        throw new NotStreamable(label, 'minus of an unsigned integer column');
      }
      return derived(
        typeOf('int'),
        [operand],
        (image) => {
          const value = operand.evaluate(image) as bigint | null;
          if (value === null) return null;
          if (value === INT64_MIN) throw outOfRange(label);
          return -value;
        },
        label,
      );
    case 'decimal':
      return derived(
        operand.type,
        [operand],
        (image) => {
          const value = operand.evaluate(image) as Decimal | null;
          return value === null ? null : negateDecimal(value);
        },
        label,
      );
    case 'double':
      return derived(
        operand.type,
        [operand],
        (image) => {
          const value = operand.evaluate(image) as number | null;
          return value === null ? null : -value;
        },
        label,
      );
    default:
      throw new NotStreamable(label, `minus of ${nameOf(kind)}`);
  }
}

/** Digits a DECIMAL result may have (DECIMAL(65)); beyond them the server saturates. */
const MAX_DECIMAL_DIGITS = 65;

function compileArithmetic(operator: string, left: Compiled, right: Compiled): Compiled {
  const label = `${left.label} ${operator} ${right.label}`;
  if (operator === '/') {
    throw new NotStreamable(
      label,
      'division rounds the quotient to the session\u2019s div_precision_increment; multiply instead (a > b * 2)',
    );
  }
  for (const operand of [left, right]) {
    const { kind } = operand.type;
    if (kind !== 'null' && kind !== 'int' && kind !== 'decimal' && kind !== 'double') {
      throw new NotStreamable(label, `arithmetic on ${nameOf(kind)}`);
    }
    if (kind === 'int' && operand.type.isUnsigned) {
      throw new NotStreamable(
        label,
        'arithmetic on an unsigned integer, whose result depends on the sql_mode (NO_UNSIGNED_SUBTRACTION)',
      );
    }
  }
  if (left.type.kind === 'null' || right.type.kind === 'null') {
    return derived(TYPE_NULL, [left, right], () => null, label);
  }
  const kinds = [left.type.kind, right.type.kind];
  if (operator === 'DIV' || operator === '%' || operator === 'MOD') {
    if (!kinds.every((kind) => kind === 'int')) {
      throw new NotStreamable(label, `${operator} on a non-integer value`);
    }
    return derived(
      typeOf('int'),
      [left, right],
      (image) => {
        const a = left.evaluate(image) as bigint | null;
        const b = right.evaluate(image) as bigint | null;
        if (a === null || b === null || b === 0n) return null;
        if (operator === 'DIV' && a === INT64_MIN && b === -1n) throw outOfRange(label);
        return operator === 'DIV' ? a / b : a % b;
      },
      label,
    );
  }
  if (kinds.every((kind) => kind === 'int')) {
    return derived(
      typeOf('int'),
      [left, right],
      (image) => {
        const a = left.evaluate(image) as bigint | null;
        const b = right.evaluate(image) as bigint | null;
        if (a === null || b === null) return null;
        const result = operator === '+' ? a + b : operator === '-' ? a - b : a * b;
        if (result < INT64_MIN || result > INT64_MAX) throw outOfRange(label);
        return result;
      },
      label,
    );
  }
  if (kinds.every(isExactNumber)) {
    const scales = [left, right].map((operand) =>
      operand.type.kind === 'decimal' ? operand.type.scale : 0,
    );
    const scale =
      operator === '*' ? (scales[0] as number) + (scales[1] as number) : Math.max(...scales);
    if (scale > 30) {
      throw new NotStreamable(
        label,
        'the product has more than 30 decimal places, which the server rounds',
      );
    }
    const asDecimal = (operand: Compiled, value: Value): Decimal =>
      operand.type.kind === 'int' ? decimalOf(value as bigint) : (value as Decimal);
    return derived(
      typeOf('decimal', { scale }),
      [left, right],
      (image) => {
        const a = left.evaluate(image);
        const b = right.evaluate(image);
        if (a === null || b === null) return null;
        const x = asDecimal(left, a);
        const y = asDecimal(right, b);
        const result =
          operator === '+'
            ? addDecimal(x, y)
            : operator === '-'
              ? subtractDecimal(x, y)
              : multiplyDecimal(x, y);
        if (integerDigits(result) + result.s > MAX_DECIMAL_DIGITS)
          throw new Undecidable(`${label} has more than ${MAX_DECIMAL_DIGITS} digits`);
        return result;
      },
      label,
    );
  }
  const toDouble = (operand: Compiled, value: Value): number =>
    operand.type.kind === 'int'
      ? Number(value as bigint)
      : operand.type.kind === 'decimal'
        ? decimalToDouble(value as Decimal)
        : (value as number);
  return derived(
    typeOf('double'),
    [left, right],
    (image) => {
      const a = left.evaluate(image);
      const b = right.evaluate(image);
      if (a === null || b === null) return null;
      const x = toDouble(left, a);
      const y = toDouble(right, b);
      const result = operator === '+' ? x + y : operator === '-' ? x - y : x * y;
      if (!Number.isFinite(result))
        throw new Undecidable(`${label} is out of the DOUBLE range (the server raises an error)`);
      return result;
    },
    label,
  );
}

// ---------------------------------------------------------------------------------------------
// Functions.

/** The functions the evaluator emulates; any other is refused by name. */
// prettier-ignore
export const STREAMABLE_FUNCTIONS: readonly string[] = [
  'LOWER', 'LCASE', 'UPPER', 'UCASE', 'LENGTH', 'OCTET_LENGTH', 'CHAR_LENGTH', 'CHARACTER_LENGTH',
  'TRIM', 'LTRIM', 'RTRIM', 'COALESCE', 'IFNULL', 'IF', 'NULLIF', 'ABS', 'DATE', 'YEAR', 'MONTH',
  'DAY', 'DAYOFMONTH', 'HOUR', 'MINUTE', 'SECOND',
];

function expectArguments(name: string, args: FilterExpression[], count: number): void {
  if (args.length !== count) {
    throw new NotStreamable(
      `${name}()`,
      `${name} takes ${count} argument${count === 1 ? '' : 's'}`,
    );
  }
}

function stringArgument(name: string, compiled: Compiled): StringInfo | null {
  if (compiled.type.kind === 'null') return null;
  if (compiled.type.kind !== 'string') {
    throw new NotStreamable(
      `${name}(${compiled.label})`,
      `${name} of ${nameOf(compiled.type.kind)} converts it to text first; the evaluator does not emulate that`,
    );
  }
  return compiled.type.string as StringInfo;
}

function compileFunction(
  name: string,
  argExprs: FilterExpression[],
  context: CompileContext,
): Compiled {
  if (!STREAMABLE_FUNCTIONS.includes(name)) {
    throw new NotStreamable(`${name}()`, 'the stream evaluator does not emulate this function');
  }
  const args = argExprs.map((arg) => compile(arg, context));
  const label = `${name}(${args.map((arg) => arg.label).join(', ')})`;
  const [first, second, third] = args as [Compiled, Compiled | undefined, Compiled | undefined];
  const unary = (type: ExprType, apply: (value: Exclude<Value, null>) => Value): Compiled =>
    derived(
      type,
      args,
      (image) => {
        const value = first.evaluate(image);
        return value === null ? null : apply(value);
      },
      label,
    );
  switch (name) {
    case 'LOWER':
    case 'LCASE':
    case 'UPPER':
    case 'UCASE': {
      expectArguments(name, argExprs, 1);
      const info = stringArgument(name, first);
      if (info === null) return constant(TYPE_NULL, null, label);
      const map = caseMapFor(
        info.charset,
        name === 'LOWER' || name === 'LCASE' ? 'lower' : 'upper',
      );
      return unary(typeOf('string', { string: { ...info, isEnumOrSet: false } }), (value) =>
        map(value as string),
      );
    }
    case 'LENGTH':
    case 'OCTET_LENGTH': {
      expectArguments(name, argExprs, 1);
      const info = stringArgument(name, first);
      if (info === null) return constant(typeOf('int'), null, label);
      return unary(typeOf('int'), (value) => BigInt(byteLengthIn(info.charset, value as string)));
    }
    case 'CHAR_LENGTH':
    case 'CHARACTER_LENGTH': {
      expectArguments(name, argExprs, 1);
      if (stringArgument(name, first) === null) return constant(typeOf('int'), null, label);
      return unary(typeOf('int'), (value) => BigInt(codePointCount(value as string)));
    }
    case 'TRIM':
    case 'LTRIM':
    case 'RTRIM': {
      expectArguments(name, argExprs, 1);
      const info = stringArgument(name, first);
      if (info === null) return constant(TYPE_NULL, null, label);
      const trim = (value: string): string => {
        let text = value;
        if (name !== 'RTRIM') text = text.replace(/^ +/, '');
        if (name !== 'LTRIM') text = text.replace(/ +$/, '');
        return text;
      };
      return unary(typeOf('string', { string: { ...info, isEnumOrSet: false } }), (value) =>
        trim(value as string),
      );
    }
    case 'COALESCE':
    case 'IFNULL': {
      if (name === 'IFNULL') expectArguments(name, argExprs, 2);
      if (args.length === 0) throw new NotStreamable(label, 'COALESCE needs arguments');
      const result = aggregateResult(args, label);
      const converters = args.map((arg) => resultConverter(result, arg));
      return derived(
        result,
        args,
        (image) => {
          for (let index = 0; index < args.length; index += 1) {
            const value = (args[index] as Compiled).evaluate(image);
            if (value !== null) return (converters[index] as (value: Value) => Value)(value);
          }
          return null;
        },
        label,
      );
    }
    case 'IF': {
      expectArguments(name, argExprs, 3);
      const truth = truthOf(first);
      const branches = [second as Compiled, third as Compiled];
      const result = aggregateResult(branches, label);
      const [convertThen, convertElse] = branches.map((branch) =>
        resultConverter(result, branch),
      ) as [(value: Value) => Value, (value: Value) => Value];
      return derived(
        result,
        args,
        (image) => {
          if (truth(image) === true) {
            const value = (second as Compiled).evaluate(image);
            return value === null ? null : convertThen(value);
          }
          const value = (third as Compiled).evaluate(image);
          return value === null ? null : convertElse(value);
        },
        label,
      );
    }
    case 'NULLIF': {
      expectArguments(name, argExprs, 2);
      const equal = compileComparison('=', first, second as Compiled, context);
      const type =
        first.type.string === null
          ? first.type
          : { ...first.type, string: { ...first.type.string, isEnumOrSet: false } };
      return derived(
        type,
        args,
        (image) => (equal.evaluate(image) === 1n ? null : first.evaluate(image)),
        label,
      );
    }
    case 'ABS': {
      expectArguments(name, argExprs, 1);
      switch (first.type.kind) {
        case 'null':
          return constant(TYPE_NULL, null, label);
        case 'int':
          if (first.type.string?.isEnumOrSet) break;
          return unary(first.type, (value) => {
            const integer = value as bigint;
            if (integer === INT64_MIN) throw outOfRange(label);
            return integer < 0n ? -integer : integer;
          });
        case 'decimal':
          return unary(first.type, (value) => {
            const decimal = value as Decimal;
            return decimal.m < 0n ? negateDecimal(decimal) : decimal;
          });
        case 'double':
          return unary(first.type, (value) => Math.abs(value as number));
        default:
          break;
      }
      throw new NotStreamable(label, `ABS of ${nameOf(first.type.kind)}`);
    }
    case 'DATE': {
      expectArguments(name, argExprs, 1);
      if (first.type.kind === 'date') return first;
      if (first.type.kind === 'datetime')
        return unary(typeOf('date'), (value) => (value as string).slice(0, 10));
      if (first.type.kind === 'null') return constant(TYPE_NULL, null, label);
      throw new NotStreamable(label, `DATE of ${nameOf(first.type.kind)}`);
    }
    case 'YEAR':
    case 'MONTH':
    case 'DAY':
    case 'DAYOFMONTH': {
      expectArguments(name, argExprs, 1);
      if (first.type.kind === 'null') return constant(typeOf('int'), null, label);
      if (first.type.kind !== 'date' && first.type.kind !== 'datetime') {
        throw new NotStreamable(label, `${name} of ${nameOf(first.type.kind)}`);
      }
      const [start, end] = name === 'YEAR' ? [0, 4] : name === 'MONTH' ? [5, 7] : [8, 10];
      return unary(typeOf('int'), (value) => BigInt(Number((value as string).slice(start, end))));
    }
    case 'HOUR':
    case 'MINUTE':
    case 'SECOND': {
      expectArguments(name, argExprs, 1);
      if (first.type.kind === 'null') return constant(typeOf('int'), null, label);
      if (first.type.kind === 'datetime') {
        const [start, end] = name === 'HOUR' ? [11, 13] : name === 'MINUTE' ? [14, 16] : [17, 19];
        return unary(typeOf('int'), (value) => BigInt(Number((value as string).slice(start, end))));
      }
      if (first.type.kind === 'time') {
        return unary(typeOf('int'), (value) => {
          const seconds = Math.floor(Math.abs(value as number) / 1_000_000);
          const part =
            name === 'HOUR'
              ? Math.floor(seconds / 3600)
              : name === 'MINUTE'
                ? Math.floor(seconds / 60) % 60
                : seconds % 60;
          return BigInt(part);
        });
      }
      throw new NotStreamable(label, `${name} of ${nameOf(first.type.kind)}`);
    }
    default:
      break;
  }
  throw new NotStreamable(`${name}()`, 'the stream evaluator does not emulate this function');
}

function caseMapFor(charset: CollationCharset, which: 'lower' | 'upper'): (text: string) => string {
  // Case maps belong to the charset: every emulated collation of a charset shares them.
  const collation = findCollation(
    charset === 'latin1' ? 'latin1_swedish_ci' : `${charset}_general_ci`,
  ) as Collation;
  return which === 'lower' ? collation.lower : collation.upper;
}

/**
 * The result type of COALESCE, IFNULL and IF (aggregate_for_result): integers stay integers
 * (DECIMAL when signed and unsigned mix), exact numbers become DECIMAL, a DOUBLE makes DOUBLE,
 * strings aggregate their collations, temporal types of one kind stay that kind (DATE with
 * DATETIME is DATETIME). Other mixes are refused.
 */
function aggregateResult(args: Compiled[], label: string): ExprType {
  const typed = args.filter((arg) => arg.type.kind !== 'null');
  if (typed.length === 0) return TYPE_NULL;
  const kinds = new Set(typed.map((arg) => arg.type.kind));
  const only = (...allowed: Kind[]): boolean => [...kinds].every((kind) => allowed.includes(kind));
  if (only('string')) {
    const collation = aggregateCollation(typed.map(collationOperand), label);
    const infos = typed.map((arg) => arg.type.string as StringInfo);
    return typeOf('string', {
      string: {
        charset: collation.charset,
        collation,
        collationProblem: null,
        derivation: Math.min(...infos.map((info) => info.derivation)),
        repertoire: infos.some((info) => info.repertoire === 'unicode')
          ? 'unicode'
          : infos.some((info) => info.repertoire === 'extended')
            ? 'extended'
            : 'ascii',
        isEnumOrSet: false,
      },
    });
  }
  if (only('int')) {
    const unsignedCount = typed.filter((arg) => arg.type.isUnsigned).length;
    if (unsignedCount === 0) return typeOf('int');
    if (unsignedCount === typed.length) return typeOf('int', { isUnsigned: true });
    return typeOf('decimal');
  }
  if (only('int', 'decimal')) {
    return typeOf('decimal', {
      scale: Math.max(...typed.map((arg) => (arg.type.kind === 'decimal' ? arg.type.scale : 0))),
    });
  }
  if (only('int', 'decimal', 'double')) return typeOf('double');
  if (only('date')) return typeOf('date');
  if (only('date', 'datetime')) return typeOf('datetime');
  if (only('time')) return typeOf('time');
  throw new NotStreamable(
    label,
    `its arguments mix ${[...kinds].map(nameOf).join(' and ')}, whose common type the evaluator does not emulate`,
  );
}

function resultConverter(result: ExprType, arg: Compiled): (value: Value) => Value {
  const from = arg.type.kind;
  if (from === result.kind || from === 'null') return (value) => value;
  switch (result.kind) {
    case 'decimal':
      return (value) => decimalOf(value as bigint);
    case 'double':
      return (value) =>
        from === 'int' ? Number(value as bigint) : decimalToDouble(value as Decimal);
    case 'datetime':
      return (value) => dateToDatetimeKey(value as string);
    default:
      return (value) => value;
  }
}

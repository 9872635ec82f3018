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
 *   pair; `x IN (y)` is `x = y`), BETWEEN the type of its three arguments folded left to right.
 * - Collations: the operand with the lower derivation wins (COLLATE, then columns, then
 *   literals); a Unicode column wins over latin1; a literal the winner's charset cannot hold is
 *   refused (the server refuses it too). Comparison pads with spaces for PAD SPACE collations;
 *   LIKE never does (filter-collation.ts).
 * - NULL: three-valued logic throughout; AND stops at the first FALSE, OR at the first TRUE.
 *
 * The predicate is TRUE only when the condition is TRUE; FALSE and NULL are both "no". A value
 * the evaluator cannot convert exactly (an 80-digit numeric string, an overflowing sum, which
 * the server answers with an error) throws `FILTER_EVALUATION_FAILED` rather than guess.
 *
 * This file holds the entry points, columns, literals and logic; comparisons, IN, BETWEEN and
 * LIKE are in filter-comparison.ts, arithmetic and functions in filter-functions.ts.
 */
import type { CellValue, ColumnSchema, RowImage, TableSchema } from '@tidewater/change-events';
import { TidewaterError } from '@tidewater/errors';
import type { RowFilter } from './filter';
import { findCollation, type Collation, type CollationCharset } from './filter-collation';
import { compileBetween, compileComparison, compileIn, compileLike } from './filter-comparison';
import {
  bool,
  COERCIBLE,
  constant,
  derived,
  EXPLICIT,
  IMPLICIT,
  NotStreamable,
  truthOf,
  TYPE_BOOLEAN,
  TYPE_NULL,
  typeOf,
  Undecidable,
  type CompileContext,
  type Compiled,
  type ExprType,
  type Repertoire,
  type StringInfo,
  type Value,
} from './filter-compiled';
import type { FilterExpression } from './filter-expression';
import {
  assertStreamableFunction,
  compileArithmetic,
  compileFunction,
  compileNegate,
} from './filter-functions';
import {
  datetimeKeyOf,
  decimalOf,
  INT64_MAX,
  INT64_MIN,
  parseDateLiteral,
  parseDatetimeLiteral,
  parseDecimal,
  parseTimeLiteral,
  timeMicrosOf,
  UINT64_MAX,
  type Decimal,
} from './filter-values';
import type { ServerInfo } from './flavour';

export { STREAMABLE_FUNCTIONS } from './filter-functions';

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
      return compileLike(
        expr.isNegated,
        compile(expr.subject, context),
        compile(expr.pattern, context),
        expr.escape === null ? null : compile(expr.escape, context),
      );
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
      assertStreamableFunction(expr.name);
      return compileFunction(
        expr.name,
        expr.args.map((arg) => compile(arg, context)),
        context,
      );
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
        // MySQL's ODBC quirk: `not_null_date IS NULL` finds the zero date, in some positions of
        // the condition only (at the top, under OR, and as NOT (… IS NOT NULL)).
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

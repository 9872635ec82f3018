/**
 * Comparisons for the stream filter evaluator, typed as MariaDB 10.11 types them (see the rules
 * at the top of filter-evaluator.ts): the collation a string operation uses, the type two or
 * more operands compare as, and =, <=>, <>, <, IN, BETWEEN and LIKE built on them.
 */
import type { ColumnSchema, RowImage } from '@tidewater/change-events';
import {
  canEncode,
  codePointCount,
  codePointsOf,
  type Collation,
  type CollationCharset,
} from './filter-collation';
import {
  bool,
  constant,
  derived,
  EXPLICIT,
  nameOf,
  NotStreamable,
  SYSCONST,
  TYPE_BOOLEAN,
  typeOf,
  Undecidable,
  type CompareKind,
  type CompileContext,
  type Compiled,
  type Kind,
  type StringInfo,
  type Value,
} from './filter-compiled';
import {
  compareDecimal,
  dateToDatetimeKey,
  decimalOf,
  decimalToBigint,
  decimalToDouble,
  INT64_MAX,
  INT64_MIN,
  parseDateLiteral,
  parseDatetimeLiteral,
  parseTimeLiteral,
  storeDoubleInBigint,
  stringToDecimal,
  stringToDouble,
  UINT64_MAX,
  type Decimal,
} from './filter-values';

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
export function aggregateCollation(operands: CollationOperand[], operation: string): Collation {
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

export function collationOperand(compiled: Compiled): CollationOperand {
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
export const isExactNumber = (kind: Kind): boolean => kind === 'int' || kind === 'decimal';

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

export function compileComparison(
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

export function compileIn(
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

export function compileBetween(
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

export function compileLike(
  isNegated: boolean,
  subject: Compiled,
  pattern: Compiled,
  escapeCompiled: Compiled | null,
): Compiled {
  const label = `${subject.label} ${isNegated ? 'NOT LIKE' : 'LIKE'} ${pattern.label}`;
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
  if (escapeCompiled !== null) {
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
      return bool(matchPattern(parts, codePointsOf(value as string), collation) !== isNegated);
    },
    label,
  );
}

/**
 * What the parts of the stream filter evaluator (filter-evaluator.ts, filter-comparison.ts,
 * filter-functions.ts) share: the compiled form of an expression, its type as the server types
 * it, the values it computes, and the two ways of saying no.
 */
import type { ColumnSchema, RowImage, TableSchema } from '@tidewater/change-events';
import type { Collation, CollationCharset } from './filter-collation';
import { isZeroDecimal, type Decimal } from './filter-values';

// ---------------------------------------------------------------------------------------------
// Errors.

/** Compile-time refusal: the construct and why; becomes FILTER_NOT_STREAMABLE. */
export class NotStreamable extends Error {
  constructor(
    readonly construct: string,
    readonly reason: string,
  ) {
    super(`${construct}: ${reason}`);
  }
}

/** Run-time refusal: this value cannot be converted exactly; becomes FILTER_EVALUATION_FAILED. */
export class Undecidable extends Error {}

// ---------------------------------------------------------------------------------------------
// Types and values.

export type Kind = 'null' | 'int' | 'decimal' | 'double' | 'string' | 'date' | 'datetime' | 'time';
export type CompareKind = Exclude<Kind, 'null'>;

/** Collation derivations (MariaDB `Derivation`): the lower wins. */
export const EXPLICIT = 0;
export const IMPLICIT = 2;
export const SYSCONST = 3;
export const COERCIBLE = 4;

export type Repertoire = 'ascii' | 'extended' | 'unicode';

export interface StringInfo {
  charset: CollationCharset;
  /** Null when the collation is unknown or not emulated; `collationProblem` says which. */
  collation: Collation | null;
  collationProblem: string | null;
  derivation: number;
  repertoire: Repertoire;
  /** ENUM and SET are strings, except in numeric context, where they are member numbers. */
  isEnumOrSet: boolean;
}

export interface ExprType {
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
export type Value = null | bigint | Decimal | number | string;

export interface Compiled {
  type: ExprType;
  /** Set when the expression reads no column: its value, computed once. */
  constant: { value: Value } | null;
  /** The column when the expression is exactly a column reference (MariaDB's Item_field). */
  column: ColumnSchema | null;
  evaluate(image: RowImage): Value;
  /** How the filter spells this part, for messages. */
  label: string;
}

export interface CompileContext {
  schema: TableSchema;
  where: string;
  /** Whether the server compares an integer with a string as DECIMAL (MariaDB 10.11). */
  isMariadb1011: boolean;
}

export const TYPE_NULL: ExprType = { kind: 'null', isUnsigned: false, scale: 0, string: null };
export const TYPE_BOOLEAN: ExprType = { kind: 'int', isUnsigned: false, scale: 0, string: null };

export function typeOf(kind: Kind, extra: Partial<ExprType> = {}): ExprType {
  return { kind, isUnsigned: false, scale: 0, string: null, ...extra };
}

export function constant(type: ExprType, value: Value, label: string): Compiled {
  return { type, constant: { value }, column: null, evaluate: () => value, label };
}

/** A node from its parts: constant-folded when every part is constant. */
export function derived(
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

export const bool = (value: boolean | null): Value => (value === null ? null : value ? 1n : 0n);

export const KIND_NAMES: Record<Kind, string> = {
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
export const nameOf = (kind: Kind): string => KIND_NAMES[kind];

// ---------------------------------------------------------------------------------------------
// Truth values.

/** The truth of a value in a boolean context (`val_bool`): numbers are true when not zero. */
export function truthOf(compiled: Compiled): (image: RowImage) => boolean | null {
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

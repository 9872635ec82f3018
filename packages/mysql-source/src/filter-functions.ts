/**
 * Arithmetic and built-in functions for the stream filter evaluator: the operators and the
 * functions it emulates exactly, typed as the server types them; everything else is refused.
 */
import {
  byteLengthIn,
  codePointCount,
  findCollation,
  type Collation,
  type CollationCharset,
} from './filter-collation';
import {
  aggregateCollation,
  collationOperand,
  compileComparison,
  isExactNumber,
} from './filter-comparison';
import {
  constant,
  derived,
  nameOf,
  NotStreamable,
  truthOf,
  TYPE_NULL,
  typeOf,
  Undecidable,
  type CompileContext,
  type Compiled,
  type ExprType,
  type Kind,
  type StringInfo,
  type Value,
} from './filter-compiled';
import {
  addDecimal,
  dateToDatetimeKey,
  decimalOf,
  decimalToDouble,
  integerDigits,
  INT64_MAX,
  INT64_MIN,
  multiplyDecimal,
  negateDecimal,
  subtractDecimal,
  type Decimal,
} from './filter-values';

// ---------------------------------------------------------------------------------------------
// Arithmetic.

function outOfRange(label: string): Undecidable {
  return new Undecidable(`${label} is out of the BIGINT range (the server raises an error)`);
}

export function compileNegate(operand: Compiled): Compiled {
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

export function compileArithmetic(operator: string, left: Compiled, right: Compiled): Compiled {
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

/** Refuses a function the evaluator does not emulate, before its arguments are compiled. */
export function assertStreamableFunction(name: string): void {
  if (!STREAMABLE_FUNCTIONS.includes(name)) {
    throw new NotStreamable(`${name}()`, 'the stream evaluator does not emulate this function');
  }
}

function expectArguments(name: string, args: Compiled[], count: number): void {
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

export function compileFunction(name: string, args: Compiled[], context: CompileContext): Compiled {
  assertStreamableFunction(name);
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
      expectArguments(name, args, 1);
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
      expectArguments(name, args, 1);
      const info = stringArgument(name, first);
      if (info === null) return constant(typeOf('int'), null, label);
      return unary(typeOf('int'), (value) => BigInt(byteLengthIn(info.charset, value as string)));
    }
    case 'CHAR_LENGTH':
    case 'CHARACTER_LENGTH': {
      expectArguments(name, args, 1);
      if (stringArgument(name, first) === null) return constant(typeOf('int'), null, label);
      return unary(typeOf('int'), (value) => BigInt(codePointCount(value as string)));
    }
    case 'TRIM':
    case 'LTRIM':
    case 'RTRIM': {
      expectArguments(name, args, 1);
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
      if (name === 'IFNULL') expectArguments(name, args, 2);
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
      expectArguments(name, args, 3);
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
      expectArguments(name, args, 2);
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
      expectArguments(name, args, 1);
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
      expectArguments(name, args, 1);
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
      expectArguments(name, args, 1);
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
      expectArguments(name, args, 1);
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

/**
 * Row filters: the operator's WHERE condition for one table, applied by the snapshot in SQL.
 *
 * A filter must be a pure predicate on the table's own row, so it can neither inject SQL nor
 * change what it selects while a long snapshot runs. It is checked in three steps:
 *
 * 1. A scan of the raw text rejects what a parser would silently drop or split on: comments
 *    (`/*!50000 … *\/` is *executed* by MySQL although every parser skips it), `#`, `--` and
 *    `;`. Long numeric literals are set aside so no digit is lost (the parser turns numbers
 *    into JavaScript numbers).
 * 2. node-sql-parser (MySQL dialect) parses `SELECT 1 FROM t WHERE <filter>`; the statement
 *    must be that single SELECT with nothing but the WHERE, and every node of the condition
 *    must be on the allow-list: this table's columns, literals, comparison, logical and
 *    arithmetic operators, IN, BETWEEN, IS, LIKE/REGEXP, CASE, CAST and deterministic,
 *    side-effect-free built-in functions.
 * 3. The SQL sent to the server is rendered from that checked tree, fully parenthesised, never
 *    the operator's text, so what runs is exactly what was checked; `validateRowFilter` then
 *    lets the server resolve it (`SELECT … WHERE (…) LIMIT 0`), which catches type errors and
 *    anything the parser accepted that the server does not.
 *
 * The checked tree is kept as `RowFilter.condition` (filter-expression.ts), the same condition
 * as the SQL, so the binlog half can apply the filter to changes (filter-evaluator.ts).
 * Numeric literals with a point or an exponent are rendered exactly as written (`1.50` stays a
 * DECIMAL, `1e3` a DOUBLE), and `<=>`, which the parser does not know, is carried through it as
 * `=` and rendered back.
 */

import type { TableSchema } from '@tidewater/change-events';
import type { Connection } from 'mysql2/promise';
// node-sql-parser is CommonJS (Node's ESM loader exposes only its default export); the MySQL
// build holds the one grammar we use.
import nodeSqlParser from 'node-sql-parser/build/mysql';
import { MAX_FILTER_LENGTH } from '@tidewater/config';
import { TidewaterError } from '@tidewater/errors';
import type {
  ArithmeticOperator,
  ComparisonOperator,
  FilterExpression,
  LogicalOperator,
} from './filter-expression';
import { quoteIdentifier, quoteTableName } from './identifiers';

export interface RowFilter {
  /** The filter as the operator wrote it. */
  text: string;
  /** The checked filter rendered as SQL, parenthesised; safe to put after WHERE. */
  sql: string;
  /** The table's columns the filter reads, with the table's spelling. */
  columns: string[];
  /** The checked condition as a tree: the same condition as `sql`. */
  condition: FilterExpression;
}

const REMEDY_PURE =
  "Write the filter as a condition on this table's columns only, e.g. `id > 100 AND status IN ('paid', 'sent')`.";

/** Functions a filter may call: built-in, deterministic, no side effects, no session state. */
// prettier-ignore
const ALLOWED_FUNCTIONS = new Set([
  // comparison and control flow
  'IF', 'IFNULL', 'NULLIF', 'COALESCE', 'ISNULL', 'GREATEST', 'LEAST', 'INTERVAL', 'NOT',
  // strings
  'ASCII', 'BIN', 'BIT_LENGTH', 'CHAR_LENGTH', 'CHARACTER_LENGTH', 'CONCAT', 'CONCAT_WS', 'ELT',
  'FIELD', 'FIND_IN_SET', 'HEX', 'INSTR', 'LCASE', 'LEFT', 'LENGTH', 'LOCATE', 'LOWER', 'LPAD',
  'LTRIM', 'MID', 'OCT', 'OCTET_LENGTH', 'ORD', 'POSITION', 'REPLACE', 'REVERSE', 'RIGHT',
  'RPAD', 'RTRIM', 'SOUNDEX', 'SPACE', 'STRCMP', 'SUBSTR', 'SUBSTRING', 'SUBSTRING_INDEX',
  'TRIM', 'UCASE', 'UNHEX', 'UPPER', 'CONVERT', 'REGEXP_LIKE', 'REGEXP_INSTR', 'REGEXP_SUBSTR',
  'REGEXP_REPLACE',
  // numbers
  'ABS', 'ACOS', 'ASIN', 'ATAN', 'ATAN2', 'CEIL', 'CEILING', 'CONV', 'COS', 'COT', 'CRC32',
  'DEGREES', 'EXP', 'FLOOR', 'LN', 'LOG', 'LOG10', 'LOG2', 'MOD', 'PI', 'POW', 'POWER',
  'RADIANS', 'ROUND', 'SIGN', 'SIN', 'SQRT', 'TAN', 'TRUNCATE',
  // dates and times (only of their arguments: NOW() and friends are refused below)
  'ADDDATE', 'ADDTIME', 'CONVERT_TZ', 'DATE', 'DATE_ADD', 'DATE_FORMAT', 'DATE_SUB', 'DATEDIFF',
  'DAY', 'DAYNAME', 'DAYOFMONTH', 'DAYOFWEEK', 'DAYOFYEAR', 'FROM_DAYS', 'FROM_UNIXTIME', 'HOUR',
  'LAST_DAY', 'MAKEDATE', 'MAKETIME', 'MICROSECOND', 'MINUTE', 'MONTH', 'MONTHNAME',
  'PERIOD_ADD', 'PERIOD_DIFF', 'QUARTER', 'SEC_TO_TIME', 'SECOND', 'STR_TO_DATE', 'SUBDATE',
  'SUBTIME', 'TIME', 'TIME_FORMAT', 'TIME_TO_SEC', 'TIMEDIFF', 'TIMESTAMP', 'TIMESTAMPADD',
  'TIMESTAMPDIFF', 'TO_DAYS', 'TO_SECONDS', 'UNIX_TIMESTAMP', 'WEEK', 'WEEKDAY', 'WEEKOFYEAR',
  'YEAR', 'YEARWEEK',
  // JSON
  'JSON_CONTAINS', 'JSON_CONTAINS_PATH', 'JSON_EXTRACT', 'JSON_LENGTH', 'JSON_TYPE',
  'JSON_UNQUOTE', 'JSON_VALID', 'JSON_VALUE', 'JSON_DEPTH', 'JSON_KEYS', 'JSON_SEARCH',
  'JSON_OVERLAPS', 'JSON_QUOTE',
  // hashes
  'MD5', 'SHA', 'SHA1', 'SHA2',
]);

/** Functions refused with a specific reason, so the message says why. */
const REFUSED_FUNCTIONS: Record<string, string> = {
  EXISTS: 'it runs a subquery, and a filter may only read the row itself',
  SLEEP: 'it waits on the server',
  BENCHMARK: 'it burns CPU on the server',
  LOAD_FILE: "it reads files from the server's disk",
  GET_LOCK: 'it takes a named lock',
  RELEASE_LOCK: 'it releases named locks',
  RELEASE_ALL_LOCKS: 'it releases named locks',
  IS_FREE_LOCK: 'it inspects named locks',
  IS_USED_LOCK: 'it inspects named locks',
  MASTER_POS_WAIT: 'it waits on replication',
  SOURCE_POS_WAIT: 'it waits on replication',
  MASTER_GTID_WAIT: 'it waits on replication',
  WAIT_FOR_EXECUTED_GTID_SET: 'it waits on replication',
  NAME_CONST: 'it is an internal function',
  RAND: 'it returns a different value on every call',
  UUID: 'it returns a different value on every call',
  UUID_SHORT: 'it returns a different value on every call',
  SYS_GUID: 'it returns a different value on every call',
  NOW: 'it depends on when each chunk is read; write the date as a literal',
  SYSDATE: 'it depends on when each chunk is read; write the date as a literal',
  CURDATE: 'it depends on when each chunk is read; write the date as a literal',
  CURTIME: 'it depends on when each chunk is read; write the time as a literal',
  CURRENT_DATE: 'it depends on when each chunk is read; write the date as a literal',
  CURRENT_TIME: 'it depends on when each chunk is read; write the time as a literal',
  CURRENT_TIMESTAMP: 'it depends on when each chunk is read; write the timestamp as a literal',
  LOCALTIME: 'it depends on when each chunk is read; write the timestamp as a literal',
  LOCALTIMESTAMP: 'it depends on when each chunk is read; write the timestamp as a literal',
  UTC_DATE: 'it depends on when each chunk is read; write the date as a literal',
  UTC_TIME: 'it depends on when each chunk is read; write the time as a literal',
  UTC_TIMESTAMP: 'it depends on when each chunk is read; write the timestamp as a literal',
  USER: 'it reads session state',
  CURRENT_USER: 'it reads session state',
  SESSION_USER: 'it reads session state',
  SYSTEM_USER: 'it reads session state',
  DATABASE: 'it reads session state',
  SCHEMA: 'it reads session state',
  CONNECTION_ID: 'it reads session state',
  LAST_INSERT_ID: 'it reads session state',
  FOUND_ROWS: 'it reads session state',
  ROW_COUNT: 'it reads session state',
  VERSION: 'it reads server state',
  NEXTVAL: 'it advances a sequence',
  SETVAL: 'it changes a sequence',
  LASTVAL: 'it reads session state',
  EXTRACTVALUE: 'it is not on the list of allowed functions',
  UPDATEXML: 'it is not on the list of allowed functions',
};

// prettier-ignore
const ALLOWED_BINARY_OPERATORS = new Set([
  '=', '<=>', '!=', '<>', '<', '<=', '>', '>=', 'AND', 'OR', 'XOR', '&&', '+', '-', '*', '/', 'DIV',
  '%', 'MOD', '&', '|', '^', '<<', '>>', 'LIKE', 'NOT LIKE', 'REGEXP', 'NOT REGEXP', 'RLIKE',
  'NOT RLIKE', 'IN', 'NOT IN', 'BETWEEN', 'NOT BETWEEN', 'IS', 'IS NOT', '->', '->>',
]);

const ALLOWED_UNARY_OPERATORS = new Set(['NOT', '!', '-', '+', '~']);

// prettier-ignore
const CAST_TARGETS = new Set([
  'CHAR', 'NCHAR', 'BINARY', 'DATE', 'DATETIME', 'TIME', 'DECIMAL', 'SIGNED', 'SIGNED INTEGER',
  'UNSIGNED', 'UNSIGNED INTEGER', 'INTEGER', 'INT', 'DOUBLE', 'FLOAT', 'REAL', 'JSON', 'YEAR',
]);

// prettier-ignore
const INTERVAL_UNITS = new Set([
  'MICROSECOND', 'SECOND', 'MINUTE', 'HOUR', 'DAY', 'WEEK', 'MONTH', 'QUARTER', 'YEAR',
  'SECOND_MICROSECOND', 'MINUTE_MICROSECOND', 'MINUTE_SECOND', 'HOUR_MICROSECOND',
  'HOUR_SECOND', 'HOUR_MINUTE', 'DAY_MICROSECOND', 'DAY_SECOND', 'DAY_MINUTE', 'DAY_HOUR',
  'YEAR_MONTH',
]);

const NAME = /^[A-Za-z0-9_]+$/;
const NUMERIC_LITERAL = /^-?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const NUMBER_PLACEHOLDER = /^__tidewater_number_(\d+)__$/;

/**
 * Checks a filter against a table and renders it as SQL. Pure: no server involved. Throws a
 * `TidewaterError` (`FILTER_SYNTAX_ERROR`, `FILTER_NOT_ALLOWED`, `FILTER_UNKNOWN_COLUMN`) whose
 * message says what is wrong and whose remedy says how to write it instead.
 */
export function parseRowFilter(text: string, schema: TableSchema): RowFilter {
  const where = `${schema.database}.${schema.table}`;
  const trimmed = text.trim();
  if (trimmed === '') {
    throw notAllowed(
      where,
      'The filter is empty.',
      'Leave the filter out to migrate every row, or write a condition.',
    );
  }
  if (trimmed.length > MAX_FILTER_LENGTH) {
    throw notAllowed(
      where,
      `The filter is ${trimmed.length} characters long; at most ${MAX_FILTER_LENGTH} are allowed.`,
      'Shorten the condition (a long IN list is usually better expressed as a range).',
    );
  }
  const { text: scanned, numbers, nullSafeEquals, equalsCount } = scanFilterText(trimmed, where);

  let ast: unknown;
  try {
    ast = new nodeSqlParser.Parser().astify(`SELECT 1 FROM t WHERE ${scanned}`, {
      database: 'MySQL',
    });
  } catch (error) {
    throw syntaxError(where, trimmed, error);
  }
  const statements = Array.isArray(ast) ? ast : [ast];
  if (statements.length !== 1) {
    throw notAllowed(where, 'The filter contains more than one statement.', REMEDY_PURE);
  }
  const select = statements[0] as Record<string, unknown>;
  assertOnlyWhere(select, where);

  const context: RenderContext = {
    schema,
    where,
    numbers,
    nullSafeEquals,
    equalsSeen: 0,
    columns: new Set<string>(),
  };
  const { sql, expr } = render(select.where, context);
  if (nullSafeEquals.size > 0 && context.equalsSeen !== equalsCount) {
    // The `=`s of the tree did not line up with the text's, so a `<=>` could land elsewhere.
    throw notAllowed(
      where,
      'The filter uses <=> in a way Tidewater cannot check.',
      'Write `x <=> y` as `(x = y OR (x IS NULL AND y IS NULL))`, or put the comparison in parentheses.',
    );
  }
  return { text, sql, columns: [...context.columns], condition: expr };
}

/**
 * Checks a filter as `parseRowFilter` does, then lets the source resolve it against the real
 * table without reading a row. Throws `FILTER_REJECTED_BY_SOURCE` with the server's words when
 * the server refuses it.
 */
export async function validateRowFilter(
  connection: Connection,
  text: string,
  schema: TableSchema,
): Promise<RowFilter> {
  const filter = parseRowFilter(text, schema);
  try {
    await connection.query(
      `SELECT 1 FROM ${quoteTableName(schema.database, schema.table)} WHERE ${filter.sql} LIMIT 0`,
    );
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new TidewaterError(
      'FILTER_REJECTED_BY_SOURCE',
      `The filter for ${schema.database}.${schema.table} was refused by the source: ${message}`,
      {
        category: 'invalid_input',
        remedy:
          'Fix the condition so the source accepts it; try it in a MySQL client as SELECT … WHERE <filter>.',
        details: { database: schema.database, table: schema.table },
        cause: error,
      },
    );
  }
  return filter;
}

// ---------------------------------------------------------------------------------------------
// Step 1: the raw text.

interface ScannedFilter {
  text: string;
  numbers: string[];
  /** Ordinals (0-based, in text order) of the `=` tokens that were `<=>`. */
  nullSafeEquals: Set<number>;
  /** How many `=` tokens the text has, `<=>` included. */
  equalsCount: number;
}

/** Significant digits beyond which a JavaScript number would round the literal. */
const MAX_EXACT_DIGITS = 15;

function scanFilterText(text: string, where: string): ScannedFilter {
  let out = '';
  const numbers: string[] = [];
  const nullSafeEquals = new Set<number>();
  let equals = 0;
  let index = 0;
  while (index < text.length) {
    const char = text[index] as string;
    const next = text[index + 1];
    if (char === "'" || char === '"' || char === '`') {
      const end = endOfQuoted(text, index, char);
      if (end === -1) {
        throw syntaxError(
          where,
          text,
          new Error(
            `the ${char === '`' ? 'quoted name' : 'string'} starting at character ${index + 1} is not closed`,
          ),
        );
      }
      out += text.slice(index, end);
      index = end;
      continue;
    }
    if (char === '/' && next === '*') {
      throw notAllowed(
        where,
        'The filter contains a comment (/* … */). MySQL runs the text of /*! … */ comments, so comments are not accepted in filters.',
        'Remove the comment.',
      );
    }
    if (char === '#' || (char === '-' && next === '-')) {
      throw notAllowed(
        where,
        `The filter contains a comment (${char === '#' ? '#' : '--'}).`,
        char === '#'
          ? 'Remove the comment.'
          : 'Remove the comment; to subtract a negative number write `a - (-1)`.',
      );
    }
    if (char === ';') {
      throw notAllowed(
        where,
        'The filter contains ";": a filter is one condition, not statements.',
        REMEDY_PURE,
      );
    }
    if (char === '<' && text.startsWith('<=>', index)) {
      // The parser has no <=>; it travels as `=` and is rendered back by its ordinal.
      nullSafeEquals.add(equals);
      equals += 1;
      out += ' = ';
      index += 3;
      continue;
    }
    if (char === '=' && !['<', '>', '!', ':'].includes(text[index - 1] ?? '')) equals += 1;
    const startsNumber =
      !isIdentifierChar(text[index - 1]) && (isDigit(char) || (char === '.' && isDigit(next)));
    if (startsNumber) {
      const match = /^(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?/.exec(text.slice(index));
      const literal = match?.[0] ?? char;
      // Literals the parser would turn into a rounded or retyped JavaScript number (a point, an
      // exponent, many digits) are set aside and rendered exactly as written.
      if (
        !isIdentifierChar(text[index + literal.length]) &&
        (/[.eE]/.test(literal) || countDigits(literal) > MAX_EXACT_DIGITS)
      ) {
        out += `__tidewater_number_${numbers.length}__`;
        numbers.push(literal);
      } else {
        out += literal;
      }
      index += literal.length;
      continue;
    }
    out += char;
    index += 1;
  }
  return { text: out, numbers, nullSafeEquals, equalsCount: equals };
}

/** Index just after the closing quote, or -1; MySQL rules: doubled quote and backslash escapes. */
function endOfQuoted(text: string, start: number, quote: string): number {
  let index = start + 1;
  while (index < text.length) {
    const char = text[index];
    if (char === '\\' && quote !== '`') {
      index += 2;
    } else if (char === quote) {
      if (text[index + 1] === quote) {
        index += 2;
      } else {
        return index + 1;
      }
    } else {
      index += 1;
    }
  }
  return -1;
}

function isDigit(char: string | undefined): boolean {
  return char !== undefined && char >= '0' && char <= '9';
}

function isIdentifierChar(char: string | undefined): boolean {
  return char !== undefined && (/[A-Za-z0-9_$.]/.test(char) || char.charCodeAt(0) > 127);
}

function countDigits(literal: string): number {
  const mantissa = literal.split(/[eE]/)[0] ?? '';
  return mantissa.replace('.', '').replace(/^0+/, '').length;
}

// ---------------------------------------------------------------------------------------------
// Step 2 and 3: the tree, checked and rendered.

interface RenderContext {
  schema: TableSchema;
  where: string;
  numbers: string[];
  /** Ordinals of the `=` that were `<=>` (see scanFilterText), and how many `=` were seen. */
  nullSafeEquals: Set<number>;
  equalsSeen: number;
  columns: Set<string>;
}

/** A checked part of the filter: its SQL and its tree. */
interface Rendered {
  sql: string;
  expr: FilterExpression;
}

type Node = Record<string, unknown>;

function assertOnlyWhere(select: Node, where: string): void {
  if (select.type !== 'select') {
    throw notAllowed(where, 'The filter is not a condition.', REMEDY_PURE);
  }
  const into = select.into as Node | null | undefined;
  const extras: Array<[boolean, string]> = [
    [select._next !== undefined && select._next !== null, 'a UNION or another query'],
    [select.set_op !== undefined && select.set_op !== null, 'a UNION or another query'],
    [into !== null && into !== undefined && into.type !== undefined, 'INTO'],
    [select.groupby !== null && select.groupby !== undefined, 'GROUP BY'],
    [select.having !== null && select.having !== undefined, 'HAVING'],
    [select.orderby !== null && select.orderby !== undefined, 'ORDER BY'],
    [select.limit !== null && select.limit !== undefined && hasLimitValues(select.limit), 'LIMIT'],
    [
      select.locking_read !== null && select.locking_read !== undefined,
      'a locking clause (FOR UPDATE, LOCK IN SHARE MODE)',
    ],
    [select.window !== null && select.window !== undefined, 'a WINDOW clause'],
    [select.with !== null && select.with !== undefined, 'WITH'],
  ];
  for (const [isPresent, what] of extras) {
    if (isPresent) {
      throw notAllowed(
        where,
        `The filter continues after the condition with ${what}.`,
        REMEDY_PURE,
      );
    }
  }
  if (select.where === null || select.where === undefined) {
    throw notAllowed(where, 'The filter has no condition.', REMEDY_PURE);
  }
}

function hasLimitValues(limit: unknown): boolean {
  const value = (limit as Node).value;
  return Array.isArray(value) && value.length > 0;
}

function unsupported(sql: string, construct: string, args: Rendered[] = []): Rendered {
  return { sql, expr: { kind: 'unsupported', construct, args: args.map((arg) => arg.expr) } };
}

function render(value: unknown, context: RenderContext): Rendered {
  if (value === null || typeof value !== 'object') {
    throw notAllowed(
      context.where,
      'The filter has a part that is not an expression.',
      REMEDY_PURE,
    );
  }
  const node = value as Node;
  if ('ast' in node) {
    throw notAllowed(
      context.where,
      'The filter contains a subquery; a filter may only read the row itself.',
      'Replace the subquery by literal values, e.g. `customer_id IN (1, 2, 3)`.',
    );
  }
  switch (node.type) {
    case 'binary_expr':
      return renderBinary(node, context);
    case 'unary_expr': {
      const operator = String(node.operator).toUpperCase();
      if (!ALLOWED_UNARY_OPERATORS.has(operator)) throw operatorNotAllowed(operator, context);
      const operand = render(node.expr, context);
      const sql = `(${operator === 'NOT' ? 'NOT ' : operator}${operand.sql})`;
      switch (operator) {
        case 'NOT':
        case '!':
          return { sql, expr: { kind: 'not', operand: operand.expr } };
        case '-':
          return { sql, expr: { kind: 'negate', operand: operand.expr } };
        case '+':
          return { sql, expr: { kind: 'plus', operand: operand.expr } };
        default:
          return unsupported(sql, `the operator ${operator}`, [operand]);
      }
    }
    case 'column_ref':
      return renderColumn(node, context);
    case 'number':
    case 'bigint': {
      const sql = renderNumber(node.value, context);
      return { sql, expr: { kind: 'number', text: sql.replace(/^\((.*)\)$/, '$1') } };
    }
    case 'single_quote_string':
    case 'double_quote_string':
    case 'string': {
      const decoded = decodeString(
        String(node.value),
        node.type === 'double_quote_string' ? '"' : "'",
      );
      const collate = collateOf(node, context);
      return {
        sql: withCollate(quoteString(decoded), collate),
        expr: { kind: 'string', value: decoded, collate },
      };
    }
    case 'natural_string': {
      const sql = withCollate(
        `N${quoteString(decodeString(String(node.value), "'"))}`,
        collateOf(node, context),
      );
      return unsupported(sql, "a national string literal (N'…')");
    }
    case 'hex_string':
    case 'full_hex_string': {
      const hex = String(node.value);
      if (!/^[0-9A-Fa-f]*$/.test(hex))
        throw notAllowed(context.where, `"${hex}" is not a hexadecimal literal.`, REMEDY_PURE);
      return unsupported(
        node.type === 'hex_string' ? `X'${hex}'` : `0x${hex}`,
        'a hexadecimal literal',
      );
    }
    case 'bit_string': {
      const bits = String(node.value);
      if (!/^[01]*$/.test(bits))
        throw notAllowed(context.where, `"${bits}" is not a bit literal.`, REMEDY_PURE);
      return unsupported(`b'${bits}'`, 'a bit literal');
    }
    case 'bool':
      return {
        sql: node.value === true ? 'TRUE' : 'FALSE',
        expr: { kind: 'boolean', value: node.value === true },
      };
    case 'null':
      return { sql: 'NULL', expr: { kind: 'null' } };
    case 'date':
    case 'time':
    case 'timestamp':
    case 'datetime': {
      const type = String(node.type).toUpperCase() as 'DATE' | 'TIME' | 'TIMESTAMP' | 'DATETIME';
      const decoded = decodeString(String(node.value), "'");
      return {
        sql: `${type} ${quoteString(decoded)}`,
        expr: { kind: 'temporal', type, value: decoded },
      };
    }
    case 'expr_list': {
      const items = renderList(node.value, context);
      return unsupported(
        `(${items.map((item) => item.sql).join(', ')})`,
        'a list of values',
        items,
      );
    }
    case 'function':
      return renderFunction(node, context);
    case 'cast':
      return renderCast(node, context);
    case 'case':
      return renderCase(node, context);
    case 'interval':
      return renderInterval(node, context);
    case 'extract': {
      const args = node.args as Node;
      const unit = String(args.field).toUpperCase();
      if (!INTERVAL_UNITS.has(unit))
        throw notAllowed(context.where, `EXTRACT unit ${unit} is not known.`, REMEDY_PURE);
      const source = render(args.source, context);
      return unsupported(`EXTRACT(${unit} FROM ${source.sql})`, 'EXTRACT', [source]);
    }
    case 'var':
      throw notAllowed(
        context.where,
        `The filter reads a variable (${String(node.prefix ?? '')}${String(node.name)}); variables are not allowed.`,
        'Write the value itself instead of the variable.',
      );
    case 'aggr_func':
      throw notAllowed(
        context.where,
        `The filter uses the aggregate function ${String(node.name)}; a filter tests one row at a time.`,
        REMEDY_PURE,
      );
    case 'param':
    case 'origin':
      throw notAllowed(
        context.where,
        `The filter contains a placeholder or keyword (${String(node.value)}) where a value belongs.`,
        'Write the value itself.',
      );
    case 'star':
      throw notAllowed(
        context.where,
        'The filter contains "*" where a value belongs.',
        REMEDY_PURE,
      );
    default:
      throw notAllowed(
        context.where,
        `The filter contains an expression of a kind filters do not allow (${String(node.type)}).`,
        REMEDY_PURE,
      );
  }
}

const COMPARISON_OPERATORS = new Set(['=', '<=>', '<>', '!=', '<', '<=', '>', '>=']);
const LOGICAL_OPERATORS = new Set(['AND', '&&', 'OR', '||', 'XOR']);
const ARITHMETIC_OPERATORS = new Set(['+', '-', '*', '/', 'DIV', '%', 'MOD']);

/**
 * MySQL's precedence of the logical operators, lowest first: OR, XOR, AND (&&). node-sql-parser
 * gives AND and OR one precedence (`a OR b AND c` comes back as `(a OR b) AND c`) and
 * re-associates after IN, LIKE … ESCAPE and REGEXP; its tree keeps the operands in text order
 * and marks parenthesised groups, so an unparenthesised chain is flattened and rebuilt here.
 */
const LOGICAL_PRECEDENCE: ReadonlyArray<ReadonlySet<string>> = [
  new Set(['OR']),
  new Set(['XOR']),
  new Set(['AND', '&&']),
];

function isLogicalNode(value: unknown): boolean {
  const node = value as Node | null;
  return (
    node !== null &&
    typeof node === 'object' &&
    node.type === 'binary_expr' &&
    LOGICAL_PRECEDENCE.some((level) => level.has(String(node.operator).toUpperCase()))
  );
}

function collectLogicalChain(node: Node, operands: unknown[], operators: string[]): void {
  for (const side of ['left', 'right'] as const) {
    const child = node[side];
    if (isLogicalNode(child) && (child as Node).parentheses !== true) {
      collectLogicalChain(child as Node, operands, operators);
    } else {
      operands.push(child);
    }
    if (side === 'left') operators.push(String(node.operator).toUpperCase());
  }
}

type LogicalChain =
  { operand: unknown } | { operator: string; left: LogicalChain; right: LogicalChain };

/** Operands `[from, to]` with the operators between them, grouped by precedence, left to right. */
function groupLogicalChain(
  operands: unknown[],
  operators: string[],
  from: number,
  to: number,
  level: number,
): LogicalChain {
  if (from === to) return { operand: operands[from] };
  const operatorsHere = LOGICAL_PRECEDENCE[level];
  if (operatorsHere === undefined) throw new Error('logical operator without a precedence');
  let split = -1;
  for (let index = to - 1; index >= from; index -= 1) {
    if (operatorsHere.has(operators[index] as string)) {
      split = index;
      break;
    }
  }
  if (split === -1) return groupLogicalChain(operands, operators, from, to, level + 1);
  return {
    operator: operators[split] as string,
    left: groupLogicalChain(operands, operators, from, split, level),
    right: groupLogicalChain(operands, operators, split + 1, to, level + 1),
  };
}

function renderLogicalChain(chain: LogicalChain, context: RenderContext): Rendered {
  if ('operand' in chain) return render(chain.operand, context);
  const left = renderLogicalChain(chain.left, context);
  const right = renderLogicalChain(chain.right, context);
  return {
    sql: `(${left.sql} ${chain.operator} ${right.sql})`,
    expr: {
      kind: 'logical',
      operator: chain.operator as LogicalOperator,
      left: left.expr,
      right: right.expr,
    },
  };
}

function renderBinary(node: Node, context: RenderContext): Rendered {
  let operator = String(node.operator).toUpperCase();
  if (!ALLOWED_BINARY_OPERATORS.has(operator)) throw operatorNotAllowed(operator, context);
  if (isLogicalNode(node)) {
    const operands: unknown[] = [];
    const operators: string[] = [];
    collectLogicalChain(node, operands, operators);
    return renderLogicalChain(
      groupLogicalChain(operands, operators, 0, operands.length - 1, 0),
      context,
    );
  }
  const left = render(node.left, context);
  if (operator === '=') {
    // Counted here, after the left operand and before the right: the text order of the `=`s.
    if (context.nullSafeEquals.has(context.equalsSeen)) operator = '<=>';
    context.equalsSeen += 1;
  }
  const right = node.right as Node;
  if (operator === 'BETWEEN' || operator === 'NOT BETWEEN') {
    const bounds = right.value;
    if (!Array.isArray(bounds) || bounds.length !== 2) {
      throw notAllowed(
        context.where,
        `${operator} needs two bounds.`,
        'Write it as `x BETWEEN low AND high`.',
      );
    }
    const low = render(bounds[0], context);
    const high = render(bounds[1], context);
    return {
      sql: `(${left.sql} ${operator} ${low.sql} AND ${high.sql})`,
      expr: {
        kind: 'between',
        isNegated: operator === 'NOT BETWEEN',
        subject: left.expr,
        low: low.expr,
        high: high.expr,
      },
    };
  }
  if (operator === 'IN' || operator === 'NOT IN') {
    if (right.type !== 'expr_list') {
      throw notAllowed(
        context.where,
        `${operator} needs a list of values.`,
        'Write it as `x IN (1, 2, 3)`.',
      );
    }
    const values = renderList(right.value, context);
    return {
      sql: `(${left.sql} ${operator} (${values.map((item) => item.sql).join(', ')}))`,
      expr: {
        kind: 'in',
        isNegated: operator === 'NOT IN',
        subject: left.expr,
        values: values.map((item) => item.expr),
      },
    };
  }
  const rightRendered = render(right, context);
  let sql = `(${left.sql} ${operator} ${rightRendered.sql}`;
  const escapeNode = right.escape as Node | undefined;
  let escape: Rendered | null = null;
  if (escapeNode !== undefined && escapeNode !== null) {
    escape = render(escapeNode.value, context);
    sql += ` ESCAPE ${escape.sql}`;
  }
  sql += ')';
  if (operator === 'LIKE' || operator === 'NOT LIKE') {
    return {
      sql,
      expr: {
        kind: 'like',
        isNegated: operator === 'NOT LIKE',
        subject: left.expr,
        pattern: rightRendered.expr,
        escape: escape?.expr ?? null,
      },
    };
  }
  if (operator === 'IS' || operator === 'IS NOT') {
    const value =
      rightRendered.expr.kind === 'null'
        ? 'NULL'
        : rightRendered.expr.kind === 'boolean'
          ? rightRendered.expr.value
            ? 'TRUE'
            : 'FALSE'
          : null;
    if (value === null) return unsupported(sql, `IS ${rightRendered.sql}`, [left, rightRendered]);
    return {
      sql,
      expr: { kind: 'is', isNegated: operator === 'IS NOT', subject: left.expr, value },
    };
  }
  if (COMPARISON_OPERATORS.has(operator)) {
    return {
      sql,
      expr: {
        kind: 'comparison',
        operator: operator as ComparisonOperator,
        left: left.expr,
        right: rightRendered.expr,
      },
    };
  }
  if (LOGICAL_OPERATORS.has(operator)) {
    return {
      sql,
      expr: {
        kind: 'logical',
        operator: operator as LogicalOperator,
        left: left.expr,
        right: rightRendered.expr,
      },
    };
  }
  if (ARITHMETIC_OPERATORS.has(operator)) {
    return {
      sql,
      expr: {
        kind: 'arithmetic',
        operator: operator as ArithmeticOperator,
        left: left.expr,
        right: rightRendered.expr,
      },
    };
  }
  return unsupported(sql, `the operator ${operator}`, [left, rightRendered]);
}

function renderList(values: unknown, context: RenderContext): Rendered[] {
  if (!Array.isArray(values) || values.length === 0) {
    throw notAllowed(
      context.where,
      'The filter has an empty list.',
      'Put at least one value in the list.',
    );
  }
  return values.map((item) => render(item, context));
}

function renderColumn(node: Node, context: RenderContext): Rendered {
  const raw = columnName(node.column);
  const placeholder = NUMBER_PLACEHOLDER.exec(raw);
  if (placeholder !== null && node.table === null) {
    const text = context.numbers[Number(placeholder[1])];
    const collate = collateOf(node, context);
    const sql = renderNumber(text, context);
    if (collate !== null) return unsupported(withCollate(sql, collate), 'COLLATE on a number');
    return { sql, expr: { kind: 'number', text: String(text) } };
  }
  const { schema } = context;
  const db = node.db === null || node.db === undefined ? null : String(node.db);
  const table = node.table === null || node.table === undefined ? null : String(node.table);
  if ((db !== null && db !== schema.database) || (table !== null && table !== schema.table)) {
    throw notAllowed(
      context.where,
      `The filter refers to ${[db, table, raw].filter((part) => part !== null).join('.')}, which is not a column of ${schema.database}.${schema.table}.`,
      'Name only columns of this table (unqualified or qualified with this table).',
    );
  }
  // MySQL column names are case-insensitive.
  const column = schema.columns.find(
    (candidate) => candidate.name.toLowerCase() === raw.toLowerCase(),
  );
  if (column === undefined) {
    throw new TidewaterError(
      'FILTER_UNKNOWN_COLUMN',
      `The filter for ${context.where} names column "${raw}", which the table does not have.`,
      {
        category: 'invalid_input',
        remedy: `Use one of the table's columns: ${schema.columns.map((candidate) => candidate.name).join(', ')}. Quote names with backticks, and strings with single quotes.`,
        details: { table: context.where, column: raw },
      },
    );
  }
  context.columns.add(column.name);
  const collate = collateOf(node, context);
  return {
    sql: withCollate(quoteIdentifier(column.name), collate),
    expr: { kind: 'column', name: column.name, collate },
  };
}

function columnName(value: unknown): string {
  // node-sql-parser keeps a backtick-quoted name as written, doubled backticks included.
  if (typeof value === 'string') return value.replaceAll('``', '`');
  if (typeof value === 'object' && value !== null) {
    const expr = (value as Node).expr as Node | undefined;
    if (expr !== undefined && typeof expr.value === 'string')
      return expr.value.replaceAll('``', '`');
  }
  return String(value);
}

/** The collation a COLLATE clause on the node names, checked to be a plain name; or null. */
function collateOf(node: Node, context: RenderContext): string | null {
  const collate = (node.collate ?? (node.suffix as Node | undefined)?.collate) as
    Node | null | undefined;
  if (collate === null || collate === undefined) return null;
  const name = String(((collate.collate as Node | undefined)?.name ?? '') as string);
  if (!NAME.test(name))
    throw notAllowed(context.where, `"${name}" is not a collation name.`, REMEDY_PURE);
  return name;
}

function withCollate(sql: string, collate: string | null): string {
  return collate === null ? sql : `(${sql} COLLATE ${collate})`;
}

function renderNumber(value: unknown, context: RenderContext): string {
  const text =
    typeof value === 'number' ? (Number.isFinite(value) ? String(value) : '') : String(value);
  if (!NUMERIC_LITERAL.test(text)) {
    throw notAllowed(context.where, `"${text}" is not a number.`, REMEDY_PURE);
  }
  return text.startsWith('-') ? `(${text})` : text;
}

/**
 * A string literal's value from the parser's raw token text, by MySQL's escape rules. MySQL
 * keeps the backslash before % and _ so LIKE patterns can escape them.
 */
function decodeString(raw: string, quote: "'" | '"'): string {
  let value = '';
  for (let index = 0; index < raw.length; index += 1) {
    const char = raw[index] as string;
    if (char === '\\' && index + 1 < raw.length) {
      const escaped = raw[index + 1] as string;
      index += 1;
      value +=
        escaped === '%' || escaped === '_' ? `\\${escaped}` : (STRING_ESCAPES[escaped] ?? escaped);
    } else if (char === quote && raw[index + 1] === quote) {
      value += quote;
      index += 1;
    } else {
      value += char;
    }
  }
  return value;
}

/** A string value written as a literal with only `\\`, `\'` and `\0` escaped. */
function quoteString(value: string): string {
  return `'${value.replaceAll('\\', '\\\\').replaceAll("'", "\\'").replaceAll('\0', '\\0')}'`;
}

const STRING_ESCAPES: Record<string, string> = {
  '0': '\0',
  b: '\b',
  n: '\n',
  r: '\r',
  t: '\t',
  Z: '\x1a',
};

function renderFunction(node: Node, context: RenderContext): Rendered {
  const nameNode = node.name as Node;
  if (nameNode.schema !== undefined && nameNode.schema !== null) {
    throw notAllowed(
      context.where,
      'The filter calls a stored function; only built-in functions without side effects are allowed.',
      REMEDY_PURE,
    );
  }
  const parts = (nameNode.name as Node[] | undefined) ?? [];
  const name = parts
    .map((part) => String(part.value))
    .join('.')
    .toUpperCase();
  const reason = REFUSED_FUNCTIONS[name];
  if (reason !== undefined) {
    throw new TidewaterError(
      'FILTER_NOT_ALLOWED',
      `The filter for ${context.where} calls ${name}(), which is not allowed: ${reason}.`,
      {
        category: 'invalid_input',
        remedy: REMEDY_PURE,
        details: { table: context.where, function: name },
      },
    );
  }
  if (!ALLOWED_FUNCTIONS.has(name)) {
    throw new TidewaterError(
      'FILTER_NOT_ALLOWED',
      `The filter for ${context.where} calls ${name}(), which is not on the list of functions filters may use.`,
      {
        category: 'invalid_input',
        remedy:
          'Use deterministic built-in functions only (UPPER, SUBSTRING, ROUND, DATE, DATE_FORMAT, JSON_EXTRACT, …) or compare the column with literal values.',
        details: { table: context.where, function: name },
      },
    );
  }
  if (node.over !== null && node.over !== undefined) {
    throw notAllowed(context.where, `The filter uses ${name}() as a window function.`, REMEDY_PURE);
  }
  const args = ((node.args as Node | undefined)?.value as unknown[] | undefined) ?? [];
  if (name === 'UNIX_TIMESTAMP' && args.length === 0) {
    throw notAllowed(
      context.where,
      'UNIX_TIMESTAMP() without an argument is the current time.',
      'Write the timestamp as a literal number.',
    );
  }
  if (name === 'NOT') {
    if (args.length !== 1) throw notAllowed(context.where, 'NOT takes one condition.', REMEDY_PURE);
    const operand = render(args[0], context);
    return { sql: `(NOT ${operand.sql})`, expr: { kind: 'not', operand: operand.expr } };
  }
  if (name === 'TRIM') return renderTrim(args, context);
  if (name === 'CONVERT') return renderConvert(args, context);
  const rendered = args.map((arg) => render(arg, context));
  return {
    sql: `${name}(${rendered.map((arg) => arg.sql).join(', ')})`,
    expr: { kind: 'function', name, args: rendered.map((arg) => arg.expr) },
  };
}

function renderTrim(args: unknown[], context: RenderContext): Rendered {
  const parts: Array<{ word: string } | Rendered> = args.map((arg) => {
    const node = arg as Node;
    if (node.type === 'origin') {
      const word = String(node.value).toUpperCase();
      if (!['BOTH', 'LEADING', 'TRAILING', 'FROM'].includes(word)) {
        throw notAllowed(context.where, `TRIM does not take ${word}.`, REMEDY_PURE);
      }
      return { word };
    }
    return render(node, context);
  });
  const sql = `TRIM(${parts.map((part) => ('word' in part ? part.word : part.sql)).join(' ')})`;
  const values = parts.filter((part): part is Rendered => !('word' in part));
  if (values.length === 1 && parts.length === 1) {
    return { sql, expr: { kind: 'function', name: 'TRIM', args: [values[0]!.expr] } };
  }
  return unsupported(sql, 'TRIM with BOTH, LEADING, TRAILING or FROM', values);
}

function renderConvert(args: unknown[], context: RenderContext): Rendered {
  const [first, second] = args as [Node | undefined, Node | undefined];
  if (first === undefined)
    throw notAllowed(context.where, 'CONVERT needs an argument.', REMEDY_PURE);
  const suffix = first.suffix;
  if (typeof suffix === 'string') {
    const charset = /^USING\s+([A-Za-z0-9_]+)$/i.exec(suffix.trim());
    if (charset === null)
      throw notAllowed(context.where, `CONVERT … ${suffix} is not allowed.`, REMEDY_PURE);
    const { suffix: _suffix, ...rest } = first;
    const value = render(rest, context);
    return unsupported(`CONVERT(${value.sql} USING ${charset[1]})`, 'CONVERT', [value]);
  }
  if (second?.type === 'datatype') {
    const value = render(first, context);
    return unsupported(`CONVERT(${value.sql}, ${renderDataType(second, context)})`, 'CONVERT', [
      value,
    ]);
  }
  throw notAllowed(
    context.where,
    'CONVERT is only allowed as CONVERT(x, type) or CONVERT(x USING charset).',
    REMEDY_PURE,
  );
}

function renderCast(node: Node, context: RenderContext): Rendered {
  const targets = node.target as Node[] | undefined;
  const target = targets?.[0];
  if (target === undefined || (targets?.length ?? 0) !== 1) {
    throw notAllowed(context.where, 'CAST needs one target type.', REMEDY_PURE);
  }
  const value = render(node.expr, context);
  return unsupported(`CAST(${value.sql} AS ${renderDataType(target, context)})`, 'CAST', [value]);
}

function renderDataType(target: Node, context: RenderContext): string {
  const type = String(target.dataType).toUpperCase();
  if (!CAST_TARGETS.has(type)) {
    throw notAllowed(context.where, `CAST to ${type} is not allowed.`, REMEDY_PURE);
  }
  const length = target.length;
  const scale = target.scale;
  if (length === undefined || length === null) return type;
  if (
    !Number.isInteger(length) ||
    (scale !== undefined && scale !== null && !Number.isInteger(scale))
  ) {
    throw notAllowed(
      context.where,
      `CAST to ${type} has a length that is not a number.`,
      REMEDY_PURE,
    );
  }
  return scale === undefined || scale === null
    ? `${type}(${String(length)})`
    : `${type}(${String(length)}, ${String(scale)})`;
}

function renderCase(node: Node, context: RenderContext): Rendered {
  const parts = ['CASE'];
  const args: Rendered[] = [];
  if (node.expr !== null && node.expr !== undefined) {
    const subject = render(node.expr, context);
    args.push(subject);
    parts.push(subject.sql);
  }
  for (const arm of (node.args as Node[] | undefined) ?? []) {
    if (arm.type === 'when') {
      const condition = render(arm.cond, context);
      const result = render(arm.result, context);
      args.push(condition, result);
      parts.push(`WHEN ${condition.sql} THEN ${result.sql}`);
    } else if (arm.type === 'else') {
      const result = render(arm.result, context);
      args.push(result);
      parts.push(`ELSE ${result.sql}`);
    } else {
      throw notAllowed(
        context.where,
        'CASE has a part that is neither WHEN nor ELSE.',
        REMEDY_PURE,
      );
    }
  }
  parts.push('END');
  return unsupported(`(${parts.join(' ')})`, 'CASE', args);
}

function renderInterval(node: Node, context: RenderContext): Rendered {
  const unit = String(node.unit).toUpperCase();
  if (!INTERVAL_UNITS.has(unit)) {
    throw notAllowed(
      context.where,
      `INTERVAL unit ${unit} is not known.`,
      'Use a unit such as DAY, HOUR or MONTH.',
    );
  }
  const value = render(node.expr, context);
  return unsupported(`INTERVAL ${value.sql} ${unit}`, 'INTERVAL', [value]);
}

function operatorNotAllowed(operator: string, context: RenderContext): TidewaterError {
  return notAllowed(
    context.where,
    `The filter uses the operator ${operator}, which filters do not allow.`,
    'Use comparison (=, <>, <, >, IN, BETWEEN, LIKE, IS NULL), logical (AND, OR, NOT) and arithmetic operators.',
  );
}

function notAllowed(where: string, message: string, remedy: string): TidewaterError {
  return new TidewaterError('FILTER_NOT_ALLOWED', `Filter for ${where}: ${message}`, {
    category: 'invalid_input',
    remedy,
    details: { table: where },
  });
}

function syntaxError(where: string, text: string, error: unknown): TidewaterError {
  const location = (error as { location?: { start?: { offset?: number } } }).location;
  const prefix = 'SELECT 1 FROM t WHERE '.length;
  const offset = location?.start?.offset;
  const at =
    offset === undefined
      ? ''
      : ` near character ${Math.max(1, offset - prefix + 1)} ("${text.slice(Math.max(0, offset - prefix), Math.max(0, offset - prefix) + 20)}")`;
  const reason =
    error instanceof Error && !/^Expected /.test(error.message) ? `: ${error.message}` : '';
  return new TidewaterError(
    'FILTER_SYNTAX_ERROR',
    `The filter for ${where} is not a valid condition${at}${reason}.`,
    {
      category: 'invalid_input',
      remedy:
        "Check quotes and parentheses: strings in single quotes ('paid'), names with special characters in backticks (`order`), e.g. `status = 'paid' AND id > 100`.",
      details: { table: where },
      cause: error,
    },
  );
}

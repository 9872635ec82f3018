/**
 * Column declarations (`name type [attributes]`, MySQL "CREATE TABLE Statement" / "Data Types"
 * reference) to `ColumnSchema`, described the way introspection describes a column read from
 * information_schema (introspect.ts), so a schema followed through DDL decodes and renders like
 * one read afresh. The exception is `columnType`: it keeps the statement's own spelling
 * (`VARCHAR(32)`, `BIGINT unsigned`), as Canal does for columns it learnt from DDL, where a
 * table read from the source has the server's (`varchar(32)`, `bigint(20) unsigned`).
 */
import type { ColumnFamily, ColumnSchema } from '@tidewater/change-events';
import { charsetOfCollationName, normalizeCharset } from './charset';
import { DdlSyntaxError, type Token, type TokenCursor } from './sql-tokens';

export interface ColumnDeclaration {
  column: ColumnSchema;
  /**
   * False when the charset was not declared and must come from the table's default (and the
   * collation with it). A declared charset without COLLATE leaves `column.collation` null: the
   * charset's default collation depends on the server.
   */
  hasExplicitCharset: boolean;
  isPrimaryKey: boolean;
  isUnique: boolean;
}

interface TypeInfo {
  dataType: string;
  family: ColumnFamily;
  precision: number | null;
}

const INTEGER_TYPES: Record<string, [string, number]> = {
  TINYINT: ['tinyint', 1],
  INT1: ['tinyint', 1],
  BOOL: ['tinyint', 1],
  BOOLEAN: ['tinyint', 1],
  SMALLINT: ['smallint', 2],
  INT2: ['smallint', 2],
  MEDIUMINT: ['mediumint', 3],
  MIDDLEINT: ['mediumint', 3],
  INT3: ['mediumint', 3],
  INT: ['int', 4],
  INTEGER: ['int', 4],
  INT4: ['int', 4],
  BIGINT: ['bigint', 8],
  INT8: ['bigint', 8],
  SERIAL: ['bigint', 8],
};

const SIMPLE_TYPES: Record<string, TypeInfo> = {
  DATE: { dataType: 'date', family: 'date', precision: null },
  YEAR: { dataType: 'year', family: 'year', precision: null },
  TINYTEXT: { dataType: 'tinytext', family: 'text', precision: null },
  TEXT: { dataType: 'text', family: 'text', precision: null },
  MEDIUMTEXT: { dataType: 'mediumtext', family: 'text', precision: null },
  LONGTEXT: { dataType: 'longtext', family: 'text', precision: null },
  TINYBLOB: { dataType: 'tinyblob', family: 'blob', precision: null },
  BLOB: { dataType: 'blob', family: 'blob', precision: null },
  MEDIUMBLOB: { dataType: 'mediumblob', family: 'blob', precision: null },
  LONGBLOB: { dataType: 'longblob', family: 'blob', precision: null },
  JSON: { dataType: 'json', family: 'json', precision: null },
  GEOMETRY: { dataType: 'geometry', family: 'geometry', precision: null },
  POINT: { dataType: 'point', family: 'geometry', precision: null },
  LINESTRING: { dataType: 'linestring', family: 'geometry', precision: null },
  POLYGON: { dataType: 'polygon', family: 'geometry', precision: null },
  MULTIPOINT: { dataType: 'multipoint', family: 'geometry', precision: null },
  MULTILINESTRING: { dataType: 'multilinestring', family: 'geometry', precision: null },
  MULTIPOLYGON: { dataType: 'multipolygon', family: 'geometry', precision: null },
  GEOMETRYCOLLECTION: { dataType: 'geometrycollection', family: 'geometry', precision: null },
  GEOMCOLLECTION: { dataType: 'geometrycollection', family: 'geometry', precision: null },
  // MariaDB's binary-backed types read as text (introspection: family char, no charset).
  UUID: { dataType: 'uuid', family: 'char', precision: null },
  INET4: { dataType: 'inet4', family: 'char', precision: null },
  INET6: { dataType: 'inet6', family: 'char', precision: null },
};

const BINARY_BACKED_TEXT = new Set(['uuid', 'inet4', 'inet6']);

export interface DeclarationOptions {
  /** MariaDB's JSON is LONGTEXT with a check constraint; MySQL's is a binary type. */
  isMariadb: boolean;
  /** In ALTER TABLE, FIRST and AFTER end a column definition. */
  stopAtPosition?: boolean;
}

function numberArg(cursor: TokenCursor): number {
  const token = cursor.next();
  if (!token || token.type !== 'number') throw new DdlSyntaxError('expected a number', token);
  return Number(token.value);
}

/** Reads `(a[, b])` when present; returns the numbers. */
function optionalArgs(cursor: TokenCursor): number[] {
  if (!cursor.acceptPunct('(')) return [];
  const args = [numberArg(cursor)];
  while (cursor.acceptPunct(',')) args.push(numberArg(cursor));
  cursor.expectPunct(')');
  return args;
}

function quoteLabel(label: string): string {
  return `'${label.replace(/'/g, "''")}'`;
}

/**
 * The type as the statement spells it, which is what Canal prints as `mysqlType` for a column
 * it learnt from DDL (`MemoryTableMeta.processTableElement` over Druid's parse): the type words
 * as written, one space apart (`BIGINT`, `DOUBLE PRECISION`, `varchar`), the arguments as
 * written without spaces (`DECIMAL(10,2)`, ENUM labels quoted with `'` doubled), then
 * ` unsigned` and ` zerofill` in lower case (ZEROFILL implies ` unsigned`). One rewrite:
 * `FLOAT(p)` with p > 24 becomes `double(p)`. Attributes such as the charset are not part of it.
 */
function spelledType(
  cursor: TokenCursor,
  at: {
    typeStart: number;
    typeWordsEnd: number;
    typeEnd: number;
    isUnsignedWritten: boolean;
    isZerofill: boolean;
  },
): string {
  const tokenAt = (index: number): Token => cursor.peek(index - cursor.position)!;
  const words: string[] = [];
  for (let i = at.typeStart; i < at.typeWordsEnd; i += 1) words.push(tokenAt(i).value);
  let args = '';
  const argValues: string[] = [];
  for (let i = at.typeWordsEnd; i < at.typeEnd; i += 1) {
    const token = tokenAt(i);
    if (token.type === 'string') {
      args += quoteLabel(token.value);
    } else if (token.type === 'number') {
      argValues.push(token.value);
      args += String(Number(token.value));
    } else {
      args += token.value;
    }
  }
  let name = words.join(' ');
  if (name.toUpperCase() === 'FLOAT' && argValues.length === 1 && Number(argValues[0]) > 24) {
    name = 'double';
  }
  const unsigned = at.isUnsignedWritten || at.isZerofill ? ' unsigned' : '';
  return `${name}${args}${unsigned}${at.isZerofill ? ' zerofill' : ''}`;
}

/** Parses a column declaration after its name: the data type and the attributes that matter. */
export function parseColumnDefinition(
  cursor: TokenCursor,
  name: string,
  options: DeclarationOptions,
): ColumnDeclaration {
  const typeStart = cursor.position;
  const typeToken = cursor.next();
  if (!typeToken || typeToken.type !== 'word')
    throw new DdlSyntaxError('expected a data type', typeToken);
  let keyword = typeToken.keyword;
  let dataType: string;
  let family: ColumnFamily;
  let precision: number | null = null;
  let scale: number | null = null;
  let members: string[] | null = null;
  let unsigned = false;
  let charset: string | null = null;
  let collation: string | null = null;
  let isNational = false;
  let args: number[] = [];
  let isPrimaryKey = false;
  let isUnique = false;
  let nullable = true;

  if (keyword === 'NATIONAL') {
    isNational = true;
    keyword = cursor.next()?.keyword ?? '';
  }
  if (keyword === 'LONG') {
    // LONG, LONG VARCHAR = MEDIUMTEXT; LONG VARBINARY = MEDIUMBLOB.
    keyword = cursor.acceptAnyWord('VARBINARY') ? 'MEDIUMBLOB' : 'MEDIUMTEXT';
    cursor.acceptAnyWord('VARCHAR', 'CHAR');
  }
  if (keyword === 'CHARACTER' || keyword === 'CHAR') {
    keyword = cursor.acceptAnyWord('VARYING') ? 'VARCHAR' : 'CHAR';
  }
  if (keyword === 'NCHAR' || keyword === 'NVARCHAR') {
    isNational = true;
    keyword = cursor.acceptAnyWord('VARYING') || keyword === 'NVARCHAR' ? 'VARCHAR' : 'CHAR';
  }
  if (keyword === 'DOUBLE') cursor.acceptAnyWord('PRECISION');
  const typeWordsEnd = cursor.position;

  const integer = INTEGER_TYPES[keyword];
  if (integer) {
    [dataType, precision] = integer;
    family = 'integer';
    args = optionalArgs(cursor);
    if (keyword === 'BOOL' || keyword === 'BOOLEAN') args = [1];
    if (keyword === 'SERIAL') {
      unsigned = true;
      nullable = false;
      isUnique = true;
    }
  } else if (
    keyword === 'DECIMAL' ||
    keyword === 'DEC' ||
    keyword === 'NUMERIC' ||
    keyword === 'FIXED'
  ) {
    dataType = 'decimal';
    family = 'decimal';
    args = optionalArgs(cursor);
    precision = args[0] ?? 10;
    scale = args[1] ?? 0;
    args = [precision, scale];
  } else if (
    keyword === 'FLOAT' ||
    keyword === 'FLOAT4' ||
    keyword === 'FLOAT8' ||
    keyword === 'DOUBLE' ||
    keyword === 'REAL'
  ) {
    args = optionalArgs(cursor);
    // FLOAT(p) with p > 24 is a DOUBLE; FLOAT(m, d) keeps its kind.
    const isDouble =
      keyword === 'DOUBLE' ||
      keyword === 'REAL' ||
      keyword === 'FLOAT8' ||
      (args.length === 1 && args[0]! > 24);
    dataType = isDouble ? 'double' : 'float';
    family = isDouble ? 'double' : 'float';
    if (args.length === 1) args = [];
  } else if (keyword === 'BIT') {
    dataType = 'bit';
    family = 'bit';
    args = optionalArgs(cursor);
    precision = args[0] ?? 1;
    args = [precision];
  } else if (keyword === 'TIME' || keyword === 'DATETIME' || keyword === 'TIMESTAMP') {
    dataType = keyword.toLowerCase();
    family = dataType as ColumnFamily;
    args = optionalArgs(cursor);
    scale = args[0] ?? 0;
  } else if (
    keyword === 'CHAR' ||
    keyword === 'VARCHAR' ||
    keyword === 'VARCHAR2' ||
    keyword === 'VARCHARACTER'
  ) {
    const isVar = keyword !== 'CHAR';
    dataType = isVar ? 'varchar' : 'char';
    family = 'char';
    args = optionalArgs(cursor);
    if (!isVar && args.length === 0) args = [1];
  } else if (keyword === 'BINARY' || keyword === 'VARBINARY') {
    dataType = keyword.toLowerCase();
    family = 'binary';
    args = optionalArgs(cursor);
    if (keyword === 'BINARY' && args.length === 0) args = [1];
  } else if (keyword === 'ENUM' || keyword === 'SET') {
    dataType = keyword.toLowerCase();
    family = dataType as ColumnFamily;
    cursor.expectPunct('(');
    members = [];
    do {
      const token = cursor.next();
      if (!token || token.type !== 'string') throw new DdlSyntaxError('expected a label', token);
      members.push(token.value);
    } while (cursor.acceptPunct(','));
    cursor.expectPunct(')');
  } else {
    const simple = SIMPLE_TYPES[keyword];
    if (!simple) throw new DdlSyntaxError('unknown data type', typeToken);
    ({ dataType, family } = simple);
    if (keyword === 'YEAR' || keyword === 'TEXT' || keyword === 'BLOB') args = optionalArgs(cursor);
    if (keyword === 'YEAR' || keyword === 'TEXT' || keyword === 'BLOB') args = [];
    if (family === 'json' && options.isMariadb) {
      // MariaDB's JSON is LONGTEXT with a json_valid() check; introspection reports it as
      // data type longtext, family json (introspect.ts), and so does the history.
      dataType = 'longtext';
    }
  }
  if (family === 'char' || family === 'text') {
    if (isNational) charset = 'utf8mb3';
  }

  const typeEnd = cursor.position;

  // Attributes, up to the end of this definition.
  let hasExplicitCharset = charset !== null;
  let isZerofill = false;
  let isUnsignedWritten = false;
  while (!cursor.isAtEnd && !cursor.peekPunct(',') && !cursor.peekPunct(')')) {
    if (options.stopAtPosition && (cursor.peekWords('FIRST') || cursor.peekWords('AFTER'))) break;
    if (cursor.acceptAnyWord('UNSIGNED')) {
      unsigned = true;
      isUnsignedWritten = true;
    } else if (cursor.acceptAnyWord('SIGNED')) unsigned = false;
    else if (cursor.acceptAnyWord('ZEROFILL')) {
      unsigned = true;
      isZerofill = true;
    } else if (cursor.acceptWords('CHARACTER', 'SET') || cursor.acceptAnyWord('CHARSET')) {
      cursor.acceptPunct('=');
      charset = normalizeCharset(cursor.identifier());
      hasExplicitCharset = true;
    } else if (cursor.acceptAnyWord('COLLATE')) {
      cursor.acceptPunct('=');
      collation = cursor.identifier().toLowerCase();
      if (!hasExplicitCharset) {
        charset = charsetOfCollationName(collation);
        hasExplicitCharset = true;
      }
    } else if (cursor.acceptAnyWord('ASCII')) {
      charset = 'latin1';
      hasExplicitCharset = true;
    } else if (cursor.acceptAnyWord('UNICODE')) {
      charset = 'ucs2';
      hasExplicitCharset = true;
    } else if (cursor.acceptAnyWord('BYTE')) {
      charset = 'binary';
      hasExplicitCharset = true;
    } else if (cursor.acceptWords('NOT', 'NULL')) nullable = false;
    else if (cursor.acceptAnyWord('NULL')) nullable = true;
    else if (cursor.acceptWords('PRIMARY', 'KEY')) isPrimaryKey = true;
    else if (cursor.acceptAnyWord('UNIQUE')) {
      cursor.acceptAnyWord('KEY', 'INDEX');
      isUnique = true;
    } else if (cursor.acceptAnyWord('KEY')) isPrimaryKey = true;
    else if (cursor.acceptAnyWord('DEFAULT', 'COMMENT', 'ON', 'SRID', 'COLUMN_FORMAT', 'STORAGE')) {
      // The value of these attributes (an expression, a string, UPDATE expr, …) never matters
      // here; skip one token or a parenthesised expression, with a unary sign.
      cursor.acceptAnyWord('UPDATE'); // ON UPDATE <expr>
      if (cursor.peekPunct('-') || cursor.peekPunct('+')) cursor.next();
      if (cursor.peekPunct('(')) cursor.skipGroup();
      else if (!cursor.peekPunct(',') && !cursor.peekPunct(')') && !cursor.isAtEnd) {
        const previous = cursor.position;
        const token = cursor.next();
        // Function-call defaults like CURRENT_TIMESTAMP(6), charset-introduced strings _utf8mb4'x'.
        if (token?.type === 'word' && cursor.peekPunct('(')) cursor.skipGroup();
        else if (
          token?.type === 'word' &&
          token.value.startsWith('_') &&
          cursor.peek()?.type === 'string'
        )
          cursor.next();
        else if (token === undefined) cursor.position = previous;
      }
    } else if (cursor.peekPunct('(')) cursor.skipGroup();
    else cursor.next();
  }
  if (isPrimaryKey) nullable = false;
  if (BINARY_BACKED_TEXT.has(dataType)) {
    charset = null;
    hasExplicitCharset = true;
  } else if (family === 'char' || family === 'text' || family === 'enum' || family === 'set') {
    if (charset === 'binary' && family === 'char') family = 'binary';
    if (charset === 'binary' && family === 'text') family = 'blob';
  } else {
    charset = null;
    hasExplicitCharset = true;
  }
  if (charset === null || charset === 'binary') collation = null;
  if (family === 'binary' || family === 'blob') {
    charset = null;
    collation = null;
    hasExplicitCharset = true;
    if (dataType === 'char') dataType = 'binary';
    if (dataType === 'varchar') dataType = 'varbinary';
    if (dataType.endsWith('text')) dataType = dataType.replace('text', 'blob');
  }
  const columnType = spelledType(cursor, {
    typeStart,
    typeWordsEnd,
    typeEnd,
    isUnsignedWritten,
    isZerofill,
  });
  if (family === 'char' || family === 'binary') precision = null;
  return {
    column: {
      name,
      dataType,
      columnType,
      family,
      nullable,
      unsigned:
        unsigned &&
        (family === 'integer' || family === 'decimal' || family === 'float' || family === 'double'),
      precision,
      scale,
      charset,
      collation,
      members,
    },
    hasExplicitCharset,
    isPrimaryKey,
    isUnique,
  };
}

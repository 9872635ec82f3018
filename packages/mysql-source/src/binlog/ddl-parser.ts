/**
 * DDL statements from Query events: what they change in the schema history, and their kind as
 * Canal classifies it (formats/canal-json section 6: CREATE, ALTER, ERASE, RENAME, TRUNCATE,
 * CINDEX, DINDEX, QUERY; a statement with several clauses takes the kind of its first).
 *
 * A focused parser over `sql-tokens.ts` rather than a general SQL grammar: general parsers
 * (node-sql-parser among them) reject partitioning clauses, PolarDB-X's `dbpartition by …` and
 * its `/*POLARX_ORIGIN_SQL=…*\/` comments, which this one skips. What it cannot follow it reports
 * as unparsed with the table it names, so the stream can re-read that table from the source.
 */
import type { DdlKind } from '@tidewater/change-events';
import { charsetOfCollationName, normalizeCharset } from './charset';
import { parseColumnDefinition, type ColumnDeclaration } from './column-declaration';
import { DdlSyntaxError, TokenCursor, tokenize } from './sql-tokens';

export type ColumnPosition = { first: true } | { after: string } | null;

export type AlterAction =
  | { type: 'add_column'; declaration: ColumnDeclaration; position: ColumnPosition }
  | { type: 'drop_column'; name: string }
  | {
      type: 'change_column';
      name: string;
      declaration: ColumnDeclaration;
      position: ColumnPosition;
    }
  | { type: 'rename_column'; from: string; to: string }
  | { type: 'add_primary_key'; columns: string[] }
  | { type: 'add_unique_key'; name: string | null; columns: string[] }
  | { type: 'drop_primary_key' }
  | { type: 'drop_key'; name: string }
  | { type: 'rename_key'; from: string; to: string }
  | { type: 'rename_table'; database: string | null; table: string }
  | { type: 'convert_charset'; charset: string }
  | { type: 'default_charset'; charset: string };

export type SchemaChange =
  | {
      type: 'create_table';
      database: string;
      table: string;
      columns: ColumnDeclaration[];
      primaryKey: string[];
      uniqueKeys: Array<{ name: string | null; columns: string[] }>;
      defaultCharset: string | null;
      ifNotExists: boolean;
    }
  | {
      type: 'create_table_like';
      database: string;
      table: string;
      sourceDatabase: string;
      sourceTable: string;
    }
  | { type: 'alter_table'; database: string; table: string; actions: AlterAction[] }
  | { type: 'drop_table'; database: string; table: string }
  | { type: 'rename_table'; database: string; table: string; newDatabase: string; newTable: string }
  | { type: 'create_database'; database: string; defaultCharset: string | null }
  | { type: 'alter_database'; database: string; defaultCharset: string | null }
  | { type: 'drop_database'; database: string }
  /** The statement changes this table in a way only the source can tell (CREATE … SELECT). */
  | { type: 'reread_table'; database: string; table: string };

export interface ParsedDdl {
  kind: DdlKind;
  /** The database the statement names or runs in; "" when none. */
  database: string;
  /** The table it affects (the new name for renames); "" for database-level statements. */
  table: string;
  isParsed: boolean;
  /** Why parsing failed, for the warning. */
  parseError: string | null;
  changes: SchemaChange[];
}

/** How a Query event's text is to be treated by the stream. */
export type QueryClass = 'begin' | 'commit' | 'rollback' | 'xa' | 'savepoint' | 'dml' | 'ddl';

const DML_KEYWORDS = new Set([
  'INSERT',
  'UPDATE',
  'DELETE',
  'REPLACE',
  'LOAD',
  'CALL',
  'DO',
  'SELECT',
  'WITH',
]);

/** Transaction control and statement-based DML versus everything else (treated as DDL). */
export function classifyQuery(sql: string): QueryClass {
  // The statements of every transaction, spelled as the server writes them: no tokenizing.
  if (sql === 'BEGIN') return 'begin';
  if (sql === 'COMMIT') return 'commit';
  const cursor = new TokenCursor(tokenize(sql.length > 200 ? sql.slice(0, 200) : sql));
  const first = cursor.next();
  if (!first || first.type !== 'word') return 'ddl';
  switch (first.keyword) {
    case 'BEGIN':
      return 'begin';
    case 'START':
      return cursor.peekWords('TRANSACTION') ? 'begin' : 'ddl';
    case 'COMMIT':
      return 'commit';
    case 'ROLLBACK':
      return cursor.peekWords('TO') ? 'savepoint' : 'rollback';
    case 'XA':
      return 'xa';
    case 'SAVEPOINT':
    case 'RELEASE':
      return 'savepoint';
    default:
      return DML_KEYWORDS.has(first.keyword) ? 'dml' : 'ddl';
  }
}

interface ParseContext {
  defaultDatabase: string;
  isMariadb: boolean;
}

function unparsed(
  kind: DdlKind,
  database: string,
  table: string,
  error: unknown,
  reread: boolean,
): ParsedDdl {
  return {
    kind,
    database,
    table,
    isParsed: false,
    parseError: error instanceof Error ? error.message : String(error),
    changes: reread && table ? [{ type: 'reread_table', database, table }] : [],
  };
}

/** Parses a DDL statement run with `defaultDatabase` as the current database. */
export function parseDdl(
  sql: string,
  defaultDatabase: string,
  options: { isMariadb: boolean },
): ParsedDdl {
  const context: ParseContext = { defaultDatabase, isMariadb: options.isMariadb };
  let cursor: TokenCursor;
  try {
    cursor = new TokenCursor(tokenize(sql));
  } catch (error) {
    return unparsed('QUERY', '', '', error, false);
  }
  if (cursor.acceptAnyWord('CREATE')) {
    cursor.acceptWords('OR', 'REPLACE');
    // Options that may precede TABLE/INDEX/DATABASE.
    while (
      cursor.acceptAnyWord(
        'TEMPORARY',
        'ONLINE',
        'OFFLINE',
        'UNIQUE',
        'FULLTEXT',
        'SPATIAL',
        'GLOBAL',
        'LOCAL',
        'CLUSTERED',
        'PARTITION',
      )
    ) {
      /* consumed */
    }
    const start = cursor.position;
    if (cursor.acceptAnyWord('TABLE')) return parseCreateTable(cursor, context, sql);
    if (cursor.acceptAnyWord('DATABASE', 'SCHEMA'))
      return parseCreateDatabase(cursor, context, 'create');
    if (cursor.acceptAnyWord('INDEX', 'KEY')) {
      cursor.position = start;
      return parseCreateIndex(sql, context);
    }
    return {
      kind: 'QUERY',
      database: '',
      table: '',
      isParsed: true,
      parseError: null,
      changes: [],
    };
  }
  if (cursor.acceptAnyWord('ALTER')) {
    while (cursor.acceptAnyWord('ONLINE', 'OFFLINE', 'IGNORE')) {
      /* consumed */
    }
    if (cursor.acceptAnyWord('TABLE')) return parseAlterTable(cursor, context);
    if (cursor.acceptAnyWord('DATABASE', 'SCHEMA'))
      return parseCreateDatabase(cursor, context, 'alter');
    return {
      kind: 'QUERY',
      database: '',
      table: '',
      isParsed: true,
      parseError: null,
      changes: [],
    };
  }
  if (cursor.acceptAnyWord('DROP')) {
    const isTemporary = cursor.acceptAnyWord('TEMPORARY') !== null;
    if (cursor.acceptAnyWord('TABLE', 'TABLES'))
      return parseDropTable(cursor, context, isTemporary);
    if (cursor.acceptAnyWord('DATABASE', 'SCHEMA')) {
      try {
        cursor.acceptWords('IF', 'EXISTS');
        const database = cursor.identifier();
        return {
          kind: 'QUERY',
          database,
          table: '',
          isParsed: true,
          parseError: null,
          changes: [{ type: 'drop_database', database }],
        };
      } catch (error) {
        return unparsed('QUERY', '', '', error, false);
      }
    }
    cursor.acceptAnyWord('ONLINE', 'OFFLINE');
    if (cursor.acceptAnyWord('INDEX', 'KEY')) return parseDropIndex(cursor, context);
    return {
      kind: 'QUERY',
      database: '',
      table: '',
      isParsed: true,
      parseError: null,
      changes: [],
    };
  }
  if (cursor.acceptAnyWord('RENAME')) {
    if (cursor.acceptAnyWord('TABLE', 'TABLES')) return parseRenameTable(cursor, context);
    return {
      kind: 'QUERY',
      database: '',
      table: '',
      isParsed: true,
      parseError: null,
      changes: [],
    };
  }
  if (cursor.acceptAnyWord('TRUNCATE')) {
    try {
      cursor.acceptAnyWord('TABLE');
      const name = cursor.qualifiedName();
      return {
        kind: 'TRUNCATE',
        database: name.database ?? context.defaultDatabase,
        table: name.name,
        isParsed: true,
        parseError: null,
        changes: [],
      };
    } catch (error) {
      return unparsed('TRUNCATE', context.defaultDatabase, '', error, false);
    }
  }
  return { kind: 'QUERY', database: '', table: '', isParsed: true, parseError: null, changes: [] };
}

function parseCreateDatabase(
  cursor: TokenCursor,
  context: ParseContext,
  mode: 'create' | 'alter',
): ParsedDdl {
  try {
    cursor.acceptWords('IF', 'NOT', 'EXISTS');
    // ALTER DATABASE may omit the name (the current database).
    const database =
      mode === 'alter' &&
      (cursor.peekWords('DEFAULT') ||
        cursor.peekWords('CHARACTER') ||
        cursor.peekWords('CHARSET') ||
        cursor.peekWords('COLLATE'))
        ? context.defaultDatabase
        : cursor.identifier();
    const defaultCharset = readTableOptions(cursor);
    const change: SchemaChange =
      mode === 'create'
        ? { type: 'create_database', database, defaultCharset }
        : { type: 'alter_database', database, defaultCharset };
    return {
      kind: 'QUERY',
      database,
      table: '',
      isParsed: true,
      parseError: null,
      changes: [change],
    };
  } catch (error) {
    return unparsed('QUERY', '', '', error, false);
  }
}

/** Reads table/database options to the end, returning the default charset if one is set. */
function readTableOptions(cursor: TokenCursor): string | null {
  let charset: string | null = null;
  while (!cursor.isAtEnd) {
    // Partitioning (standard and PolarDB-X) ends the options we care about.
    if (
      cursor.peekWords('PARTITION', 'BY') ||
      cursor.peekWords('DBPARTITION') ||
      cursor.peekWords('TBPARTITION')
    )
      break;
    if (
      cursor.acceptWords('DEFAULT', 'CHARACTER', 'SET') ||
      cursor.acceptWords('CHARACTER', 'SET') ||
      cursor.acceptWords('DEFAULT', 'CHARSET') ||
      cursor.acceptAnyWord('CHARSET')
    ) {
      cursor.acceptPunct('=');
      charset = normalizeCharset(cursor.identifier());
    } else if (cursor.acceptWords('DEFAULT', 'COLLATE') || cursor.acceptAnyWord('COLLATE')) {
      cursor.acceptPunct('=');
      const collation = cursor.identifier();
      charset ??= charsetOfCollationName(collation);
    } else if (cursor.peekPunct('(')) {
      cursor.skipGroup();
    } else {
      cursor.next();
    }
  }
  return charset;
}

function parseCreateTable(cursor: TokenCursor, context: ParseContext, sql: string): ParsedDdl {
  let database = context.defaultDatabase;
  let table = '';
  const isTemporary = /^\s*(\/\*.*?\*\/\s*)*create\s+(or\s+replace\s+)?temporary\b/is.test(sql);
  try {
    const ifNotExists = cursor.acceptWords('IF', 'NOT', 'EXISTS');
    const name = cursor.qualifiedName();
    database = name.database ?? context.defaultDatabase;
    table = name.name;
    if (isTemporary) {
      // Temporary tables are session-local; row events never reference them.
      return { kind: 'CREATE', database, table, isParsed: true, parseError: null, changes: [] };
    }
    if (
      cursor.acceptAnyWord('LIKE') ||
      (cursor.peekPunct('(') && cursor.peekWords() && isLikeInParens(cursor))
    ) {
      cursor.acceptPunct('(');
      cursor.acceptAnyWord('LIKE');
      const source = cursor.qualifiedName();
      return {
        kind: 'CREATE',
        database,
        table,
        isParsed: true,
        parseError: null,
        changes: [
          {
            type: 'create_table_like',
            database,
            table,
            sourceDatabase: source.database ?? context.defaultDatabase,
            sourceTable: source.name,
          },
        ],
      };
    }
    const columns: ColumnDeclaration[] = [];
    let primaryKey: string[] = [];
    const uniqueKeys: Array<{ name: string | null; columns: string[] }> = [];
    if (cursor.acceptPunct('(')) {
      do {
        if (cursor.peekPunct(')')) break;
        const key = parseKeyDefinition(cursor);
        if (key) {
          if (key.type === 'add_primary_key') primaryKey = key.columns;
          else if (key.type === 'add_unique_key')
            uniqueKeys.push({ name: key.name, columns: key.columns });
          continue;
        }
        const columnName = cursor.identifier();
        const declaration = parseColumnDefinition(cursor, columnName, {
          isMariadb: context.isMariadb,
        });
        columns.push(declaration);
        if (declaration.isPrimaryKey) primaryKey = [columnName];
        if (declaration.isUnique) uniqueKeys.push({ name: null, columns: [columnName] });
      } while (cursor.acceptPunct(','));
      cursor.expectPunct(')');
    }
    const defaultCharset = readTableOptions(cursor);
    if (columns.length === 0 || /\b(AS\s+)?SELECT\b/i.test(sql.slice(sql.lastIndexOf(')') + 1))) {
      // CREATE TABLE … SELECT (or a form without a column list): only the source knows the result.
      return {
        kind: 'CREATE',
        database,
        table,
        isParsed: true,
        parseError: null,
        changes: [{ type: 'reread_table', database, table }],
      };
    }
    return {
      kind: 'CREATE',
      database,
      table,
      isParsed: true,
      parseError: null,
      changes: [
        {
          type: 'create_table',
          database,
          table,
          columns,
          primaryKey,
          uniqueKeys,
          defaultCharset,
          ifNotExists,
        },
      ],
    };
  } catch (error) {
    return unparsed('CREATE', database, table, error, !isTemporary);
  }
}

function isLikeInParens(cursor: TokenCursor): boolean {
  const next = cursor.peek(1);
  return next?.type === 'word' && next.keyword === 'LIKE';
}

/**
 * An index or constraint clause inside CREATE TABLE or after ALTER TABLE … ADD; null when the
 * clause is a column definition. Only primary and unique keys are kept (what `TableSchema` holds).
 */
function parseKeyDefinition(
  cursor: TokenCursor,
): AlterAction | { type: 'ignored'; isIndex: boolean } | null {
  const start = cursor.position;
  let constraintName: string | null = null;
  if (cursor.acceptAnyWord('CONSTRAINT')) {
    if (
      !cursor.peekWords('PRIMARY') &&
      !cursor.peekWords('UNIQUE') &&
      !cursor.peekWords('FOREIGN') &&
      !cursor.peekWords('CHECK')
    ) {
      constraintName = cursor.identifier();
    }
  }
  if (cursor.acceptWords('PRIMARY', 'KEY')) {
    skipIndexNameAndType(cursor);
    const columns = cursor.nameList();
    cursor.skipToListEnd();
    return { type: 'add_primary_key', columns };
  }
  if (cursor.acceptAnyWord('UNIQUE')) {
    cursor.acceptAnyWord('KEY', 'INDEX');
    const name = skipIndexNameAndType(cursor) ?? constraintName;
    const columns = cursor.nameList();
    cursor.skipToListEnd();
    return { type: 'add_unique_key', name, columns };
  }
  if (
    cursor.peekWords('FOREIGN', 'KEY') ||
    cursor.peekWords('CHECK') ||
    cursor.peekWords('PERIOD', 'FOR')
  ) {
    cursor.skipToListEnd();
    return { type: 'ignored', isIndex: false };
  }
  if (
    (cursor.peekWords('FULLTEXT') ||
      cursor.peekWords('SPATIAL') ||
      cursor.peekWords('INDEX') ||
      cursor.peekWords('KEY')) &&
    !isColumnNamed(cursor)
  ) {
    cursor.skipToListEnd();
    return { type: 'ignored', isIndex: true };
  }
  if (constraintName !== null) {
    cursor.skipToListEnd();
    return { type: 'ignored', isIndex: false };
  }
  cursor.position = start;
  return null;
}

/** `KEY`/`INDEX` as a column name (`key INT`) rather than an index clause. */
function isColumnNamed(cursor: TokenCursor): boolean {
  const next = cursor.peek(1);
  if (!next) return false;
  if (next.type === 'punct') return false;
  const after = cursor.peek(2);
  // `INDEX name (…)` / `KEY name USING …` are clauses; `key int …` is a column.
  return (
    next.type === 'word' &&
    after?.type === 'word' &&
    !['USING', 'TYPE'].includes(after.keyword) &&
    [
      'INT',
      'INTEGER',
      'VARCHAR',
      'CHAR',
      'TEXT',
      'BIGINT',
      'TINYINT',
      'SMALLINT',
      'DATETIME',
      'DATE',
    ].includes(next.keyword)
  );
}

/** Skips `[name] [USING BTREE|HASH]` before a key's column list; returns the name. */
function skipIndexNameAndType(cursor: TokenCursor): string | null {
  let name: string | null = null;
  if (!cursor.peekPunct('(') && !cursor.peekWords('USING')) name = cursor.identifier();
  if (cursor.acceptAnyWord('USING', 'TYPE')) cursor.next();
  return name;
}

function parseAlterTable(cursor: TokenCursor, context: ParseContext): ParsedDdl {
  let database = context.defaultDatabase;
  let table = '';
  let kind: DdlKind = 'ALTER';
  try {
    cursor.acceptWords('IF', 'EXISTS');
    const name = cursor.qualifiedName();
    database = name.database ?? context.defaultDatabase;
    table = name.name;
    const actions: AlterAction[] = [];
    let isFirst = true;
    let renamedTo: { database: string; table: string } | null = null;
    while (!cursor.isAtEnd) {
      if (
        cursor.peekWords('PARTITION', 'BY') ||
        cursor.peekWords('DBPARTITION') ||
        cursor.peekWords('TBPARTITION') ||
        cursor.peekWords('REMOVE', 'PARTITIONING')
      )
        break;
      const parsed = parseAlterAction(cursor, context);
      if (isFirst) kind = parsed.actionKind;
      isFirst = false;
      for (const action of parsed.actions) {
        actions.push(action);
        if (action.type === 'rename_table')
          renamedTo = { database: action.database ?? database, table: action.table };
      }
      if (!cursor.acceptPunct(',')) break;
    }
    if (
      !cursor.isAtEnd &&
      !cursor.peekWords('PARTITION') &&
      !cursor.peekWords('DBPARTITION') &&
      !cursor.peekWords('TBPARTITION') &&
      !cursor.peekWords('REMOVE')
    ) {
      throw new DdlSyntaxError('unexpected text after the alter clauses', cursor.peek());
    }
    return {
      kind,
      database: renamedTo?.database ?? database,
      table: renamedTo?.table ?? table,
      isParsed: true,
      parseError: null,
      changes: [{ type: 'alter_table', database, table, actions }],
    };
  } catch (error) {
    return unparsed(kind, database, table, error, true);
  }
}

function parsePosition(cursor: TokenCursor): ColumnPosition {
  if (cursor.acceptAnyWord('FIRST')) return { first: true };
  if (cursor.acceptAnyWord('AFTER')) return { after: cursor.identifier() };
  return null;
}

function parseAlterAction(
  cursor: TokenCursor,
  context: ParseContext,
): { actions: AlterAction[]; actionKind: DdlKind } {
  const declarationOptions = { isMariadb: context.isMariadb, stopAtPosition: true };
  if (cursor.acceptAnyWord('ADD')) {
    const key = parseKeyDefinition(cursor);
    if (key) {
      if (key.type === 'ignored')
        return { actions: [], actionKind: key.isIndex ? 'CINDEX' : 'ALTER' };
      return { actions: [key], actionKind: 'CINDEX' };
    }
    if (cursor.peekWords('PARTITION')) {
      cursor.skipToListEnd();
      return { actions: [], actionKind: 'ALTER' };
    }
    cursor.acceptAnyWord('COLUMN');
    cursor.acceptWords('IF', 'NOT', 'EXISTS');
    if (cursor.acceptPunct('(')) {
      // ADD [COLUMN] (a INT, b INT): several columns, appended in order.
      const columns: AlterAction[] = [];
      do {
        const name = cursor.identifier();
        columns.push({
          type: 'add_column',
          declaration: parseColumnDefinition(cursor, name, declarationOptions),
          position: null,
        });
      } while (cursor.acceptPunct(','));
      cursor.expectPunct(')');
      return { actions: columns, actionKind: 'ALTER' };
    }
    const name = cursor.identifier();
    const declaration = parseColumnDefinition(cursor, name, declarationOptions);
    return {
      actions: [{ type: 'add_column', declaration, position: parsePosition(cursor) }],
      actionKind: 'ALTER',
    };
  }
  if (cursor.acceptAnyWord('DROP')) {
    if (cursor.acceptWords('PRIMARY', 'KEY'))
      return { actions: [{ type: 'drop_primary_key' }], actionKind: 'DINDEX' };
    if (cursor.acceptAnyWord('INDEX', 'KEY')) {
      cursor.acceptWords('IF', 'EXISTS');
      const name = cursor.identifier();
      return {
        actions: [
          name.toUpperCase() === 'PRIMARY'
            ? { type: 'drop_primary_key' }
            : { type: 'drop_key', name },
        ],
        actionKind: 'DINDEX',
      };
    }
    if (cursor.acceptWords('FOREIGN', 'KEY')) {
      cursor.acceptWords('IF', 'EXISTS');
      cursor.identifier();
      return { actions: [], actionKind: 'DINDEX' };
    }
    if (cursor.acceptAnyWord('CONSTRAINT')) {
      cursor.acceptWords('IF', 'EXISTS');
      const name = cursor.identifier();
      return { actions: [{ type: 'drop_key', name }], actionKind: 'DINDEX' };
    }
    if (cursor.acceptAnyWord('CHECK', 'PARTITION', 'PERIOD', 'SYSTEM')) {
      cursor.skipToListEnd();
      return { actions: [], actionKind: 'ALTER' };
    }
    cursor.acceptAnyWord('COLUMN');
    cursor.acceptWords('IF', 'EXISTS');
    const name = cursor.identifier();
    cursor.acceptAnyWord('RESTRICT', 'CASCADE');
    return { actions: [{ type: 'drop_column', name }], actionKind: 'ALTER' };
  }
  if (cursor.acceptAnyWord('MODIFY')) {
    cursor.acceptAnyWord('COLUMN');
    cursor.acceptWords('IF', 'EXISTS');
    const name = cursor.identifier();
    const declaration = parseColumnDefinition(cursor, name, declarationOptions);
    return {
      actions: [{ type: 'change_column', name, declaration, position: parsePosition(cursor) }],
      actionKind: 'ALTER',
    };
  }
  if (cursor.acceptAnyWord('CHANGE')) {
    cursor.acceptAnyWord('COLUMN');
    cursor.acceptWords('IF', 'EXISTS');
    const name = cursor.identifier();
    const newName = cursor.identifier();
    const declaration = parseColumnDefinition(cursor, newName, declarationOptions);
    return {
      actions: [{ type: 'change_column', name, declaration, position: parsePosition(cursor) }],
      actionKind: 'ALTER',
    };
  }
  if (cursor.acceptAnyWord('RENAME')) {
    if (cursor.acceptAnyWord('COLUMN')) {
      cursor.acceptWords('IF', 'EXISTS');
      const from = cursor.identifier();
      cursor.acceptAnyWord('TO');
      return {
        actions: [{ type: 'rename_column', from, to: cursor.identifier() }],
        actionKind: 'ALTER',
      };
    }
    if (cursor.acceptAnyWord('INDEX', 'KEY')) {
      const from = cursor.identifier();
      cursor.acceptAnyWord('TO');
      return {
        actions: [{ type: 'rename_key', from, to: cursor.identifier() }],
        actionKind: 'ALTER',
      };
    }
    cursor.acceptAnyWord('TO', 'AS');
    const name = cursor.qualifiedName();
    return {
      actions: [{ type: 'rename_table', database: name.database, table: name.name }],
      actionKind: 'RENAME',
    };
  }
  if (cursor.acceptWords('CONVERT', 'TO')) {
    if (!cursor.acceptWords('CHARACTER', 'SET')) cursor.acceptAnyWord('CHARSET');
    const charset = normalizeCharset(cursor.identifier());
    cursor.skipToListEnd();
    return { actions: [{ type: 'convert_charset', charset }], actionKind: 'ALTER' };
  }
  if (
    cursor.peekWords('DEFAULT') ||
    cursor.peekWords('CHARACTER') ||
    cursor.peekWords('CHARSET') ||
    cursor.peekWords('COLLATE')
  ) {
    cursor.acceptAnyWord('DEFAULT');
    let charset: string | null = null;
    if (cursor.acceptWords('CHARACTER', 'SET') || cursor.acceptAnyWord('CHARSET')) {
      cursor.acceptPunct('=');
      charset = normalizeCharset(cursor.identifier());
    }
    if (cursor.acceptAnyWord('COLLATE')) {
      cursor.acceptPunct('=');
      const collation = cursor.identifier();
      charset ??= charsetOfCollationName(collation);
    }
    cursor.skipToListEnd();
    return { actions: charset ? [{ type: 'default_charset', charset }] : [], actionKind: 'ALTER' };
  }
  // ALTER [COLUMN] c SET/DROP DEFAULT, ENGINE=, ALGORITHM=, LOCK=, FORCE, ORDER BY, partition
  // maintenance, table options: nothing a row image depends on.
  const token = cursor.peek();
  const known = [
    'ALTER',
    'ENGINE',
    'ALGORITHM',
    'LOCK',
    'FORCE',
    'ORDER',
    'AUTO_INCREMENT',
    'COMMENT',
    'ROW_FORMAT',
    'KEY_BLOCK_SIZE',
    'ENABLE',
    'DISABLE',
    'DISCARD',
    'IMPORT',
    'TRUNCATE',
    'COALESCE',
    'REORGANIZE',
    'EXCHANGE',
    'ANALYZE',
    'CHECK',
    'OPTIMIZE',
    'REBUILD',
    'REPAIR',
    'STATS_PERSISTENT',
    'STATS_AUTO_RECALC',
    'STATS_SAMPLE_PAGES',
    'PACK_KEYS',
    'CHECKSUM',
    'MAX_ROWS',
    'MIN_ROWS',
    'AVG_ROW_LENGTH',
    'DELAY_KEY_WRITE',
    'INSERT_METHOD',
    'ENCRYPTION',
    'PAGE_CHECKSUM',
    'TRANSACTIONAL',
    'WITH',
    'WITHOUT',
    'VALIDATION',
    'SECONDARY_ENGINE',
    'TABLESPACE',
    'STORAGE',
    'UNION',
    'COMPRESSION',
    'INDEX',
    'CONNECTION',
    'DATA',
    'PAGE_COMPRESSED',
    'PAGE_COMPRESSION_LEVEL',
    'IETF_QUOTES',
    'SEQUENCE',
    'LOCALITY',
    'BROADCAST',
    'SINGLE',
  ];
  if (token?.type === 'word' && known.includes(token.keyword)) {
    cursor.skipToListEnd();
    return { actions: [], actionKind: 'ALTER' };
  }
  throw new DdlSyntaxError('unknown ALTER TABLE clause', token);
}

function parseDropTable(
  cursor: TokenCursor,
  context: ParseContext,
  isTemporary: boolean,
): ParsedDdl {
  try {
    cursor.acceptWords('IF', 'EXISTS');
    const names: Array<{ database: string; table: string }> = [];
    do {
      const name = cursor.qualifiedName();
      names.push({ database: name.database ?? context.defaultDatabase, table: name.name });
    } while (cursor.acceptPunct(','));
    const first = names[0]!;
    return {
      kind: 'ERASE',
      database: first.database,
      table: first.table,
      isParsed: true,
      parseError: null,
      changes: isTemporary ? [] : names.map((name) => ({ type: 'drop_table', ...name })),
    };
  } catch (error) {
    return unparsed('ERASE', context.defaultDatabase, '', error, false);
  }
}

function parseRenameTable(cursor: TokenCursor, context: ParseContext): ParsedDdl {
  try {
    const changes: SchemaChange[] = [];
    do {
      const from = cursor.qualifiedName();
      if (!cursor.acceptAnyWord('TO')) throw new DdlSyntaxError('expected TO', cursor.peek());
      const to = cursor.qualifiedName();
      changes.push({
        type: 'rename_table',
        database: from.database ?? context.defaultDatabase,
        table: from.name,
        newDatabase: to.database ?? context.defaultDatabase,
        newTable: to.name,
      });
    } while (cursor.acceptPunct(','));
    const first = changes[0] as Extract<SchemaChange, { type: 'rename_table' }>;
    return {
      kind: 'RENAME',
      database: first.newDatabase,
      table: first.newTable,
      isParsed: true,
      parseError: null,
      changes,
    };
  } catch (error) {
    return unparsed('RENAME', context.defaultDatabase, '', error, false);
  }
}

function parseCreateIndex(sql: string, context: ParseContext): ParsedDdl {
  const cursor = new TokenCursor(tokenize(sql));
  let database = context.defaultDatabase;
  let table = '';
  try {
    cursor.acceptAnyWord('CREATE');
    cursor.acceptWords('OR', 'REPLACE');
    let isUnique = false;
    for (;;) {
      const option = cursor.acceptAnyWord('ONLINE', 'OFFLINE', 'UNIQUE', 'FULLTEXT', 'SPATIAL');
      if (!option) break;
      if (option === 'UNIQUE') isUnique = true;
    }
    cursor.acceptAnyWord('INDEX', 'KEY');
    cursor.acceptWords('IF', 'NOT', 'EXISTS');
    const name = cursor.identifier();
    if (cursor.acceptAnyWord('USING', 'TYPE')) cursor.next();
    if (!cursor.acceptAnyWord('ON')) throw new DdlSyntaxError('expected ON', cursor.peek());
    const target = cursor.qualifiedName();
    database = target.database ?? context.defaultDatabase;
    table = target.name;
    const columns = cursor.nameList();
    const actions: AlterAction[] = isUnique ? [{ type: 'add_unique_key', name, columns }] : [];
    return {
      kind: 'CINDEX',
      database,
      table,
      isParsed: true,
      parseError: null,
      changes: [{ type: 'alter_table', database, table, actions }],
    };
  } catch (error) {
    return unparsed('CINDEX', database, table, error, table !== '');
  }
}

function parseDropIndex(cursor: TokenCursor, context: ParseContext): ParsedDdl {
  let database = context.defaultDatabase;
  let table = '';
  try {
    cursor.acceptWords('IF', 'EXISTS');
    const name = cursor.identifier();
    if (!cursor.acceptAnyWord('ON')) throw new DdlSyntaxError('expected ON', cursor.peek());
    const target = cursor.qualifiedName();
    database = target.database ?? context.defaultDatabase;
    table = target.name;
    const action: AlterAction =
      name.toUpperCase() === 'PRIMARY' ? { type: 'drop_primary_key' } : { type: 'drop_key', name };
    return {
      kind: 'DINDEX',
      database,
      table,
      isParsed: true,
      parseError: null,
      changes: [{ type: 'alter_table', database, table, actions: [action] }],
    };
  } catch (error) {
    return unparsed('DINDEX', database, table, error, table !== '');
  }
}

/**
 * Identifier quoting for every statement the source builds. Names come from the operator and
 * from the source's catalogue; they may hold unicode, reserved words, backticks, spaces and
 * mixed case, so every database, table and column name is quoted, never interpolated bare.
 */

import { TidewaterError } from '@tidewater/errors';

/**
 * Quotes a name as a MySQL identifier: wrapped in backticks, each backtick doubled. Works the
 * same under `ANSI_QUOTES` and in MySQL, MariaDB and PolarDB-X.
 */
export function quoteIdentifier(name: string): string {
  if (name.length === 0) {
    throw new TidewaterError(
      'SOURCE_INVALID_IDENTIFIER',
      'An empty name cannot be an identifier.',
      {
        category: 'invalid_input',
        remedy: 'Choose a database, table or column with a non-empty name.',
      },
    );
  }
  if (name.includes('\u0000')) {
    throw new TidewaterError(
      'SOURCE_INVALID_IDENTIFIER',
      'A name with a NUL character cannot be an identifier.',
      { category: 'invalid_input', remedy: 'Remove the NUL character from the name.' },
    );
  }
  return '`' + name.replaceAll('`', '``') + '`';
}

/** `db`.`table`, both quoted. */
export function quoteTableName(database: string, table: string): string {
  return `${quoteIdentifier(database)}.${quoteIdentifier(table)}`;
}

/**
 * The binlog the Canal conformance suite reads: tables that exist before the start (the type
 * matrix, a table the DDL reshapes, a marker), then a scenario of multi-row INSERT/UPDATE/
 * DELETE over the type matrix, partial-column updates, primary-key changes, DDL of every kind
 * Canal names (CREATE, ALTER, RENAME, TRUNCATE, CINDEX, DINDEX, ERASE), tables created during
 * the run, and a binlog rotation in the middle.
 */
import type mysql from 'mysql2/promise';
import {
  columnNames,
  createTableSql,
  insertRowsSql,
  rotateRowsSql,
  typeTables,
  withSqlMode,
  type TypeTable,
} from './type-matrix';

const quote = (name: string) => `\`${name}\``;

/** Before the start: every table of the matrix with one row (id 1000), `kv`, `marker`. */
export async function createStartingTables(session: mysql.Connection): Promise<void> {
  for (const table of typeTables) {
    await session.query(createTableSql(table));
    await withSqlMode(session, table, async () => {
      await session.query(insertRowsSql(table, 1000, table.rows.slice(0, 1)));
    });
  }
  await session.query(
    `CREATE TABLE kv (id INT PRIMARY KEY, name VARCHAR(32) NOT NULL, qty INT, note TEXT) DEFAULT CHARSET=utf8mb4`,
  );
  await session.query(
    `INSERT INTO kv VALUES (1, 'one', 1, 'n1'), (2, 'two', 2, NULL), (3, 'three', 3, 'n3'), (4, 'four', 4, 'n4')`,
  );
  await session.query('CREATE TABLE marker (id INT PRIMARY KEY)');
}

async function typeMatrixChanges(session: mysql.Connection, table: TypeTable): Promise<void> {
  const name = quote(table.table);
  const columns = columnNames(table).map(quote);
  await withSqlMode(session, table, async () => {
    // Multi-row insert of every edge row, then a multi-row update of every column.
    await session.query(insertRowsSql(table, 1));
    await session.query(rotateRowsSql(table));
    // Partial-column updates: one column of the row that existed before the start, then one
    // column of several rows.
    await session.query(`UPDATE ${name} SET ${columns[0]} = NULL WHERE id = 1000`);
    await session.query(
      `UPDATE ${name} SET ${columns[columns.length - 1]} = NULL WHERE id IN (1, 2, 3) AND ${columns[columns.length - 1]} IS NOT NULL`,
    );
    // A primary-key change.
    await session.query(`UPDATE ${name} SET id = id + 100 WHERE id = 1`);
    // A multi-row delete, and the row from before the start.
    await session.query(`DELETE FROM ${name} WHERE id IN (2, 3)`);
    await session.query(`DELETE FROM ${name} WHERE id = 1000`);
  });
}

/** The scenario, in one session whose default database is the test's. */
export async function runScenario(session: mysql.Connection): Promise<void> {
  for (const table of typeTables) await typeMatrixChanges(session, table);

  // One transaction over two tables.
  await session.query('BEGIN');
  await session.query("INSERT INTO kv VALUES (10, 'ten', 10, NULL)");
  await session.query('UPDATE integers SET ti = 5 WHERE id = 101');
  await session.query('COMMIT');

  await session.query('FLUSH BINARY LOGS');

  // Rows that change different columns in one UPDATE event.
  await session.query(
    `UPDATE kv SET name = CASE id WHEN 1 THEN 'one*' ELSE name END,
                   qty = CASE id WHEN 2 THEN qty + 10 ELSE qty END WHERE id IN (1, 2)`,
  );
  await session.query('UPDATE kv SET id = 40 WHERE id = 4');
  await session.query('ALTER TABLE kv ADD COLUMN extra VARCHAR(16) NULL AFTER name');
  await session.query(
    "INSERT INTO kv (id, name, extra, qty, note) VALUES (5, 'five', 'x', 5, NULL), (6, 'six', NULL, 6, 'n')",
  );
  await session.query('ALTER TABLE kv MODIFY COLUMN qty BIGINT UNSIGNED NOT NULL DEFAULT 0');
  await session.query('UPDATE kv SET qty = 18446744073709551615 WHERE id = 5');
  await session.query('ALTER TABLE kv DROP COLUMN note');
  await session.query("UPDATE kv SET extra = CONCAT('y', id) WHERE id IN (1, 5)");
  await session.query('CREATE INDEX kv_name ON kv (name)');
  await session.query('ALTER TABLE kv ADD UNIQUE KEY kv_extra (extra)');
  await session.query('DROP INDEX kv_name ON kv');
  await session.query('RENAME TABLE kv TO kv_renamed');
  await session.query("INSERT INTO kv_renamed (id, name, extra, qty) VALUES (7, 'seven', 'z', 7)");
  await session.query('ALTER TABLE kv_renamed RENAME TO kv_again');
  await session.query('DELETE FROM kv_again WHERE id = 7');
  await session.query('TRUNCATE TABLE kv_again');
  await session.query("INSERT INTO kv_again (id, name, qty) VALUES (8, 'eight', 8)");
  await session.query('DROP TABLE kv_again');

  // Tables created during the run.
  await session.query(
    `CREATE TABLE created_during (
       id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY, name VARCHAR(32) NOT NULL,
       price DECIMAL(10,2), raw BINARY(4), body BLOB, note TEXT CHARACTER SET utf8mb4,
       at DATETIME(3), flag TINYINT(1), kind ENUM('a','b'), doc JSON, u INT UNSIGNED,
       l VARCHAR(8) CHARACTER SET latin1)`,
  );
  await session.query(
    `INSERT INTO created_during (name, price, raw, body, note, at, flag, kind, doc, u, l) VALUES
       ('a', 5.00, 'ab', x'00ff', 'n', '2024-01-01 00:00:00.5', 1, 'a', '{"k": 1}', 4294967295, 'é'),
       ('b', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)`,
  );
  await session.query("UPDATE created_during SET price = 1.5, name = 'A' WHERE id = 1");
  await session.query('DELETE FROM created_during WHERE id = 2');
  await session.query('CREATE TABLE like_integers LIKE integers');
  await session.query('INSERT INTO like_integers SELECT * FROM integers');
  await session.query('ALTER TABLE like_integers ADD COLUMN added DECIMAL(6,3) DEFAULT 1.000');
  await session.query('INSERT INTO like_integers (id, added) VALUES (500, 2.5)');
  await session.query('CREATE TABLE created_select AS SELECT id, d2 FROM decimals');
  await session.query('DROP TABLE created_select');
}

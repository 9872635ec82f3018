import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';

/** The local source MariaDB for the browser tests: private databases, writes, reads. */

export const SOURCE_ROOT = {
  host: '127.0.0.1',
  port: Number(process.env.TIDEWATER_SOURCE_PORT ?? 3307),
  user: 'root',
  password: '',
};

export async function sourceConnection(database?: string): Promise<mysql.Connection> {
  return mysql.createConnection({
    ...SOURCE_ROOT,
    ...(database ? { database } : {}),
    supportBigNumbers: true,
    bigNumberStrings: true,
    dateStrings: true,
  });
}

/** A private database with an `events` table of `rows` rows (id, qty, note). */
export async function createEventsDatabase(rows: number): Promise<string> {
  const database = `tw_e2e_${randomBytes(4).toString('hex')}`;
  const connection = await sourceConnection();
  try {
    await connection.query(`CREATE DATABASE \`${database}\``);
    await connection.query(
      `CREATE TABLE \`${database}\`.events (id INT PRIMARY KEY, qty INT NOT NULL, note VARCHAR(64) NULL)`,
    );
    const values = Array.from({ length: rows }, (_, index) => [
      index + 1,
      index % 10,
      `row ${index + 1}`,
    ]);
    await connection.query(`INSERT INTO \`${database}\`.events (id, qty, note) VALUES ?`, [values]);
  } finally {
    await connection.end();
  }
  return database;
}

export async function dropDatabase(database: string): Promise<void> {
  const connection = await sourceConnection();
  try {
    await connection.query(`DROP DATABASE IF EXISTS \`${database}\``);
  } finally {
    await connection.end();
  }
}

/** A table's rows as text by `id`, the way the folded topic holds them. */
export async function readRows(
  database: string,
  table: string,
): Promise<Map<string, Record<string, string | null>>> {
  const connection = await sourceConnection(database);
  try {
    const [rows] = await connection.query<mysql.RowDataPacket[]>(
      `SELECT * FROM \`${table}\` ORDER BY id`,
    );
    return new Map(
      rows.map((row) => [
        String(row.id),
        Object.fromEntries(
          Object.entries(row).map(([key, value]) => [key, value === null ? null : String(value)]),
        ),
      ]),
    );
  } finally {
    await connection.end();
  }
}

export async function countRows(database: string, table: string): Promise<number> {
  const connection = await sourceConnection(database);
  try {
    const [rows] = await connection.query<mysql.RowDataPacket[]>(
      `SELECT COUNT(*) AS n FROM \`${table}\``,
    );
    return Number(rows[0]?.n);
  } finally {
    await connection.end();
  }
}

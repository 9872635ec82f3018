import mysql from 'mysql2/promise';

import { stackEndpoints } from './endpoints';
import type { StackEndpoints } from './endpoints';

/**
 * The quickstart's source database `demo_shop`: a few tables covering what a first task shows
 * (DECIMAL money, DATETIME(3) timestamps, a foreign key, a table without a primary key).
 * Idempotent: tables are created if missing and rows inserted by key, so seeding twice
 * changes nothing and writes nothing to the binlog the second time.
 */

const tables = [
  `CREATE TABLE IF NOT EXISTS customers (
    id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    email VARCHAR(191) NOT NULL UNIQUE,
    full_name VARCHAR(120) NOT NULL,
    country CHAR(2) NOT NULL,
    created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
  ) ENGINE=InnoDB`,
  `CREATE TABLE IF NOT EXISTS products (
    id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    sku VARCHAR(32) NOT NULL UNIQUE,
    name VARCHAR(200) NOT NULL,
    price DECIMAL(10,2) NOT NULL,
    attributes JSON NULL
  ) ENGINE=InnoDB`,
  `CREATE TABLE IF NOT EXISTS orders (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    customer_id INT UNSIGNED NOT NULL,
    status ENUM('pending','paid','shipped','cancelled') NOT NULL DEFAULT 'pending',
    total DECIMAL(12,2) NOT NULL,
    ordered_at DATETIME(3) NOT NULL,
    note TEXT NULL,
    CONSTRAINT orders_customer FOREIGN KEY (customer_id) REFERENCES customers (id)
  ) ENGINE=InnoDB`,
  // No primary key on purpose: the precheck warns about it and updates carry the full row.
  `CREATE TABLE IF NOT EXISTS page_views (
    customer_id INT UNSIGNED NULL,
    path VARCHAR(255) NOT NULL,
    viewed_at DATETIME(3) NOT NULL
  ) ENGINE=InnoDB`,
];

const customers: [number, string, string, string, string][] = [
  [1, 'ada@example.com', 'Ada Lovelace', 'GB', '2024-01-05 09:15:00.123'],
  [2, 'grace@example.com', 'Grace Hopper', 'US', '2024-01-06 10:00:00.000'],
  [3, 'linus@example.com', 'Linus Torvalds', 'FI', '2024-02-11 17:45:30.500'],
  [4, 'margaret@example.com', 'Margaret Hamilton', 'US', '2024-03-01 08:00:00.001'],
  [5, 'chen@example.com', '陈思', 'CN', '2024-03-15 12:30:45.999'],
];

const products: [number, string, string, string, string | null][] = [
  [1, 'TW-MUG', 'Tidewater mug', '12.50', '{"color":"blue","ml":350}'],
  [2, 'TW-TEE', 'Tidewater T-shirt', '24.00', '{"sizes":["S","M","L"]}'],
  [3, 'TW-STICKER', 'Sticker pack', '3.99', null],
  [4, 'TW-HOODIE', 'Hoodie', '59.90', '{"sizes":["M","L","XL"]}'],
];

const orders: [number, number, string, string, string, string | null][] = [
  [1, 1, 'paid', '37.00', '2024-04-01 10:00:00.250', null],
  [2, 2, 'shipped', '59.90', '2024-04-02 11:30:00.000', 'gift wrap'],
  [3, 3, 'pending', '3.99', '2024-04-03 08:15:12.345', null],
  [4, 1, 'cancelled', '12.50', '2024-04-04 19:20:00.999', 'customer changed mind'],
  [5, 5, 'paid', '83.90', '2024-04-05 23:59:59.999', null],
  [6, 4, 'paid', '24.00', '2024-04-06 06:00:00.000', null],
];

const pageViews: [number | null, string, string][] = [
  [1, '/products/TW-MUG', '2024-04-01 09:58:00.000'],
  [1, '/checkout', '2024-04-01 09:59:30.500'],
  [null, '/', '2024-04-01 12:00:00.000'],
  [null, '/', '2024-04-01 12:00:00.000'],
  [3, '/products/TW-STICKER', '2024-04-03 08:14:00.000'],
];

/** Creates and fills `demo_shop` on the source MariaDB; safe to call any number of times. */
export async function seedDemoSource(endpoints: StackEndpoints = stackEndpoints): Promise<void> {
  const { mariadb } = endpoints;
  const connection = await mysql.createConnection({
    host: mariadb.host,
    port: mariadb.port,
    user: mariadb.rootUser,
    password: mariadb.rootPassword,
    charset: 'utf8mb4',
  });
  try {
    // MariaDB logs CREATE DATABASE IF NOT EXISTS even when the database exists; ask first so a
    // repeated `up` leaves the binlog alone.
    const [schemas] = await connection.query<mysql.RowDataPacket[]>(
      'SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?',
      [mariadb.demoDatabase],
    );
    if (schemas.length === 0) {
      await connection.query(
        `CREATE DATABASE IF NOT EXISTS \`${mariadb.demoDatabase}\` CHARACTER SET utf8mb4`,
      );
    }
    await connection.changeUser({ database: mariadb.demoDatabase });
    for (const statement of tables) await connection.query(statement);
    // INSERT IGNORE by primary key: rows already there are left alone (and not re-logged).
    await connection.query(
      'INSERT IGNORE INTO customers (id, email, full_name, country, created_at) VALUES ?',
      [customers],
    );
    await connection.query(
      'INSERT IGNORE INTO products (id, sku, name, price, attributes) VALUES ?',
      [products],
    );
    await connection.query(
      'INSERT IGNORE INTO orders (id, customer_id, status, total, ordered_at, note) VALUES ?',
      [orders],
    );
    // Without a key there is nothing to ignore on: fill only an empty table.
    const [counted] = await connection.query<mysql.RowDataPacket[]>(
      'SELECT COUNT(*) AS n FROM page_views',
    );
    if (Number(counted[0]?.n) === 0) {
      await connection.query('INSERT INTO page_views (customer_id, path, viewed_at) VALUES ?', [
        pageViews,
      ]);
    }
  } finally {
    await connection.end();
  }
}

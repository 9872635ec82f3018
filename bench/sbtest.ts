import mysqlPromise from 'mysql2/promise';
import type { StackEndpoints } from '@tidewater/stack';

/** The sysbench-shaped table the floors, source and end-to-end sections read. */
export const benchDatabase = 'bench';
export const scanTable = 'sbtest1';
export const scanRows = 1_000_000;

/** Creates `bench.sbtest1` (sysbench's shape) with a million rows, unless it is already there. */
export async function ensureScanTable(
  endpoints: StackEndpoints,
  log: (message: string) => void,
): Promise<void> {
  const { mariadb } = endpoints;
  const connection = await mysqlPromise.createConnection({
    host: mariadb.host,
    port: mariadb.port,
    user: mariadb.rootUser,
    password: mariadb.rootPassword,
  });
  try {
    // The bench table is setup, not a change to capture: keep it all out of the binlog.
    await connection.query('SET SESSION sql_log_bin = 0');
    await connection.query(`CREATE DATABASE IF NOT EXISTS ${benchDatabase}`);
    const [existing] = await connection.query<mysqlPromise.RowDataPacket[]>(
      'SELECT COUNT(*) AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?',
      [benchDatabase, scanTable],
    );
    if (Number(existing[0]?.n) === 1) {
      const [counted] = await connection.query<mysqlPromise.RowDataPacket[]>(
        `SELECT COUNT(*) AS n FROM ${benchDatabase}.${scanTable}`,
      );
      if (Number(counted[0]?.n) === scanRows) return;
      log(`${benchDatabase}.${scanTable} has ${counted[0]?.n} rows, not ${scanRows}: recreating`);
    }
    log(`filling ${benchDatabase}.${scanTable} with ${scanRows.toLocaleString('en-US')} rows`);
    const started = Date.now();
    await connection.query(`DROP TABLE IF EXISTS ${benchDatabase}.${scanTable}`);
    await connection.query(`CREATE TABLE ${benchDatabase}.${scanTable} (
      id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
      k INT NOT NULL DEFAULT 0,
      c CHAR(120) NOT NULL DEFAULT '',
      pad CHAR(60) NOT NULL DEFAULT '',
      KEY k_1 (k)
    ) ENGINE=InnoDB`);
    // MariaDB's SEQUENCE engine supplies the numbers; MD5 makes sysbench-like filler text.
    await connection.query(`INSERT INTO ${benchDatabase}.${scanTable} (id, k, c, pad)
      SELECT seq, FLOOR(1 + RAND(seq) * ${scanRows}),
             LEFT(REPEAT(MD5(seq), 4), 119), LEFT(REPEAT(MD5(-seq), 2), 59)
      FROM mysql.seq_1_to_${scanRows}`);
    log(`filled in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } finally {
    await connection.end();
  }
}

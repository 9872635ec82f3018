/**
 * Snapshot read speed: rows per second of `readSnapshot` over a sysbench-shaped table
 * (id INT PK, k INT, c CHAR(120), pad CHAR(60)) of a million rows, next to the raw floor of the
 * same machine (mysql2 streaming `SELECT *` into nothing). Median of several runs.
 *
 *   npx tsx packages/mysql-source/bench/snapshot-bench.ts [--runs 5] [--chunk-size 8192]
 *     [--concurrency 1] [--rows 1000000] [--watermarks]
 *
 * `--watermarks` runs the lock-free design: binlog positions around every chunk and the
 * binlog stream reconciling each window (on an idle table the windows are empty).
 *
 * Source: TIDEWATER_BENCH_SOURCE_URL (default mysql://root@127.0.0.1:3307). The table is
 * `bench.sbtest1`, created and filled (MariaDB's SEQUENCE engine) when missing, outside the
 * binlog. Prints a table on stderr and the figures as JSON on stdout.
 */

import mysql from 'mysql2';
import mysqlPromise from 'mysql2/promise';
import { parseArgs } from 'node:util';
import { connectSource, parseSourceUrl, type SourceConnectionOptions } from '../src/connect';
import { readSnapshot } from '../src/snapshot';
import { binlogWatermarks } from '../src/snapshot-binlog';

export interface SnapshotBenchOptions {
  source: SourceConnectionOptions;
  runs: number;
  rows: number;
  chunkSize: number;
  concurrency: number;
  /** Read with binlog watermarks (the lock-free design) rather than plain chunks. */
  watermarks: boolean;
  log(message: string): void;
}

export interface SnapshotBenchResult {
  rows: number;
  chunkSize: number;
  concurrency: number;
  watermarks: boolean;
  /** Rows per second of readSnapshot, one per run. */
  snapshotRowsPerSecond: number[];
  /** Rows per second of a bare mysql2 stream of the same table, one per run. */
  floorRowsPerSecond: number[];
  /** Highest resident set size seen during the snapshot runs, bytes. */
  peakRssBytes: number;
}

const DATABASE = 'bench';
const TABLE = 'sbtest1';

export async function runSnapshotBench(
  options: SnapshotBenchOptions,
): Promise<SnapshotBenchResult> {
  await ensureTable(options);
  const result: SnapshotBenchResult = {
    rows: options.rows,
    chunkSize: options.chunkSize,
    concurrency: options.concurrency,
    watermarks: options.watermarks,
    snapshotRowsPerSecond: [],
    floorRowsPerSecond: [],
    peakRssBytes: 0,
  };
  // One unmeasured pass of each warms the buffer pool and the JIT.
  await snapshotOnce(options);
  await floorOnce(options);
  for (let run = 1; run <= options.runs; run += 1) {
    const sampler = setInterval(() => {
      result.peakRssBytes = Math.max(result.peakRssBytes, process.memoryUsage().rss);
    }, 50);
    try {
      result.snapshotRowsPerSecond.push(await snapshotOnce(options));
    } finally {
      clearInterval(sampler);
    }
    result.floorRowsPerSecond.push(await floorOnce(options));
    options.log(
      `run ${run}: snapshot ${format(result.snapshotRowsPerSecond.at(-1))} rows/s, floor ${format(result.floorRowsPerSecond.at(-1))} rows/s`,
    );
  }
  return result;
}

async function snapshotOnce(options: SnapshotBenchOptions): Promise<number> {
  const started = process.hrtime.bigint();
  let rows = 0;
  const tables = [{ database: DATABASE, table: TABLE }];
  const watermarks = options.watermarks
    ? binlogWatermarks({ source: options.source, tables })
    : null;
  try {
    for await (const item of readSnapshot({
      connect: () => connectSource(options.source),
      tables,
      chunkSize: options.chunkSize,
      concurrency: options.concurrency,
      watermarks,
    })) {
      if (item.kind === 'chunk') rows += item.event.rows.length;
    }
  } finally {
    watermarks?.close();
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (rows !== options.rows)
    throw new Error(`the snapshot read ${rows} rows, expected ${options.rows}`);
  return rows / seconds;
}

async function floorOnce(options: SnapshotBenchOptions): Promise<number> {
  const connection = mysql.createConnection({ ...toMysql2(options.source), database: DATABASE });
  try {
    const started = process.hrtime.bigint();
    let rows = 0;
    await new Promise<void>((resolve, reject) => {
      connection
        .query({ sql: `SELECT * FROM ${TABLE}`, rowsAsArray: true })
        .on('result', () => {
          rows += 1;
        })
        .on('error', reject)
        .on('end', () => resolve());
    });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    return rows / seconds;
  } finally {
    connection.destroy();
  }
}

async function ensureTable(options: SnapshotBenchOptions): Promise<void> {
  const connection = await mysqlPromise.createConnection(toMysql2(options.source));
  try {
    // Setup, not a change to capture: keep it out of the binlog.
    await connection.query('SET SESSION sql_log_bin = 0');
    await connection.query(`CREATE DATABASE IF NOT EXISTS ${DATABASE}`);
    const [tables] = await connection.query<mysqlPromise.RowDataPacket[]>(
      'SELECT COUNT(*) AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?',
      [DATABASE, TABLE],
    );
    if (Number(tables[0]?.n) === 1) {
      const [counted] = await connection.query<mysqlPromise.RowDataPacket[]>(
        `SELECT COUNT(*) AS n FROM ${DATABASE}.${TABLE}`,
      );
      if (Number(counted[0]?.n) === options.rows) return;
    }
    options.log(`filling ${DATABASE}.${TABLE} with ${format(options.rows)} rows`);
    await connection.query(`DROP TABLE IF EXISTS ${DATABASE}.${TABLE}`);
    await connection.query(`CREATE TABLE ${DATABASE}.${TABLE} (
      id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
      k INT NOT NULL DEFAULT 0,
      c CHAR(120) NOT NULL DEFAULT '',
      pad CHAR(60) NOT NULL DEFAULT '',
      KEY k_1 (k)
    ) ENGINE=InnoDB`);
    await connection.query(`INSERT INTO ${DATABASE}.${TABLE} (id, k, c, pad)
      SELECT seq, FLOOR(1 + RAND(seq) * ${options.rows}),
             LEFT(REPEAT(MD5(seq), 4), 119), LEFT(REPEAT(MD5(-seq), 2), 59)
      FROM mysql.seq_1_to_${options.rows}`);
  } finally {
    await connection.end();
  }
}

function toMysql2(source: SourceConnectionOptions): mysqlPromise.ConnectionOptions {
  return { host: source.host, port: source.port, user: source.user, password: source.password };
}

function median(samples: readonly number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

function format(value: number | undefined): string {
  return Math.round(value ?? 0).toLocaleString('en-US');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string', default: '5' },
      rows: { type: 'string', default: '1000000' },
      'chunk-size': { type: 'string', default: '8192' },
      concurrency: { type: 'string', default: '1' },
      watermarks: { type: 'boolean', default: false },
    },
  });
  const log = (message: string): void => {
    process.stderr.write(`${message}\n`);
  };
  const result = await runSnapshotBench({
    source: parseSourceUrl(process.env.TIDEWATER_BENCH_SOURCE_URL ?? 'mysql://root@127.0.0.1:3307'),
    runs: Number(values.runs),
    rows: Number(values.rows),
    chunkSize: Number(values['chunk-size']),
    concurrency: Number(values.concurrency),
    watermarks: values.watermarks,
    log,
  });
  const snapshot = median(result.snapshotRowsPerSecond);
  const floor = median(result.floorRowsPerSecond);
  log('');
  log(`| figure                         | median rows/s |`);
  log(`|--------------------------------|---------------|`);
  log(`| snapshot (readSnapshot)        | ${format(snapshot).padStart(13)} |`);
  log(`| floor (mysql2 SELECT *)        | ${format(floor).padStart(13)} |`);
  log(`| snapshot / floor               | ${(snapshot / floor).toFixed(2).padStart(13)} |`);
  log(
    `peak RSS ${(result.peakRssBytes / 1024 / 1024).toFixed(0)} MB, chunk ${result.chunkSize}, concurrency ${result.concurrency}, watermarks ${result.watermarks ? 'on' : 'off'}`,
  );
  process.stdout.write(
    `${JSON.stringify({ ...result, snapshotMedian: snapshot, floorMedian: floor }, null, 2)}\n`,
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((error: unknown) => {
    process.stderr.write(
      `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = 1;
  });
}

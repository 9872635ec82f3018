import { execFile } from 'node:child_process';
import { benchDatabase, ensureScanTable, scanRows, scanTable } from '../sbtest';
import { promisify } from 'node:util';

import { ensureKafkaJars, kafkaClasspath } from '@tidewater/stack';
import type { StackEndpoints } from '@tidewater/stack';
import { Kafka, logLevel } from 'kafkajs';
import mysql from 'mysql2';

import { summarize } from '../figures';
import type { Figure } from '../figures';
import { defineSection } from '../section';

/**
 * The floors: what the stack itself manages on this machine, with no Tidewater code in the
 * path. Kafka's own ProducerPerformance is the ceiling for any producer writing to this broker;
 * a bare mysql2 full-table read is the ceiling for any snapshot reading the source through
 * Node. Tidewater's own figures are meaningful as ratios to these.
 */

const execFileAsync = promisify(execFile);

export const producerRecords = Number(process.env.BENCH_PRODUCER_RECORDS ?? '1000000');
export const recordSize = 500;

export interface ProducerPerformanceResult {
  records: number;
  recordsPerSecond: number;
  megabytesPerSecond: number;
  averageLatencyMs: number;
  maxLatencyMs: number;
}

/**
 * ProducerPerformance ends with a summary line, e.g.
 * `1000000 records sent, 161917.1 records/sec (77.21 MB/sec), 181.39 ms avg latency,
 * 558.00 ms max latency, ...` (org.apache.kafka.tools.ProducerPerformance#printTotal).
 */
export function parseProducerPerformance(output: string): ProducerPerformanceResult {
  const pattern =
    /(\d+) records sent, ([\d.]+) records\/sec \(([\d.]+) MB\/sec\), ([\d.]+) ms avg latency, ([\d.]+) ms max latency/g;
  const matches = [...output.matchAll(pattern)];
  const last = matches.at(-1);
  if (last === undefined) {
    throw new Error(`ProducerPerformance printed no summary line:\n${output.slice(-2000)}`);
  }
  return {
    records: Number(last[1]),
    recordsPerSecond: Number(last[2]),
    megabytesPerSecond: Number(last[3]),
    averageLatencyMs: Number(last[4]),
    maxLatencyMs: Number(last[5]),
  };
}

async function runProducerPerformance(
  endpoints: StackEndpoints,
  topic: string,
): Promise<ProducerPerformanceResult> {
  const kafka = new Kafka({
    clientId: 'tidewater-bench',
    brokers: endpoints.kafka.brokers,
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({
      topics: [{ topic, numPartitions: 1, replicationFactor: 1 }],
      waitForLeaders: true,
    });
    const { stdout } = await execFileAsync(
      'java',
      [
        '-Xmx512m',
        // No log4j configuration: the tool's own progress lines go to stdout regardless.
        '-Dlog4j.configuration=file:/dev/null',
        '-cp',
        kafkaClasspath,
        'org.apache.kafka.tools.ProducerPerformance',
        '--topic',
        topic,
        '--num-records',
        String(producerRecords),
        '--record-size',
        String(recordSize),
        '--throughput',
        '-1',
        '--producer-props',
        'acks=all',
        `bootstrap.servers=${endpoints.kafka.brokers.join(',')}`,
      ],
      { maxBuffer: 16 * 1024 * 1024 },
    );
    return parseProducerPerformance(stdout);
  } finally {
    // Half a gigabyte per run: give the disk back.
    await admin.deleteTopics({ topics: [topic] });
    await admin.disconnect();
  }
}

/** Streams every row of the table through mysql2 and drops it; returns rows per second. */
async function scanOnce(endpoints: StackEndpoints): Promise<number> {
  const { mariadb } = endpoints;
  const connection = mysql.createConnection({
    host: mariadb.host,
    port: mariadb.port,
    user: mariadb.rootUser,
    password: mariadb.rootPassword,
    database: benchDatabase,
  });
  try {
    const started = process.hrtime.bigint();
    let rows = 0;
    await new Promise<void>((resolve, reject) => {
      connection
        .query(`SELECT * FROM ${scanTable}`)
        .on('result', () => {
          rows += 1;
        })
        .on('error', reject)
        .on('end', () => resolve());
    });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    if (rows !== scanRows) throw new Error(`read ${rows} rows, expected ${scanRows}`);
    return rows / seconds;
  } finally {
    await new Promise<void>((resolve, reject) =>
      connection.end((error) => (error ? reject(error) : resolve())),
    );
  }
}

export default defineSection({
  title: 'Floors: the stack alone',
  description:
    "Kafka's own ProducerPerformance and a bare mysql2 full-table read, with no Tidewater code " +
    'in the path: the ceilings the engine is measured against.',
  services: ['mariadb', 'kafka'],
  async run({ section, endpoints, runs, log }): Promise<Figure[]> {
    await ensureKafkaJars();
    const records: number[] = [];
    const megabytes: number[] = [];
    const latencies: number[] = [];
    for (let run = 1; run <= runs; run += 1) {
      const topic = `bench-floor-producer-${Date.now()}-${run}`;
      const result = await runProducerPerformance(endpoints, topic);
      log(
        `ProducerPerformance run ${run}/${runs}: ${Math.round(result.recordsPerSecond)} records/s, ` +
          `${result.megabytesPerSecond} MB/s`,
      );
      records.push(result.recordsPerSecond);
      megabytes.push(result.megabytesPerSecond);
      latencies.push(result.averageLatencyMs);
    }
    const producerNote =
      `org.apache.kafka.tools.ProducerPerformance --num-records ${producerRecords} ` +
      `--record-size ${recordSize} --throughput -1 --producer-props acks=all, fresh 1-partition topic`;

    await ensureScanTable(endpoints, log);
    // One unmeasured pass warms the buffer pool, as a long-running snapshot would find it.
    await scanOnce(endpoints);
    const scans: number[] = [];
    for (let run = 1; run <= Math.max(runs, 3); run += 1) {
      const rowsPerSecond = await scanOnce(endpoints);
      log(`SELECT * run ${run}: ${Math.round(rowsPerSecond)} rows/s`);
      scans.push(rowsPerSecond);
    }

    return [
      summarize(section, 'Kafka producer, 500 B records, acks=all', 'records/s', records, {
        note: producerNote,
      }),
      summarize(section, 'Kafka producer, 500 B records, acks=all (bytes)', 'MB/s', megabytes, {
        note: 'the same runs, in MB/s as ProducerPerformance reports (2^20 bytes)',
      }),
      summarize(section, 'Kafka producer average latency', 'ms', latencies),
      summarize(section, 'mysql2 full-table SELECT *, rows discarded', 'rows/s', scans, {
        note: `${scanRows.toLocaleString('en-US')}-row sysbench-style table (id, k, c CHAR(120), pad CHAR(60)), streamed with query().on('result'), after one warm-up pass`,
      }),
    ];
  },
});

/**
 * The source MariaDB and Kafka of the local stack, as the conformance tests use them: private
 * databases, users and topics with unique names, and the source's time zone resolved the way
 * the engine resolves it for the formats.
 */
import { randomBytes } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import mysql from 'mysql2/promise';

export const SOURCE = {
  host: '127.0.0.1',
  port: Number(process.env.TIDEWATER_SOURCE_PORT ?? 3307),
  user: 'root',
  password: '',
};
export const BROKERS = (process.env.TIDEWATER_KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');

export function uniqueName(prefix: string): string {
  return `${prefix}_${randomBytes(4).toString('hex')}`;
}

export async function sourceSession(database?: string): Promise<mysql.Connection> {
  return mysql.createConnection({
    ...SOURCE,
    ...(database ? { database } : {}),
    multipleStatements: true,
    supportBigNumbers: true,
    bigNumberStrings: true,
    dateStrings: true,
    charset: 'utf8mb4',
  });
}

/**
 * The zone TIMESTAMP values are printed in: the server's `time_zone`, with `SYSTEM` resolved
 * to the host's offset (as the engine's source adapter does).
 */
export async function sourceTimeZone(session: mysql.Connection): Promise<string> {
  const [rows] = await session.query<mysql.RowDataPacket[]>(
    `SELECT @@global.time_zone AS zone,
            TIMESTAMPDIFF(MINUTE, UTC_TIMESTAMP(), CONVERT_TZ(UTC_TIMESTAMP(), '+00:00', 'SYSTEM')) AS systemOffset`,
  );
  const zone = String(rows[0]?.zone ?? 'SYSTEM');
  if (zone !== 'SYSTEM') return zone;
  const minutes = Number(rows[0]?.systemOffset ?? 0);
  if (minutes === 0) return 'UTC';
  const absolute = Math.abs(minutes);
  return `${minutes >= 0 ? '+' : '-'}${String(Math.floor(absolute / 60)).padStart(2, '0')}:${String(absolute % 60).padStart(2, '0')}`;
}

export async function createTopic(prefix: string, partitions = 1): Promise<string> {
  const topic = uniqueName(prefix).replaceAll('_', '-');
  const admin = new Kafka({
    clientId: 'tw-conformance',
    brokers: BROKERS,
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  try {
    await admin.createTopics({
      topics: [{ topic, numPartitions: partitions, replicationFactor: 1 }],
      waitForLeaders: true,
    });
  } finally {
    await admin.disconnect();
  }
  return topic;
}

export async function deleteTopic(topic: string): Promise<void> {
  const admin = new Kafka({
    clientId: 'tw-conformance',
    brokers: BROKERS,
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  try {
    await admin.deleteTopics({ topics: [topic] });
  } finally {
    await admin.disconnect();
  }
}

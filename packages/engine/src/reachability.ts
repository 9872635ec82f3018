import { Kafka, logLevel } from 'kafkajs';
import mysql from 'mysql2/promise';
import { brokerAddresses, type TaskConfig } from '@tidewater/config';
import { TidewaterError } from '@tidewater/errors';

/**
 * The walking skeleton's check that a task's two ends answer: a `SELECT VERSION()` on the
 * source and a cluster description from Kafka. The full precheck suite replaces it.
 */

export interface ReachabilityResult {
  side: 'source' | 'destination';
  isReachable: boolean;
  message: string;
}

export async function checkSourceReachable(
  source: TaskConfig['source'],
): Promise<ReachabilityResult> {
  let connection: mysql.Connection | undefined;
  try {
    connection = await mysql.createConnection({
      host: source.host,
      port: source.port,
      user: source.user,
      password: source.password ?? '',
      connectTimeout: 10_000,
    });
    const [rows] = await connection.query<mysql.RowDataPacket[]>('SELECT VERSION() AS version');
    return {
      side: 'source',
      isReachable: true,
      message: `Source answered: version ${String(rows[0]?.version)}.`,
    };
  } catch (error) {
    return {
      side: 'source',
      isReachable: false,
      message: `Source ${source.host}:${source.port} did not answer: ${describe(error)}.`,
    };
  } finally {
    await connection?.end();
  }
}

export async function checkDestinationReachable(
  destination: TaskConfig['destination'],
): Promise<ReachabilityResult> {
  const kafka = new Kafka({
    clientId: 'tidewater-reachability',
    brokers: brokerAddresses(destination),
    connectionTimeout: 5_000,
    requestTimeout: 10_000,
    retry: { retries: 1 },
    logLevel: logLevel.NOTHING,
    ...(destination.encryption === 'scram-sha-256'
      ? {
          sasl: {
            mechanism: 'scram-sha-256' as const,
            username: destination.user ?? '',
            password: destination.password ?? '',
          },
        }
      : {}),
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    return {
      side: 'destination',
      isReachable: true,
      message: `Kafka answered: ${cluster.brokers.length} broker(s), controller ${cluster.controller}.`,
    };
  } catch (error) {
    return {
      side: 'destination',
      isReachable: false,
      message: `Kafka ${destination.hosts} did not answer: ${describe(error)}.`,
    };
  } finally {
    await admin.disconnect();
  }
}

function describe(error: unknown): string {
  if (error instanceof TidewaterError) return error.message;
  if (error instanceof Error) return error.message.replace(/\s+/g, ' ').slice(0, 300);
  return String(error);
}

import { Kafka, logLevel } from 'kafkajs';
import { listHeartbeats } from '@tidewater/db';
import type { ServiceHealth } from '@tidewater/config/api';
import type { EngineContext } from './context';

export type { ServiceHealth };

/** A worker counts as alive when its heartbeat is younger than this. */
const WORKER_HEARTBEAT_FRESH_MS = 15_000;

/** Probes every service the product depends on with a real request, in parallel. */
export async function checkSystemHealth(context: EngineContext): Promise<ServiceHealth[]> {
  const { environment } = context;
  return Promise.all([
    probe('postgresql', redactUrl(environment.DATABASE_URL), async () => {
      await context.db.$queryRawUnsafe('SELECT 1');
      return 'SELECT 1 answered.';
    }),
    probe('redis', redactUrl(environment.REDIS_URL), async () => {
      const reply = await context.redis.ping();
      return `PING answered ${reply}.`;
    }),
    probe('kafka', environment.TIDEWATER_KAFKA_BROKERS, async () => {
      const admin = new Kafka({
        clientId: 'tidewater-health',
        brokers: environment.TIDEWATER_KAFKA_BROKERS.split(','),
        connectionTimeout: 3_000,
        requestTimeout: 5_000,
        retry: { retries: 0 },
        logLevel: logLevel.NOTHING,
      }).admin();
      try {
        await admin.connect();
        const cluster = await admin.describeCluster();
        return `${cluster.brokers.length} broker(s), controller ${cluster.controller}.`;
      } finally {
        await admin.disconnect();
      }
    }),
    probe('schema-registry', environment.TIDEWATER_SCHEMA_REGISTRY_URL, async () => {
      const response = await fetch(
        new URL('subjects', withSlash(environment.TIDEWATER_SCHEMA_REGISTRY_URL)),
        {
          signal: AbortSignal.timeout(5_000),
        },
      );
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const subjects = (await response.json()) as unknown;
      return `Answered with ${Array.isArray(subjects) ? subjects.length : 0} subject(s).`;
    }),
    probe('worker', 'heartbeat', async () => {
      const alive = await listHeartbeats(
        context.db,
        new Date(Date.now() - WORKER_HEARTBEAT_FRESH_MS),
      );
      if (alive.length === 0) throw new Error('no worker has sent a heartbeat in the last 15 s');
      return `${alive.length} worker(s) alive; last heartbeat ${alive[0]?.seenAt}.`;
    }),
  ]);
}

function withSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}

async function probe(
  name: ServiceHealth['name'],
  endpoint: string,
  check: () => Promise<string>,
): Promise<ServiceHealth> {
  const started = performance.now();
  try {
    const detail = await check();
    return {
      name,
      isUp: true,
      endpoint,
      detail,
      latencyMs: Math.round(performance.now() - started),
    };
  } catch (error) {
    return {
      name,
      isUp: false,
      endpoint,
      detail:
        error instanceof Error ? error.message.replace(/\s+/g, ' ').slice(0, 300) : String(error),
      latencyMs: Math.round(performance.now() - started),
    };
  }
}

/** A connection URL without its password, for display. */
function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(invalid URL)';
  }
}

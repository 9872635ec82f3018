import { readFileSync } from 'node:fs';

import { Kafka, logLevel } from 'kafkajs';
import type { SASLOptions } from 'kafkajs';
import { Redis } from 'ioredis';
import mysql from 'mysql2/promise';
import pg from 'pg';

import type { ServiceName, StackEndpoints } from './endpoints';
import type { ProbeResult } from './wait';

/**
 * Protocol-level health checks: each one speaks the service's own protocol and expects the
 * answer only that service gives. An open port, a pid file or a different server on the port
 * all count as down. Probes never throw; they say why the service is down.
 */

const connectTimeoutMs = 2_000;

/** A short reason from an error, without connection strings (they may carry a password). */
export function describeFailure(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) {
    return describeFailure(error.errors[0]);
  }
  if (error instanceof Error) {
    const code = 'code' in error && typeof error.code === 'string' ? error.code : undefined;
    if (code === 'ECONNREFUSED') return 'connection refused (nothing listens on the port)';
    if (code === 'ETIMEDOUT') return 'connection timed out';
    if (code === 'ECONNRESET') return 'connection reset by the server';
    const message = error.message.replace(/\w+:\/\/[^\s]*@/g, '<url>@');
    return code !== undefined && !message.includes(code) ? `${code}: ${message}` : message;
  }
  return String(error);
}

export async function probePostgres(url: string): Promise<ProbeResult> {
  const client = new pg.Client({
    connectionString: url,
    connectionTimeoutMillis: connectTimeoutMs,
  });
  // Errors after connect (server shutdown) would otherwise crash the process.
  client.on('error', () => undefined);
  try {
    await client.connect();
    const result = await client.query<{ version: string }>('SELECT version() AS version');
    const version = result.rows[0]?.version.split(' ').slice(0, 2).join(' ') ?? 'PostgreSQL';
    return { isUp: true, detail: version };
  } catch (error) {
    return { isUp: false, detail: describeFailure(error) };
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function probeRedis(url: string): Promise<ProbeResult> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: connectTimeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  let lastError: unknown;
  redis.on('error', (error: unknown) => {
    lastError = error;
  });
  try {
    await redis.connect();
    const pong = await redis.ping();
    if (pong !== 'PONG') return { isUp: false, detail: `PING answered "${pong}"` };
    const info = await redis.info('server');
    const version = /redis_version:(\S+)/.exec(info)?.[1];
    return { isUp: true, detail: version === undefined ? 'PONG' : `Redis ${version}` };
  } catch (error) {
    return { isUp: false, detail: describeFailure(lastError ?? error) };
  } finally {
    redis.disconnect();
  }
}

export async function probeMariadb(endpoint: StackEndpoints['mariadb']): Promise<ProbeResult> {
  let connection: mysql.Connection | undefined;
  try {
    connection = await mysql.createConnection({
      host: endpoint.host,
      port: endpoint.port,
      user: endpoint.rootUser,
      password: endpoint.rootPassword,
      connectTimeout: connectTimeoutMs,
    });
    const [rows] = await connection.query<mysql.RowDataPacket[]>(
      'SELECT @@log_bin AS logBin, @@binlog_format AS binlogFormat, @@version AS version',
    );
    const row = rows[0];
    if (row === undefined) return { isUp: false, detail: 'the server returned no row' };
    if (Number(row.logBin) !== 1) {
      return { isUp: false, detail: `MariaDB ${row.version} answers but the binlog is OFF` };
    }
    if (row.binlogFormat !== 'ROW') {
      return { isUp: false, detail: `binlog_format is ${row.binlogFormat}, not ROW` };
    }
    return { isUp: true, detail: `${row.version}, binlog ROW` };
  } catch (error) {
    return { isUp: false, detail: describeFailure(error) };
  } finally {
    await connection?.end().catch(() => undefined);
  }
}

export interface KafkaProbeSecurity {
  sasl?: SASLOptions;
  /** PEM file paths; a client certificate only where the listener asks for one. */
  tls?: { caFile: string; clientCertFile?: string; clientKeyFile?: string };
}

function readPem(file: string): string {
  return readFileSync(file, 'utf8');
}

async function describeKafkaCluster(
  brokers: string[],
  security: KafkaProbeSecurity = {},
): Promise<string> {
  const { sasl, tls } = security;
  const kafka = new Kafka({
    clientId: 'tidewater-stack-probe',
    brokers,
    connectionTimeout: connectTimeoutMs,
    requestTimeout: 5_000,
    retry: { retries: 0 },
    logLevel: logLevel.NOTHING,
    ...(sasl === undefined ? {} : { sasl }),
    ...(tls === undefined
      ? {}
      : {
          ssl: {
            ca: [readPem(tls.caFile)],
            ...(tls.clientCertFile === undefined ? {} : { cert: readPem(tls.clientCertFile) }),
            ...(tls.clientKeyFile === undefined ? {} : { key: readPem(tls.clientKeyFile) }),
          },
        }),
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    return `cluster ${cluster.clusterId}, ${cluster.brokers.length} broker(s)`;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/** One listener of the stack's Kafka answers with the given security; down says why. */
export async function probeKafkaListener(
  label: string,
  brokers: string[],
  security: KafkaProbeSecurity = {},
): Promise<ProbeResult> {
  try {
    return { isUp: true, detail: await describeKafkaCluster(brokers, security) };
  } catch (error) {
    return { isUp: false, detail: `${label} ${brokers.join(',')}: ${describeFailure(error)}` };
  }
}

/**
 * Up only when every listener works: PLAINTEXT, a SCRAM-SHA-256 login on SASL_PLAINTEXT, a
 * client certificate on SSL and a SCRAM-SHA-512 login over SASL_SSL. A broker started with an
 * older configuration (no TLS listeners) is down, and says which listener is missing.
 */
export async function probeKafka(endpoint: StackEndpoints['kafka']): Promise<ProbeResult> {
  const { username, password } = endpoint.sasl;
  const checks: Array<[string, string[], KafkaProbeSecurity]> = [
    ['PLAINTEXT', endpoint.brokers, {}],
    [
      'SASL_PLAINTEXT SCRAM-SHA-256',
      endpoint.saslBrokers,
      { sasl: { mechanism: 'scram-sha-256', username, password } },
    ],
    ['SSL with a client certificate', endpoint.sslBrokers, { tls: endpoint.tls }],
    [
      'SASL_SSL SCRAM-SHA-512',
      endpoint.saslSslBrokers,
      {
        sasl: { mechanism: 'scram-sha-512', username, password },
        tls: { caFile: endpoint.tls.caFile },
      },
    ],
  ];
  let plain = '';
  for (const [label, brokers, security] of checks) {
    const result = await probeKafkaListener(label, brokers, security);
    if (!result.isUp) return result;
    plain ||= result.detail;
  }
  return { isUp: true, detail: `${plain}, SASL, SSL and SASL_SSL logins ok` };
}

export async function probeRegistry(endpoint: StackEndpoints['registry']): Promise<ProbeResult> {
  try {
    const response = await fetch(`${endpoint.url}/subjects`, {
      signal: AbortSignal.timeout(5_000),
      headers: { accept: 'application/vnd.schemaregistry.v1+json, application/json' },
    });
    if (response.status !== 200) {
      return { isUp: false, detail: `GET /subjects answered HTTP ${response.status}` };
    }
    const body: unknown = await response.json().catch(() => undefined);
    if (!Array.isArray(body)) {
      return { isUp: false, detail: 'GET /subjects did not answer a JSON list of subjects' };
    }
    return { isUp: true, detail: `${body.length} subject(s)` };
  } catch (error) {
    return {
      isUp: false,
      detail: describeFailure(error instanceof Error && error.cause ? error.cause : error),
    };
  }
}

export function probeService(name: ServiceName, endpoints: StackEndpoints): Promise<ProbeResult> {
  switch (name) {
    case 'postgres':
      return probePostgres(endpoints.postgres.url);
    case 'redis':
      return probeRedis(endpoints.redis.url);
    case 'mariadb':
      return probeMariadb(endpoints.mariadb);
    case 'kafka':
      return probeKafka(endpoints.kafka);
    case 'registry':
      return probeRegistry(endpoints.registry);
  }
}

/**
 * Where every service of the local stack answers, and with which credentials.
 *
 * These are development credentials for a stack bound to 127.0.0.1; they are constants so
 * tests, the quickstart and the bench agree on them. Each can be overridden by the
 * environment so the same code runs against the Docker Compose stack or another host.
 */

import { join } from 'node:path';

import { TidewaterError } from '@tidewater/errors';

import { kafkaDir } from './paths';

export type ServiceName = 'postgres' | 'redis' | 'mariadb' | 'kafka' | 'registry';

/** In the order `up` starts them and `status` prints them. */
export const serviceNames: readonly ServiceName[] = [
  'postgres',
  'redis',
  'mariadb',
  'kafka',
  'registry',
];

/** The services this package starts and stops; PostgreSQL and Redis belong to the machine. */
export const managedServiceNames: readonly ServiceName[] = ['mariadb', 'kafka', 'registry'];

export function isServiceName(value: string): value is ServiceName {
  return (serviceNames as readonly string[]).includes(value);
}

export interface StackEndpoints {
  postgres: {
    /** The application's database. */
    url: string;
    /** The database integration tests use. */
    testUrl: string;
  };
  redis: { url: string };
  /** The source MariaDB with the binlog on (not the machine's MariaDB on 3306). */
  mariadb: {
    host: string;
    port: number;
    /** Tests and the bench connect as root with an empty password. */
    rootUser: string;
    rootPassword: string;
    /** The least-privileged account a migration task uses. */
    user: string;
    password: string;
    demoDatabase: string;
  };
  kafka: {
    /** PLAINTEXT listener. */
    brokers: string[];
    /** SASL_PLAINTEXT listener: PLAIN, SCRAM-SHA-256 and SCRAM-SHA-512. */
    saslBrokers: string[];
    /** SSL listener that requires a client certificate signed by the stack's CA (mTLS). */
    sslBrokers: string[];
    /** SASL_SSL listener: the SASL mechanisms over TLS, no client certificate. */
    saslSslBrokers: string[];
    /** One account for every SASL mechanism. */
    sasl: { mechanism: 'scram-sha-256'; username: string; password: string };
    /** PEM files generated at the first start (CA, and a client certificate it signed). */
    tls: { caFile: string; clientCertFile: string; clientKeyFile: string };
    controllerPort: number;
  };
  registry: {
    /** Confluent-compatible API root: `${url}/subjects`, `${url}/schemas/ids/1`. */
    url: string;
  };
}

function readPort(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new TidewaterError('STACK_ENV_INVALID', `${name} must be a TCP port, got "${raw}".`, {
      category: 'invalid_input',
      remedy: `Set ${name} to a number between 1 and 65535, or unset it to use the default.`,
    });
  }
  return port;
}

function readList(env: NodeJS.ProcessEnv, name: string, fallback: string[]): string[] {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  return raw
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

/** Replaces the database name (the URL's path) of a PostgreSQL URL. */
export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/** Reads the endpoints from an environment; `stackEndpoints` is this applied to `process.env`. */
export function readStackEndpoints(env: NodeJS.ProcessEnv = process.env): StackEndpoints {
  const databaseUrl = env.DATABASE_URL || 'postgresql://postgres@127.0.0.1:5432/tidewater';
  return {
    postgres: {
      url: databaseUrl,
      testUrl: env.TEST_DATABASE_URL || withDatabase(databaseUrl, 'tidewater_test'),
    },
    redis: { url: env.REDIS_URL || 'redis://127.0.0.1:6379' },
    mariadb: {
      host: env.TIDEWATER_SOURCE_HOST || '127.0.0.1',
      port: readPort(env, 'TIDEWATER_SOURCE_PORT', 3307),
      rootUser: 'root',
      rootPassword: env.TIDEWATER_SOURCE_ROOT_PASSWORD ?? '',
      user: 'tidewater',
      password: 'tidewater',
      demoDatabase: 'demo_shop',
    },
    kafka: {
      brokers: readList(env, 'TIDEWATER_KAFKA_BROKERS', ['127.0.0.1:9092']),
      saslBrokers: readList(env, 'TIDEWATER_KAFKA_SASL_BROKERS', ['127.0.0.1:9094']),
      sslBrokers: readList(env, 'TIDEWATER_KAFKA_SSL_BROKERS', ['127.0.0.1:9095']),
      saslSslBrokers: readList(env, 'TIDEWATER_KAFKA_SASL_SSL_BROKERS', ['127.0.0.1:9096']),
      sasl: { mechanism: 'scram-sha-256', username: 'tidewater', password: 'tidewater-secret' },
      tls: {
        caFile: join(kafkaDir, 'tls', 'ca.pem'),
        clientCertFile: join(kafkaDir, 'tls', 'client.pem'),
        clientKeyFile: join(kafkaDir, 'tls', 'client.key'),
      },
      controllerPort: readPort(env, 'TIDEWATER_KAFKA_CONTROLLER_PORT', 9093),
    },
    registry: {
      url: (env.TIDEWATER_SCHEMA_REGISTRY_URL || 'http://127.0.0.1:8081/apis/ccompat/v7').replace(
        /\/+$/,
        '',
      ),
    },
  };
}

export const stackEndpoints: StackEndpoints = readStackEndpoints();

/** One line an operator can read: host and port, never a password. */
export function describeEndpoint(name: ServiceName, endpoints: StackEndpoints): string {
  switch (name) {
    case 'postgres': {
      const url = new URL(endpoints.postgres.url);
      return `${url.hostname}:${url.port || '5432'}${url.pathname}`;
    }
    case 'redis': {
      const url = new URL(endpoints.redis.url);
      return `${url.hostname}:${url.port || '6379'}`;
    }
    case 'mariadb':
      return `${endpoints.mariadb.host}:${endpoints.mariadb.port}`;
    case 'kafka':
      return [
        `${endpoints.kafka.brokers.join(',')} (PLAINTEXT)`,
        `${endpoints.kafka.saslBrokers.join(',')} (SASL_PLAINTEXT)`,
        `${endpoints.kafka.sslBrokers.join(',')} (SSL, client certificate)`,
        `${endpoints.kafka.saslSslBrokers.join(',')} (SASL_SSL)`,
      ].join(', ');
    case 'registry':
      return endpoints.registry.url;
  }
}

/**
 * The kafkajs client for a task's destination: brokers, PLAINTEXT or SASL/SCRAM-SHA-256, TLS
 * when the operator gave it. Everything else in the package opens its admin, producer or
 * consumer through `createKafka`, so the security settings are decided in one place.
 */
import type { DestinationConfig } from '@tidewater/config';
import { brokerAddresses } from '@tidewater/config';
import type { KafkaConfig, LogEntry, RetryOptions } from 'kafkajs';
import { Kafka, logLevel } from 'kafkajs';
import type { KafkaErrorContext } from './kafka-errors';

/** The parts of a destination the connection needs. */
export type KafkaConnection = Pick<
  DestinationConfig,
  'hosts' | 'port' | 'user' | 'password' | 'encryption' | 'tls'
>;

/** Where kafkajs's own warnings and errors go; nothing is logged when absent. */
export type KafkaLog = (level: 'error' | 'warn' | 'info', message: string) => void;

export interface KafkaClientOptions {
  clientId?: string;
  /** Applies to connecting and to admin requests; the producer sets its own. */
  retry?: RetryOptions;
  log?: KafkaLog;
}

/** Timeouts for the console and prechecks: an operator is waiting for the answer. */
export const INTERACTIVE_RETRY: RetryOptions = {
  retries: 2,
  initialRetryTime: 300,
  maxRetryTime: 2_000,
};

/** `PLAINTEXT`, `SASL_SSL SCRAM-SHA-256 as user "x"`, …: for messages; never the password. */
export function describeSecurity(connection: KafkaConnection): string {
  const transport = connection.tls.enabled ? 'SSL' : 'PLAINTEXT';
  if (connection.encryption === 'scram-sha-256') {
    return `SASL_${transport} SCRAM-SHA-256 as user "${connection.user ?? ''}"`;
  }
  return transport;
}

export function errorContext(connection: KafkaConnection, topic?: string): KafkaErrorContext {
  return {
    brokers: brokerAddresses(connection),
    security: describeSecurity(connection),
    ...(topic === undefined ? {} : { topic }),
  };
}

/**
 * kafkajs warns on every idempotent producer with bounded retries; bounding them is our
 * choice (a `deliver` must settle, see the README), so the warning is noise.
 */
const EXPECTED_WARNINGS = ['Limiting retries for the idempotent producer'];

function logCreator(log: KafkaLog | undefined): KafkaConfig['logCreator'] {
  return () =>
    ({ level, log: entry }: LogEntry) => {
      if (log === undefined) return;
      const message = String(entry.message);
      if (EXPECTED_WARNINGS.some((warning) => message.startsWith(warning))) return;
      if (level === logLevel.ERROR) log('error', message);
      else if (level === logLevel.WARN) log('warn', message);
      else if (level === logLevel.INFO) log('info', message);
    };
}

export function kafkaConfig(
  connection: KafkaConnection,
  options: KafkaClientOptions = {},
): KafkaConfig {
  const config: KafkaConfig = {
    clientId: options.clientId ?? 'tidewater',
    brokers: brokerAddresses(connection),
    connectionTimeout: 5_000,
    authenticationTimeout: 10_000,
    requestTimeout: 30_000,
    retry: options.retry ?? INTERACTIVE_RETRY,
    logLevel: options.log === undefined ? logLevel.NOTHING : logLevel.WARN,
    logCreator: logCreator(options.log),
  };
  if (connection.tls.enabled) {
    config.ssl = {
      rejectUnauthorized: connection.tls.rejectUnauthorized,
      ...(connection.tls.ca ? { ca: [connection.tls.ca] } : {}),
    };
  }
  if (connection.encryption === 'scram-sha-256') {
    config.sasl = {
      mechanism: 'scram-sha-256',
      username: connection.user ?? '',
      password: connection.password ?? '',
    };
  }
  return config;
}

export function createKafka(connection: KafkaConnection, options: KafkaClientOptions = {}): Kafka {
  return new Kafka(kafkaConfig(connection, options));
}

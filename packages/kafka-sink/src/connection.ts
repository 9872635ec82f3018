// eslint-disable-next-line @typescript-eslint/triple-slash-reference -- the types of an untyped dependency must reach every program that compiles this file (the web app, the bench)
/// <reference path="./kafkajs-snappy.d.ts" />
/**
 * How the package reaches a task's destination: brokers, PLAINTEXT or SASL/SCRAM-SHA-256, TLS
 * when the operator gave it. `connectionSettings` decides the security settings in one place;
 * two thin adapters hand them to the clients: `kafkaConfig` to kafkajs (admin requests, the
 * topic scan, tests) and `producerConnectionOptions` to @platformatic/kafka (the sink's
 * producer; see the README, "The producer client", for why two clients).
 */
import type { ConnectionOptions as TlsOptions } from 'node:tls';
import type { ConnectionOptions as ProducerConnection, SASLOptions } from '@platformatic/kafka';
import type { DestinationConfig } from '@tidewater/config';
import { brokerAddresses } from '@tidewater/config';
import type { KafkaConfig, LogEntry, RetryOptions } from 'kafkajs';
import kafkajs, { Kafka, logLevel } from 'kafkajs';
import createSnappyCodec from 'kafkajs-snappy';
import type { KafkaErrorContext } from './kafka-errors';

// kafkajs keeps codecs in one process-wide table whose snappy entry throws "not implemented"
// until a codec is registered; registering there is how kafkajs is meant to be extended. Its
// consumers (the conflicting-tables scan) read what the sink wrote with snappy.
kafkajs.CompressionCodecs[kafkajs.CompressionTypes.Snappy] = createSnappyCodec;

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

/** A SASL mechanism as kafkajs names it; @platformatic/kafka spells the same in capitals. */
export type SaslMechanism = 'plain' | 'scram-sha-256' | 'scram-sha-512';

/** What every client needs to reach the destination, whatever its library. */
export interface ConnectionSettings {
  brokers: string[];
  /** Node's TLS options when TLS is on (CA, certificate checks; client certificates go here). */
  tls?: TlsOptions;
  sasl?: { mechanism: SaslMechanism; username: string; password: string };
}

/** The one mapping from a destination's fields to brokers, TLS and SASL. */
export function connectionSettings(connection: KafkaConnection): ConnectionSettings {
  const settings: ConnectionSettings = { brokers: brokerAddresses(connection) };
  if (connection.tls.enabled) {
    settings.tls = {
      rejectUnauthorized: connection.tls.rejectUnauthorized,
      ...(connection.tls.ca ? { ca: [connection.tls.ca] } : {}),
    };
  }
  switch (connection.encryption) {
    case 'none':
      break;
    case 'scram-sha-256':
      settings.sasl = {
        mechanism: 'scram-sha-256',
        username: connection.user ?? '',
        password: connection.password ?? '',
      };
      break;
  }
  return settings;
}

const PRODUCER_MECHANISMS: Record<SaslMechanism, SASLOptions['mechanism']> = {
  plain: 'PLAIN',
  'scram-sha-256': 'SCRAM-SHA-256',
  'scram-sha-512': 'SCRAM-SHA-512',
};

/** The same settings for @platformatic/kafka: bootstrap brokers, TLS and SASL. */
export function producerConnectionOptions(
  connection: KafkaConnection,
): ProducerConnection & { bootstrapBrokers: string[] } {
  const settings = connectionSettings(connection);
  return {
    bootstrapBrokers: settings.brokers,
    connectTimeout: 5_000,
    ...(settings.tls === undefined ? {} : { tls: settings.tls }),
    ...(settings.sasl === undefined
      ? {}
      : {
          sasl: {
            mechanism: PRODUCER_MECHANISMS[settings.sasl.mechanism],
            username: settings.sasl.username,
            password: settings.sasl.password,
          },
        }),
  };
}

export function kafkaConfig(
  connection: KafkaConnection,
  options: KafkaClientOptions = {},
): KafkaConfig {
  const settings = connectionSettings(connection);
  const config: KafkaConfig = {
    clientId: options.clientId ?? 'tidewater',
    brokers: settings.brokers,
    connectionTimeout: 5_000,
    authenticationTimeout: 10_000,
    requestTimeout: 30_000,
    retry: options.retry ?? INTERACTIVE_RETRY,
    logLevel: options.log === undefined ? logLevel.NOTHING : logLevel.WARN,
    logCreator: logCreator(options.log),
  };
  if (settings.tls !== undefined) config.ssl = settings.tls;
  if (settings.sasl !== undefined) {
    const { mechanism, username, password } = settings.sasl;
    switch (mechanism) {
      case 'plain':
        config.sasl = { mechanism, username, password };
        break;
      case 'scram-sha-256':
        config.sasl = { mechanism, username, password };
        break;
      case 'scram-sha-512':
        config.sasl = { mechanism, username, password };
        break;
    }
  }
  return config;
}

export function createKafka(connection: KafkaConnection, options: KafkaClientOptions = {}): Kafka {
  return new Kafka(kafkaConfig(connection, options));
}

// eslint-disable-next-line @typescript-eslint/triple-slash-reference -- the types of an untyped dependency must reach every program that compiles this file (the web app, the bench)
/// <reference path="./kafkajs-snappy.d.ts" />
/**
 * How the package reaches a task's destination: brokers, a SASL login (PLAIN, SCRAM-SHA-256,
 * SCRAM-SHA-512) or none, TLS when the operator turned it on, with a client certificate when
 * given. `kafkaSecurity` decides the security settings in one place; two thin adapters hand them
 * to the clients: `kafkaConfig` to kafkajs (admin requests, the topic scan, tests) and
 * `producerConnectionOptions` to @platformatic/kafka (the sink's producer; see the README, "The
 * producer client", for why two clients).
 */
import type { ConnectionOptions as ProducerConnection, SASLOptions } from '@platformatic/kafka';
import type { DestinationConfig, KafkaEncryption } from '@tidewater/config';
import { brokerAddresses, kafkaEncryptionLabels } from '@tidewater/config';
import { TidewaterError } from '@tidewater/errors';
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

/**
 * `PLAINTEXT`, `SASL_SSL SCRAM-SHA-512 as user "x"`, `SSL with a client certificate`, …: the
 * Kafka security protocol and login, for messages; never the password or the key.
 */
export function describeSecurity(connection: KafkaConnection): string {
  const tls = connection.tls;
  const certificate = tls.enabled && tls.clientCert ? ' with a client certificate' : '';
  const transport = tls.enabled ? 'SSL' : 'PLAINTEXT';
  switch (connection.encryption) {
    case 'none':
      return `${transport}${certificate}`;
    case 'plain':
    case 'scram-sha-256':
    case 'scram-sha-512': {
      const mechanism = kafkaEncryptionLabels[connection.encryption].replace('SASL/', '');
      return `SASL_${transport} ${mechanism} as user "${connection.user ?? ''}"${certificate}`;
    }
  }
}

/**
 * The security settings of a destination in the terms every Kafka client takes: the SASL
 * mechanism with its account and password, and the TLS options (Node's `tls.connect`: the CA,
 * the server check, the client certificate and key, all PEM). kafkajs takes them as they are;
 * another client maps these fields to its own names.
 */
type KafkaSaslMechanism = Exclude<KafkaEncryption, 'none'>;

export interface KafkaSecurity {
  sasl?: {
    [M in KafkaSaslMechanism]: { mechanism: M; username: string; password: string };
  }[KafkaSaslMechanism];
  tls?: { ca?: string[]; rejectUnauthorized: boolean; cert?: string; key?: string };
}

export function kafkaSecurity(connection: KafkaConnection): KafkaSecurity {
  const security: KafkaSecurity = {};
  const login = { username: connection.user ?? '', password: connection.password ?? '' };
  switch (connection.encryption) {
    case 'none':
      break;
    case 'plain':
      security.sasl = { mechanism: 'plain', ...login };
      break;
    case 'scram-sha-256':
      security.sasl = { mechanism: 'scram-sha-256', ...login };
      break;
    case 'scram-sha-512':
      security.sasl = { mechanism: 'scram-sha-512', ...login };
      break;
  }
  const tls = connection.tls;
  if (tls.enabled) {
    if (tls.clientCert && !tls.clientKey) {
      throw new TidewaterError(
        'KAFKA_CLIENT_KEY_MISSING',
        'The Kafka destination has a client certificate but no private key for it.',
        {
          category: 'invalid_input',
          remedy: 'Enter the client private key (PEM) that belongs to the client certificate.',
        },
      );
    }
    security.tls = {
      rejectUnauthorized: tls.rejectUnauthorized,
      ...(tls.ca ? { ca: [tls.ca] } : {}),
      ...(tls.clientCert && tls.clientKey ? { cert: tls.clientCert, key: tls.clientKey } : {}),
    };
  }
  return security;
}

export function errorContext(connection: KafkaConnection, topic?: string): KafkaErrorContext {
  return {
    brokers: brokerAddresses(connection),
    security: describeSecurity(connection),
    hasClientCertificate: connection.tls.enabled && Boolean(connection.tls.clientCert),
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

/** The mechanisms as @platformatic/kafka spells them. */
const PRODUCER_MECHANISMS: Record<KafkaSaslMechanism, SASLOptions['mechanism']> = {
  plain: 'PLAIN',
  'scram-sha-256': 'SCRAM-SHA-256',
  'scram-sha-512': 'SCRAM-SHA-512',
};

/** The same settings for @platformatic/kafka: bootstrap brokers, TLS and SASL. */
export function producerConnectionOptions(
  connection: KafkaConnection,
): ProducerConnection & { bootstrapBrokers: string[] } {
  const settings = kafkaSecurity(connection);
  return {
    bootstrapBrokers: brokerAddresses(connection),
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
  const security = kafkaSecurity(connection);
  if (security.tls !== undefined) config.ssl = security.tls;
  if (security.sasl !== undefined) config.sasl = security.sasl;
  return config;
}

export function createKafka(connection: KafkaConnection, options: KafkaClientOptions = {}): Kafka {
  return new Kafka(kafkaConfig(connection, options));
}

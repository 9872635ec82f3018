/**
 * Turns what the Kafka clients throw into the sink's `TidewaterError`s: one stable code per
 * condition an operator can act on. Both clients wrap the root cause: kafkajs's
 * `KafkaJSNumberOfRetriesExceeded` holds the last `KafkaJSConnectionError` and
 * `KafkaJSNonRetriableError` a protocol error; @platformatic/kafka's `MultipleErrors` holds
 * every attempt's error (`errors`) and a `ResponseError` one `ProtocolError` per failed
 * partition. So the chain is walked and the most specific cause wins. Protocol error names are
 * Kafka's own (`org.apache.kafka.common.protocol.Errors`): kafkajs copies them into
 * `error.type`, @platformatic/kafka into `error.apiId`. Messages name brokers, topics, tables
 * and keys; never a password.
 */
import { TidewaterError } from '@tidewater/errors';

/** What the caller was doing, for the message: brokers and topic are never secret. */
export interface KafkaErrorContext {
  brokers: readonly string[];
  topic?: string;
  /** `SASL_SSL SCRAM-SHA-256 as user "x"`, `PLAINTEXT`, … (`describeSecurity`). */
  security: string;
  /** Whether the client presented a certificate (TLS with a client certificate). */
  hasClientCertificate?: boolean;
}

interface ErrorLike {
  name?: unknown;
  type?: unknown;
  message?: unknown;
  code?: unknown;
  apiId?: unknown;
  cause?: unknown;
  originalError?: unknown;
  errors?: unknown;
}

/** @platformatic/kafka's wrapper after the last retry: `produce failed 21 times.` */
function isRetryHistory(item: ErrorLike): boolean {
  return item.code === 'PLT_KFK_MULTIPLE' && /^\S+ failed \d+ times\.$/.test(text(item.message));
}

/**
 * The error and every cause under it, outermost first. Bounded: a request that failed after
 * every retry holds one error per attempt (20 by default), each with a cause or two.
 */
export function errorChain(error: unknown): ErrorLike[] {
  const chain: ErrorLike[] = [];
  const queue: unknown[] = [error];
  while (queue.length > 0 && chain.length < 128) {
    const next = queue.shift();
    if (next === null || typeof next !== 'object' || chain.includes(next as ErrorLike)) continue;
    const item = next as ErrorLike;
    chain.push(item);
    if (item.cause !== undefined) queue.push(item.cause);
    if (item.originalError !== undefined) queue.push(item.originalError);
    if (Array.isArray(item.errors)) {
      // A request that failed every retry holds one error per attempt: the last one says why
      // it finally failed (an earlier broker restart does not make a refused batch unreachable).
      if (isRetryHistory(item)) queue.push(item.errors.at(-1));
      else queue.push(...(item.errors as unknown[]));
    }
  }
  return chain;
}

const AUTHORIZATION_TYPES = new Set([
  'TOPIC_AUTHORIZATION_FAILED',
  'CLUSTER_AUTHORIZATION_FAILED',
  'GROUP_AUTHORIZATION_FAILED',
  'TRANSACTIONAL_ID_AUTHORIZATION_FAILED',
  'DELEGATION_TOKEN_AUTHORIZATION_FAILED',
]);

const AUTHENTICATION_TYPES = new Set([
  'SASL_AUTHENTICATION_FAILED',
  'ILLEGAL_SASL_STATE',
  'UNSUPPORTED_SASL_MECHANISM',
]);

const TOO_LARGE_TYPES = new Set(['MESSAGE_TOO_LARGE', 'RECORD_LIST_TOO_LARGE']);

/** @platformatic/kafka's codes: a refused login; a socket that failed, closed or timed out. */
const AUTHENTICATION_CODE = 'PLT_KFK_AUTHENTICATION';
const NETWORK_CODE = 'PLT_KFK_NETWORK';

/** The Kafka protocol error name an item carries, from either client. */
function protocolType(item: ErrorLike): string {
  return text(item.type) || text(item.apiId);
}

const UNREACHABLE_NAMES = new Set([
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSRequestTimeoutError',
  'KafkaJSBrokerNotFound',
  'KafkaJSNoBrokerAvailableError',
]);

/**
 * Node's verification codes for a broker certificate it does not trust (OpenSSL's
 * `X509_V_ERR_*` names without the prefix, plus the host name check).
 */
const UNTRUSTED_SERVER_CODES = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/**
 * TLS alerts the broker sends when it refuses the client's certificate or wants one (RFC 8446
 * §6.2: bad_certificate 42, unknown_ca 48, certificate_required 116, …); Node names them
 * `ERR_SSL_SSL/TLS_ALERT_BAD_CERTIFICATE`, `ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED`, ….
 */
const CLIENT_CERTIFICATE_ALERT =
  /^ERR_SSL_.*ALERT_(BAD_CERTIFICATE|CERTIFICATE_REQUIRED|UNKNOWN_CA|CERTIFICATE_UNKNOWN|CERTIFICATE_EXPIRED|CERTIFICATE_REVOKED|UNSUPPORTED_CERTIFICATE|HANDSHAKE_FAILURE)$/;

/** OpenSSL refusing the client's own certificate or key before anything is sent. */
const UNUSABLE_CLIENT_KEY = /key values mismatch|DECODER routines|PEM routines|bad decrypt/i;

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** The first line of a cause's message, whitespace folded, for the operator's message. */
function shortReason(item: ErrorLike | undefined): string {
  if (item === undefined) return 'no reason given';
  return text(item.message).replace(/\s+/g, ' ').trim().slice(0, 200) || text(item.name);
}

export function kafkaUnreachable(context: KafkaErrorContext, cause: unknown): TidewaterError {
  const reason = shortReason(errorChain(cause).at(-1));
  return new TidewaterError(
    'KAFKA_UNREACHABLE',
    `Kafka at ${context.brokers.join(', ')} (${context.security}) did not answer: ${reason}.`,
    {
      category: 'unavailable',
      isRetryable: true,
      remedy:
        'Check the broker hosts and port, that the broker runs, that this listener speaks the chosen ' +
        'security (PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL: TLS on exactly when the listener ' +
        'uses it), and that no firewall blocks the port.',
      details: { brokers: context.brokers, security: context.security },
      cause,
    },
  );
}

export function kafkaAuthFailed(context: KafkaErrorContext, cause: unknown): TidewaterError {
  return new TidewaterError(
    'KAFKA_AUTH_FAILED',
    `Kafka at ${context.brokers.join(', ')} rejected the login (${context.security}).`,
    {
      category: 'unauthorized',
      remedy:
        'Check the Kafka account name, the password and the mechanism the listener offers. SCRAM ' +
        'credentials exist per mechanism (kafka-configs --alter --entity-type users --entity-name ' +
        "<account> --add-config 'SCRAM-SHA-512=[password=...]'); PLAIN accounts are the " +
        "listener's JAAS configuration.",
      details: { brokers: context.brokers, security: context.security },
      cause,
    },
  );
}

export function kafkaTlsUntrusted(context: KafkaErrorContext, cause: unknown): TidewaterError {
  const reason = shortReason(errorChain(cause).at(-1)).replace(/^Connection error: /, '');
  return new TidewaterError(
    'KAFKA_TLS_UNTRUSTED',
    `The certificate of Kafka at ${context.brokers.join(', ')} is not trusted (${context.security}): ${reason}.`,
    {
      category: 'unauthorized',
      remedy:
        "Paste the CA certificate (PEM) that signed the brokers' certificates in the TLS CA field, " +
        'and connect by a host name or address the certificate names. Turn off certificate ' +
        'verification only for a test cluster.',
      details: { brokers: context.brokers, security: context.security },
      cause,
    },
  );
}

export function kafkaClientCertificateRejected(
  context: KafkaErrorContext,
  cause: unknown,
): TidewaterError {
  const brokers = context.brokers.join(', ');
  return new TidewaterError(
    'KAFKA_TLS_CLIENT_CERT_REJECTED',
    context.hasClientCertificate
      ? `Kafka at ${brokers} refused the client certificate (${context.security}).`
      : `Kafka at ${brokers} requires a client certificate, and none was given (${context.security}).`,
    {
      category: 'unauthorized',
      remedy: context.hasClientCertificate
        ? "Use a client certificate signed by a CA in the broker's truststore (ssl.truststore), not expired, with its private key."
        : "Turn on TLS with a client certificate: paste the certificate and its private key (PEM), signed by a CA in the broker's truststore.",
      details: { brokers: context.brokers, security: context.security },
      cause,
    },
  );
}

export function kafkaClientKeyUnusable(context: KafkaErrorContext, cause: unknown): TidewaterError {
  return new TidewaterError(
    'KAFKA_TLS_CLIENT_KEY_INVALID',
    `The client certificate and private key for Kafka at ${context.brokers.join(', ')} cannot be used together: ${shortReason(errorChain(cause).at(-1)).replace(/^Failed to connect: /, '')}.`,
    {
      category: 'invalid_input',
      remedy:
        'Paste the private key that belongs to the client certificate, unencrypted, in PEM ' +
        '(-----BEGIN PRIVATE KEY-----); convert an encrypted one with `openssl pkcs8 -topk8 -nocrypt`.',
      details: { brokers: context.brokers, security: context.security },
      cause,
    },
  );
}

export function kafkaTopicMissing(context: KafkaErrorContext, topic: string): TidewaterError {
  return new TidewaterError(
    'KAFKA_TOPIC_MISSING',
    `Topic "${topic}" does not exist on Kafka at ${context.brokers.join(', ')}.`,
    {
      category: 'not_found',
      remedy:
        'Create the topic (with the partition count the partition policy needs) or choose an ' +
        'existing one; Tidewater does not create topics for a task.',
      details: { topic, brokers: context.brokers },
    },
  );
}

export function kafkaNotAuthorized(
  context: KafkaErrorContext,
  cause: unknown,
  operation: string,
): TidewaterError {
  const topic = context.topic === undefined ? '' : ` on topic "${context.topic}"`;
  return new TidewaterError(
    'KAFKA_NOT_AUTHORIZED',
    `The Kafka account (${context.security}) may not ${operation}${topic}.`,
    {
      category: 'unauthorized',
      remedy:
        'Grant the account the ACLs the task needs: Describe and Write on the data and DDL topics, ' +
        'IdempotentWrite on the cluster (idempotent producer), Describe/DescribeConfigs for the ' +
        'precheck, and Read on the topic plus a consumer group for the conflicting-tables check.',
      details: { topic: context.topic, security: context.security, operation },
      cause,
    },
  );
}

export function kafkaMessageTooLarge(details: {
  topic: string;
  table: string;
  key: string | null;
  bytes: number;
  limit: number;
  cause?: unknown;
}): TidewaterError {
  const key = details.key === null ? 'no key' : `key "${details.key.slice(0, 200)}"`;
  return new TidewaterError(
    'KAFKA_MESSAGE_TOO_LARGE',
    `A message for table ${details.table} (${key}) is ${details.bytes} bytes, over the ${details.limit}-byte ` +
      `limit of topic "${details.topic}"; the task stops rather than drop it.`,
    {
      category: 'unsupported',
      remedy:
        `Raise max.message.bytes on topic "${details.topic}" (and message.max.bytes / ` +
        'replica.fetch.max.bytes on the brokers, max.partition.fetch.bytes on consumers) above ' +
        'the message size, or exclude the column or table, then resume the task.',
      details: {
        topic: details.topic,
        table: details.table,
        key: details.key,
        bytes: details.bytes,
        limit: details.limit,
      },
      cause: details.cause,
    },
  );
}

/** Whether the broker refused a produce request for its size (the batch, not one record). */
export function isMessageTooLarge(error: unknown): boolean {
  return errorChain(error).some((item) => TOO_LARGE_TYPES.has(protocolType(item)));
}

/**
 * The `TidewaterError` for anything a Kafka client threw while talking to the cluster. `operation` is
 * what we tried, in the operator's words (`produce`, `list topics`). Errors that are already
 * `TidewaterError`s pass through.
 */
export function translateKafkaError(
  error: unknown,
  context: KafkaErrorContext,
  operation: string,
): TidewaterError {
  if (error instanceof TidewaterError) return error;
  const chain = errorChain(error);
  const types = chain.map(protocolType);
  const names = chain.map((item) => text(item.name));
  const codes = chain.map((item) => text(item.code));

  if (
    names.includes('KafkaJSSASLAuthenticationError') ||
    codes.includes(AUTHENTICATION_CODE) ||
    types.some((type) => AUTHENTICATION_TYPES.has(type))
  ) {
    return kafkaAuthFailed(context, error);
  }
  if (codes.some((code) => UNTRUSTED_SERVER_CODES.has(code))) {
    return kafkaTlsUntrusted(context, error);
  }
  if (codes.some((code) => CLIENT_CERTIFICATE_ALERT.test(code))) {
    return kafkaClientCertificateRejected(context, error);
  }
  if (chain.some((item) => UNUSABLE_CLIENT_KEY.test(text(item.message)))) {
    return kafkaClientKeyUnusable(context, error);
  }
  if (types.some((type) => AUTHORIZATION_TYPES.has(type))) {
    return kafkaNotAuthorized(context, error, operation);
  }
  if (types.includes('UNKNOWN_TOPIC_OR_PARTITION') && context.topic !== undefined) {
    return kafkaTopicMissing(context, context.topic);
  }
  if (names.some((name) => UNREACHABLE_NAMES.has(name)) || codes.includes(NETWORK_CODE)) {
    return kafkaUnreachable(context, error);
  }
  const root = chain.at(-1);
  return new TidewaterError(
    'KAFKA_REQUEST_FAILED',
    `Kafka at ${context.brokers.join(', ')} could not ${operation}: ${shortReason(root)}.`,
    {
      category: 'unavailable',
      isRetryable: chain.some((item) => {
        const flags = item as { retriable?: unknown; canRetry?: unknown };
        return flags.retriable === true || flags.canRetry === true;
      }),
      remedy:
        'Check the broker log for the request; if the error names a broker setting, adjust it. ' +
        'Retrying the task later resumes from the last checkpoint.',
      details: {
        brokers: context.brokers,
        topic: context.topic,
        operation,
        types: [...new Set(types.filter((type) => type !== ''))],
      },
      cause: error,
    },
  );
}

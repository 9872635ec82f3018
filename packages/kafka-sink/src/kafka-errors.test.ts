import { describe, expect, it } from 'vitest';
import { isMessageTooLarge, translateKafkaError } from './kafka-errors';

const context = { brokers: ['k1:9092'], security: 'PLAINTEXT', topic: 'orders' };

/** Errors shaped as kafkajs 2.2.4 builds them (name, type, retriable, cause chain). */
function kafkaError(name: string, message: string, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(message), { name, ...extra });
}

describe('translateKafkaError', () => {
  it('finds the protocol error under the retry wrapper', () => {
    const cause = kafkaError('KafkaJSProtocolError', 'Not authorized to access topics', {
      type: 'TOPIC_AUTHORIZATION_FAILED',
    });
    const wrapped = kafkaError('KafkaJSNumberOfRetriesExceeded', 'retries', { cause });
    const error = translateKafkaError(wrapped, context, 'produce');
    expect(error.code).toBe('KAFKA_NOT_AUTHORIZED');
    expect(error.message).toBe('The Kafka account (PLAINTEXT) may not produce on topic "orders".');
  });

  it.each([
    ['KafkaJSSASLAuthenticationError', undefined, 'KAFKA_AUTH_FAILED'],
    ['KafkaJSProtocolError', 'SASL_AUTHENTICATION_FAILED', 'KAFKA_AUTH_FAILED'],
    ['KafkaJSProtocolError', 'CLUSTER_AUTHORIZATION_FAILED', 'KAFKA_NOT_AUTHORIZED'],
    ['KafkaJSProtocolError', 'UNKNOWN_TOPIC_OR_PARTITION', 'KAFKA_TOPIC_MISSING'],
    ['KafkaJSConnectionError', undefined, 'KAFKA_UNREACHABLE'],
    ['KafkaJSRequestTimeoutError', undefined, 'KAFKA_UNREACHABLE'],
    ['KafkaJSProtocolError', 'NOT_ENOUGH_REPLICAS', 'KAFKA_REQUEST_FAILED'],
  ])('maps %s %s to %s', (name, type, code) => {
    expect(translateKafkaError(kafkaError(name, 'x', { type }), context, 'produce').code).toBe(
      code,
    );
  });

  it('recognises a refused batch as too large', () => {
    const cause = kafkaError('KafkaJSProtocolError', 'too large', { type: 'MESSAGE_TOO_LARGE' });
    expect(isMessageTooLarge(kafkaError('KafkaJSNonRetriableError', 'x', { cause }))).toBe(true);
    expect(isMessageTooLarge(new Error('other'))).toBe(false);
  });
});

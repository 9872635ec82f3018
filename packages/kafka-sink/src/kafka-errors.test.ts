import {
  AuthenticationError,
  MultipleErrors,
  NetworkError,
  ProtocolError,
  ResponseError,
  TimeoutError,
  protocolErrors,
} from '@platformatic/kafka';
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

/** Errors as @platformatic/kafka builds them: its own classes, wrapped as its producer does. */
describe('translateKafkaError with @platformatic/kafka errors', () => {
  const attempts = (last: Error) =>
    new MultipleErrors('produce failed 21 times.', [
      ...Array.from({ length: 20 }, () => new NetworkError('Connection closed')),
      last,
    ]);
  const response = (id: keyof typeof protocolErrors) =>
    new ResponseError(
      0,
      9,
      { '/responses/0/partitionResponses/0': [protocolErrors[id]!.code, null] },
      {},
    );

  it.each([
    [new AuthenticationError('SASL authentication failed.'), 'KAFKA_AUTH_FAILED'],
    [new ProtocolError('SASL_AUTHENTICATION_FAILED'), 'KAFKA_AUTH_FAILED'],
    [attempts(new NetworkError('Connection to k1:9092 failed.')), 'KAFKA_UNREACHABLE'],
    [new TimeoutError('Request timed out after 35000 milliseconds.'), 'KAFKA_UNREACHABLE'],
    [
      new MultipleErrors('produce failed 1 times.', [response('TOPIC_AUTHORIZATION_FAILED')]),
      'KAFKA_NOT_AUTHORIZED',
    ],
    [response('UNKNOWN_TOPIC_OR_PARTITION'), 'KAFKA_TOPIC_MISSING'],
    [response('NOT_ENOUGH_REPLICAS'), 'KAFKA_REQUEST_FAILED'],
  ])('maps %s to %s', (error, code) => {
    expect(translateKafkaError(error, context, 'produce').code).toBe(code);
  });

  it("names the broker's reason and the protocol error once", () => {
    const error = translateKafkaError(
      attempts(response('NOT_ENOUGH_REPLICAS')),
      context,
      'produce',
    );
    expect(error.code).toBe('KAFKA_REQUEST_FAILED');
    expect(error.message).toMatch(/^Kafka at k1:9092 could not produce: /);
    expect(error.details).toMatchObject({ types: ['NOT_ENOUGH_REPLICAS'] });
    expect(error.isRetryable).toBe(true);
  });

  it('recognises a refused batch as too large', () => {
    expect(isMessageTooLarge(new MultipleErrors('x', [response('MESSAGE_TOO_LARGE')]))).toBe(true);
    expect(isMessageTooLarge(response('RECORD_LIST_TOO_LARGE'))).toBe(true);
    expect(isMessageTooLarge(response('NOT_ENOUGH_REPLICAS'))).toBe(false);
  });
});

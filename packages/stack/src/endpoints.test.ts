import { describe, expect, it } from 'vitest';

import { describeEndpoint, readStackEndpoints, withDatabase } from './endpoints';

describe('readStackEndpoints', () => {
  it('defaults to the local stack on 127.0.0.1', () => {
    const endpoints = readStackEndpoints({});
    expect(endpoints.postgres.url).toBe('postgresql://postgres@127.0.0.1:5432/tidewater');
    expect(endpoints.postgres.testUrl).toBe('postgresql://postgres@127.0.0.1:5432/tidewater_test');
    expect(endpoints.mariadb.port).toBe(3307);
    expect(endpoints.kafka.brokers).toEqual(['127.0.0.1:9092']);
    expect(endpoints.kafka.saslBrokers).toEqual(['127.0.0.1:9094']);
    expect(endpoints.kafka.sslBrokers).toEqual(['127.0.0.1:9095']);
    expect(endpoints.kafka.saslSslBrokers).toEqual(['127.0.0.1:9096']);
    expect(endpoints.registry.url).toBe('http://127.0.0.1:8081/apis/ccompat/v7');
  });

  it('takes overrides from the environment', () => {
    const endpoints = readStackEndpoints({
      DATABASE_URL: 'postgresql://app:pw@db.internal:6543/app',
      TIDEWATER_SOURCE_PORT: '13307',
      TIDEWATER_KAFKA_BROKERS: 'a:1, b:2',
      TIDEWATER_SCHEMA_REGISTRY_URL: 'http://registry:8080/apis/ccompat/v7/',
    });
    expect(endpoints.postgres.testUrl).toBe('postgresql://app:pw@db.internal:6543/tidewater_test');
    expect(endpoints.mariadb.port).toBe(13307);
    expect(endpoints.kafka.brokers).toEqual(['a:1', 'b:2']);
    expect(endpoints.registry.url).toBe('http://registry:8080/apis/ccompat/v7');
  });

  it('rejects a port that is not a number with a stable code', () => {
    expect(() => readStackEndpoints({ TIDEWATER_SOURCE_PORT: 'abc' })).toThrow(
      expect.objectContaining({ code: 'STACK_ENV_INVALID' }),
    );
  });
});

describe('describeEndpoint', () => {
  it('never shows the password of a database URL', () => {
    const endpoints = readStackEndpoints({ DATABASE_URL: 'postgresql://app:s3cret@db:5432/app' });
    expect(describeEndpoint('postgres', endpoints)).toBe('db:5432/app');
  });

  it('replaces only the database of a URL', () => {
    expect(withDatabase('postgresql://u@h:1/a?sslmode=disable', 'b')).toBe(
      'postgresql://u@h:1/b?sslmode=disable',
    );
  });
});

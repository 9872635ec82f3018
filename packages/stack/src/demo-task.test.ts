import { describe, expect, it } from 'vitest';

import { demoTaskEndpoints, demoTaskRequest } from './demo-task';
import { readStackEndpoints } from './endpoints';

describe('the demo task', () => {
  const endpoints = readStackEndpoints({});

  it('natively, reads the stack source on 127.0.0.1:3307 and writes to 127.0.0.1:9092', () => {
    expect(demoTaskRequest(demoTaskEndpoints('native', endpoints))).toEqual({
      name: 'demo_shop to Kafka',
      source: {
        type: 'mariadb',
        host: '127.0.0.1',
        port: 3307,
        user: 'tidewater',
        password: endpoints.mariadb.password,
      },
      destination: { hosts: '127.0.0.1', port: 9092, topic: 'demo_shop' },
    });
  });

  it('under Docker Compose, names the services as the worker container sees them', () => {
    expect(demoTaskRequest(demoTaskEndpoints('compose', endpoints))).toMatchObject({
      source: { type: 'mysql', host: 'mysql', port: 3306, user: 'tidewater' },
      destination: { hosts: 'kafka', port: 19092, topic: 'demo_shop' },
    });
  });

  it('follows TIDEWATER_KAFKA_BROKERS natively', () => {
    const moved = readStackEndpoints({ TIDEWATER_KAFKA_BROKERS: 'broker.internal:29092' });
    expect(demoTaskEndpoints('native', moved).kafka).toEqual({
      host: 'broker.internal',
      port: 29092,
    });
  });
});

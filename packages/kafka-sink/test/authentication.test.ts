import { isTidewaterError } from '@tidewater/errors';
import { stackEndpoints } from '@tidewater/stack';
import { afterAll, describe, expect, it } from 'vitest';
import { describeBrokerVersion, listTopics, openKafkaSink, recordBytes } from '../src/index';
import {
  dropTopics,
  makeTopic,
  readTopic,
  SECURED_LISTENERS,
  securedDestination,
  stackTls,
} from '@tidewater/test-kit/stack';

/**
 * Every way of logging in the stack's broker offers, on its own listener: SASL/PLAIN and
 * SCRAM-SHA-512 on SASL_PLAINTEXT, a client certificate on SSL (the listener requires one) and
 * SCRAM over SASL_SSL; and the failures an operator meets, each with its code.
 */

afterAll(dropTopics);

async function failureOf(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    if (isTidewaterError(error)) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error('expected a failure');
}

describe('Kafka security', () => {
  it.each(SECURED_LISTENERS)(
    'logs in with %s, asks the broker version and delivers',
    async (kind) => {
      const topic = await makeTopic(`auth-${kind}`);
      const destination = securedDestination(kind, topic);
      expect(String(await describeBrokerVersion(destination))).toMatch(/^3\./);
      expect(await listTopics(destination)).toContainEqual({ name: topic, partitions: 1 });
      const sink = await openKafkaSink({ destination });
      try {
        const value = Buffer.from(`{"over":"${kind}"}`);
        const report = await sink.deliver([
          { topic, partition: 0, key: null, value, size: recordBytes(null, value), table: 'shop' },
        ]);
        expect(report).toMatchObject({ messages: 1 });
      } finally {
        await sink.close();
      }
      expect((await readTopic(topic, 1))[0]!.value.toString()).toBe(`{"over":"${kind}"}`);
    },
  );

  it.each(['plain', 'scram-sha-512', 'sasl-ssl'] as const)(
    'reports a wrong %s password as KAFKA_AUTH_FAILED without the password',
    async (kind) => {
      const failure = await failureOf(
        listTopics(securedDestination(kind, 'any', { password: 'not-the-secret' })),
      );
      expect(failure.code).toBe('KAFKA_AUTH_FAILED');
      expect(failure.message).toContain(`user "${stackEndpoints.kafka.sasl.username}"`);
      expect(failure.message).not.toContain('not-the-secret');
    },
  );

  it('reports a listener that requires a client certificate, given none, as KAFKA_TLS_CLIENT_CERT_REJECTED', async () => {
    const destination = securedDestination('mtls', 'any', {
      tls: { enabled: true, rejectUnauthorized: true, ca: stackTls().ca },
    });
    for (const attempt of [listTopics, describeBrokerVersion]) {
      const failure = await failureOf(attempt(destination));
      expect(failure.code).toBe('KAFKA_TLS_CLIENT_CERT_REJECTED');
      expect(failure.message).toMatch(/requires a client certificate, and none was given/);
    }
  });

  it('reports a broker certificate signed by a CA it was not given as KAFKA_TLS_UNTRUSTED', async () => {
    // Without the stack's CA the system CAs are used, and none of them signed the broker's.
    const destination = securedDestination('sasl-ssl', 'any', {
      tls: { enabled: true, rejectUnauthorized: true },
    });
    for (const attempt of [listTopics, describeBrokerVersion]) {
      const failure = await failureOf(attempt(destination));
      expect(failure.code).toBe('KAFKA_TLS_UNTRUSTED');
      expect(failure.message).toMatch(
        /is not trusted .*self-signed certificate in certificate chain/,
      );
    }
  });

  it('reports a client key that does not belong to the certificate as KAFKA_TLS_CLIENT_KEY_INVALID', async () => {
    const tls = stackTls();
    const failure = await failureOf(
      listTopics(
        securedDestination('mtls', 'any', {
          tls: {
            enabled: true,
            rejectUnauthorized: true,
            ca: tls.ca,
            clientCert: tls.ca,
            clientKey: tls.clientKey,
          },
        }),
      ),
    );
    expect(failure.code).toBe('KAFKA_TLS_CLIENT_KEY_INVALID');
    expect(failure.message).not.toContain('PRIVATE KEY');
  });

  it('refuses a client certificate without its key before connecting', async () => {
    const tls = stackTls();
    const failure = await failureOf(
      listTopics(
        securedDestination('mtls', 'any', {
          tls: { enabled: true, rejectUnauthorized: true, ca: tls.ca, clientCert: tls.clientCert },
        }),
      ),
    );
    expect(failure.code).toBe('KAFKA_CLIENT_KEY_MISSING');
  });
});

import { describe, expect, it } from 'vitest';
import { advancedSchema, taskConfigSchema } from './task-config';

const endpoints = {
  source: { type: 'mysql', host: 'db', user: 'u' },
  destination: { hosts: 'kafka', topic: 't' },
};

describe('advanced.canalJsonValues', () => {
  it("is Canal's values unless the task asks for the Flink values", () => {
    expect(taskConfigSchema.parse(endpoints).advanced.canalJsonValues).toBe('canal');
    expect(advancedSchema.parse({}).canalJsonValues).toBe('canal');
    const flink = taskConfigSchema.parse({
      ...endpoints,
      format: 'canal-json',
      advanced: { canalJsonValues: 'flink' },
    });
    expect(flink.advanced).toMatchObject({ canalJsonValues: 'flink', retryMinutes: 720 });
  });

  it('rejects any other value with a message naming the choices', () => {
    const result = advancedSchema.safeParse({ canalJsonValues: 'debezium' });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]).toMatchObject({
      path: ['canalJsonValues'],
      message: 'Choose Canal or Flink values.',
    });
  });
});

describe('destination.encryption and tls', () => {
  const destination = (extra: Record<string, unknown>) =>
    taskConfigSchema.safeParse({
      ...endpoints,
      destination: { ...endpoints.destination, ...extra },
    });
  const cert = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----';
  const key = '-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----';

  it('asks every SASL mechanism for the account, naming the mechanism', () => {
    for (const [encryption, label] of [
      ['plain', 'SASL/PLAIN'],
      ['scram-sha-512', 'SASL/SCRAM-SHA-512'],
    ]) {
      const result = destination({ encryption });
      expect(result.error?.issues[0]).toMatchObject({
        path: ['destination', 'user'],
        message: `${label} needs the Kafka account name.`,
      });
    }
    expect(destination({ encryption: 'plain', user: 'u' }).success).toBe(true);
  });

  it('takes a client certificate and key with TLS on, and refuses them with TLS off', () => {
    const on = destination({ tls: { enabled: true, clientCert: cert, clientKey: key } });
    expect(on.data?.destination.tls).toMatchObject({ clientCert: cert, clientKey: key });
    expect(
      destination({ tls: { enabled: false, clientCert: cert, clientKey: key } }).error?.issues[0],
    ).toMatchObject({
      path: ['destination', 'tls', 'clientCert'],
      message: 'A client certificate needs TLS on.',
    });
  });

  it('refuses a key without its certificate, and text that is not PEM', () => {
    expect(destination({ tls: { enabled: true, clientKey: key } }).error?.issues[0]?.message).toBe(
      'Paste the client certificate that goes with the private key.',
    );
    expect(
      destination({ tls: { enabled: true, clientCert: 'not a certificate' } }).error?.issues[0]
        ?.message,
    ).toMatch(/client certificate in PEM/);
    // An emptied field is no certificate.
    expect(destination({ tls: { enabled: true, clientCert: ' ' } }).data?.destination.tls).toEqual({
      enabled: true,
      rejectUnauthorized: true,
      clientCert: undefined,
    });
  });
});

import { describe, expect, it } from 'vitest';
import { describeSecurity, kafkaConfig, kafkaSecurity, type KafkaConnection } from './connection';

const base: KafkaConnection = {
  hosts: 'kafka1:9096',
  port: 9092,
  encryption: 'none',
  tls: { enabled: false, rejectUnauthorized: true },
};
const login = { user: 'producer', password: 'pw' };
const tls = { enabled: true, rejectUnauthorized: true, ca: 'CA-PEM' };

describe('kafkaSecurity', () => {
  it('maps each SASL mechanism to the client mechanism with the account', () => {
    for (const encryption of ['plain', 'scram-sha-256', 'scram-sha-512'] as const) {
      expect(kafkaSecurity({ ...base, encryption, ...login })).toEqual({
        sasl: { mechanism: encryption, username: 'producer', password: 'pw' },
      });
    }
    expect(kafkaSecurity(base)).toEqual({});
  });

  it('gives TLS options with the CA and, for mutual TLS, the client certificate and key', () => {
    expect(kafkaSecurity({ ...base, tls })).toEqual({
      tls: { rejectUnauthorized: true, ca: ['CA-PEM'] },
    });
    const mtls = kafkaSecurity({ ...base, tls: { ...tls, clientCert: 'CERT', clientKey: 'KEY' } });
    expect(mtls.tls).toEqual({
      rejectUnauthorized: true,
      ca: ['CA-PEM'],
      cert: 'CERT',
      key: 'KEY',
    });
    // TLS off: a certificate left in the form is not used.
    expect(kafkaSecurity({ ...base, tls: { ...base.tls, clientCert: 'CERT' } })).toEqual({});
  });

  it('refuses a client certificate without its key', () => {
    expect(() => kafkaSecurity({ ...base, tls: { ...tls, clientCert: 'CERT' } })).toThrow(
      expect.objectContaining({ code: 'KAFKA_CLIENT_KEY_MISSING' }),
    );
  });

  it('hands SASL over TLS to kafkajs as both', () => {
    const config = kafkaConfig({ ...base, encryption: 'scram-sha-512', ...login, tls });
    expect(config.sasl).toEqual({
      mechanism: 'scram-sha-512',
      username: 'producer',
      password: 'pw',
    });
    expect(config.ssl).toEqual({ rejectUnauthorized: true, ca: ['CA-PEM'] });
  });
});

describe('describeSecurity', () => {
  it('names the protocol, mechanism and account, never the password or key', () => {
    expect(describeSecurity(base)).toBe('PLAINTEXT');
    expect(describeSecurity({ ...base, encryption: 'plain', ...login })).toBe(
      'SASL_PLAINTEXT PLAIN as user "producer"',
    );
    expect(describeSecurity({ ...base, encryption: 'scram-sha-512', ...login, tls })).toBe(
      'SASL_SSL SCRAM-SHA-512 as user "producer"',
    );
    const mtls = { ...base, tls: { ...tls, clientCert: 'CERT', clientKey: 'KEY' } };
    expect(describeSecurity(mtls)).toBe('SSL with a client certificate');
  });
});

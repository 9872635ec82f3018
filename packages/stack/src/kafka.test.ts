import { describe, expect, it } from 'vitest';

import { readStackEndpoints } from './endpoints';
import { firstMavenError, renderKafkaPom, renderServerProperties } from './kafka';

describe('renderServerProperties', () => {
  const properties = renderServerProperties({
    endpoint: readStackEndpoints({}).kafka,
    dataDir: '/data',
    tls: { keystore: '/tls/broker-keystore.pem', truststore: '/tls/ca.pem' },
  });

  it('runs one KRaft node with PLAINTEXT, SASL, SSL, SASL_SSL and controller listeners', () => {
    expect(properties).toContain('process.roles=broker,controller');
    expect(properties).toContain(
      'listeners=PLAINTEXT://127.0.0.1:9092,SASL_PLAINTEXT://127.0.0.1:9094,SSL://127.0.0.1:9095,SASL_SSL://127.0.0.1:9096,CONTROLLER://127.0.0.1:9093',
    );
    expect(properties).toContain('sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-256,SCRAM-SHA-512');
    expect(properties).toContain('listener.name.ssl.ssl.client.auth=required');
    expect(properties).toContain('ssl.keystore.location=/tls/broker-keystore.pem');
    expect(properties).toContain('inter.broker.listener.name=PLAINTEXT');
    expect(properties).toContain('auto.create.topics.enable=false');
  });

  it('takes the TLS listener ports from the environment, for a second stack beside the first', () => {
    const other = renderServerProperties({
      endpoint: readStackEndpoints({
        TIDEWATER_KAFKA_SSL_BROKERS: '127.0.0.1:19095',
        TIDEWATER_KAFKA_SASL_SSL_BROKERS: '127.0.0.1:19096',
      }).kafka,
      dataDir: '/data',
      tls: { keystore: '/k.pem', truststore: '/ca.pem' },
    });
    expect(other).toContain('SSL://127.0.0.1:19095,SASL_SSL://127.0.0.1:19096');
  });

  it('holds the password only in the PLAIN login module, which reads it from there', () => {
    const lines = properties.split('\n').filter((line) => line.includes('tidewater-secret'));
    expect(lines).toHaveLength(2);
    for (const line of lines)
      expect(line).toMatch(/\.plain\.sasl\.jaas\.config=.*PlainLoginModule/);
  });
});

describe('renderKafkaPom', () => {
  it('is well-formed enough for Maven: no double dash inside comments', () => {
    const comments = renderKafkaPom('3.9.1').match(/<!--([\s\S]*?)-->/g) ?? [];
    for (const comment of comments) expect(comment.slice(4, -3)).not.toContain('--');
  });
});

describe('firstMavenError', () => {
  it('picks the fatal line and drops colour codes', () => {
    const output =
      '\u001b[0m[ERROR] [ERROR] Some problems were encountered:\n' +
      '[FATAL] Non-parseable POM pom.xml: unexpected\n[ERROR] The build could not read 1 project';
    expect(firstMavenError(output)).toBe('Non-parseable POM pom.xml: unexpected');
  });

  it('falls back to the first error line', () => {
    expect(firstMavenError('[INFO] x\n[ERROR] Failed to execute goal: could not resolve\n')).toBe(
      'Failed to execute goal: could not resolve',
    );
  });
});

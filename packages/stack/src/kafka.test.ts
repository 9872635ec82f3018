import { describe, expect, it } from 'vitest';

import { readStackEndpoints } from './endpoints';
import { firstMavenError, renderKafkaPom, renderServerProperties } from './kafka';

describe('renderServerProperties', () => {
  const properties = renderServerProperties({
    endpoint: readStackEndpoints({}).kafka,
    dataDir: '/data',
  });

  it('runs one KRaft node with PLAINTEXT, SCRAM and controller listeners', () => {
    expect(properties).toContain('process.roles=broker,controller');
    expect(properties).toContain(
      'listeners=PLAINTEXT://127.0.0.1:9092,SASL_PLAINTEXT://127.0.0.1:9094,CONTROLLER://127.0.0.1:9093',
    );
    expect(properties).toContain('sasl.enabled.mechanisms=SCRAM-SHA-256');
    expect(properties).toContain('inter.broker.listener.name=PLAINTEXT');
    expect(properties).toContain('auto.create.topics.enable=false');
  });

  it('keeps the SCRAM password out of the configuration file', () => {
    expect(properties).not.toContain('tidewater-secret');
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

import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { beforeAll, describe, expect, it } from 'vitest';

/**
 * docker-compose.yml is for Docker users; CI has no Docker engine, but Compose validates the
 * file (schema, interpolation, anchors, depends_on) without one.
 */

const execFileAsync = promisify(execFile);
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

type Compose = (args: string[]) => Promise<string>;

/** `docker compose` when the plugin exists, else the standalone `docker-compose`. */
async function findCompose(): Promise<Compose> {
  const candidates: [string, string[]][] = [
    ['docker', ['compose']],
    ['docker-compose', []],
  ];
  const tried: string[] = [];
  for (const [command, prefix] of candidates) {
    try {
      await execFileAsync(command, [...prefix, 'version'], { cwd: repoRoot });
      return async (args) =>
        (await execFileAsync(command, [...prefix, ...args], { cwd: repoRoot })).stdout;
    } catch (error) {
      tried.push(
        `${[command, ...prefix].join(' ')}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`,
      );
    }
  }
  throw new Error(
    `No Docker Compose found (${tried.join('; ')}). Install it: apt-get install -y docker-compose`,
  );
}

describe('docker-compose.yml', () => {
  let compose: Compose;

  beforeAll(async () => {
    compose = await findCompose();
  });

  it('is a valid Compose file', async () => {
    // Rejects with Compose's own message (and a non-zero exit) on any schema error.
    await expect(compose(['config', '-q'])).resolves.toBe('');
  });

  it('defines the whole stack plus the web and worker processes', async () => {
    const services = (await compose(['config', '--services'])).trim().split('\n').sort();
    expect(services).toEqual(['kafka', 'mysql', 'postgres', 'redis', 'registry', 'web', 'worker']);
  });

  it('publishes the same ports as the native stack', async () => {
    const config = await compose(['config']);
    for (const port of ['5432', '6379', '9092', '9094', '3307', '8081', '3000']) {
      expect(config).toMatch(new RegExp(`published: "?${port}"?|127\\.0\\.0\\.1:${port}:`));
    }
  });

  it('gives Kafka the SCRAM listener and the SCRAM user at format time', () => {
    const properties = readFileSync(
      new URL('../docker/kafka/server.properties', import.meta.url),
      'utf8',
    );
    expect(properties).toContain('SASL_PLAINTEXT://0.0.0.0:9094');
    expect(properties).toContain('sasl.enabled.mechanisms=SCRAM-SHA-256');
    const file = readFileSync(new URL('../../../docker-compose.yml', import.meta.url), 'utf8');
    expect(file).toContain(
      "--add-scram 'SCRAM-SHA-256=[name=tidewater,password=tidewater-secret]'",
    );
  });
});

import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';

import { COMPOSE_NETWORK } from '../src/demo-task';

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

interface ComposeService {
  image?: string;
  build?: Record<string, unknown>;
  command?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  expose?: string[];
  ports?: unknown[];
}

describe('docker-compose.yml', () => {
  let compose: Compose;
  let config: Promise<{ services: Record<string, ComposeService> }> | undefined;
  /** The file as Compose resolves it (anchors, merges, defaults), read once. */
  const resolved = () =>
    (config ??= compose(['config']).then(
      (text) => parse(text) as { services: Record<string, ComposeService> },
    ));

  beforeAll(async () => {
    compose = await findCompose();
  });

  it('is a valid Compose file', async () => {
    // Rejects with Compose's own message (and a non-zero exit) on any schema error.
    await expect(compose(['config', '-q'])).resolves.toBe('');
  });

  it('defines the whole stack plus the migrate, web and worker commands of one image', async () => {
    const services = (await compose(['config', '--services'])).trim().split('\n').sort();
    expect(services).toEqual([
      'kafka',
      'migrate',
      'mysql',
      'postgres',
      'redis',
      'registry',
      'web',
      'worker',
    ]);
    const config = await resolved();
    // The image's entry script (docker/entrypoint.sh) dispatches on exactly these.
    for (const command of ['migrate', 'web', 'worker']) {
      expect(config.services[command]).toMatchObject({
        image: 'tidewater:local',
        build: { dockerfile: 'Dockerfile' },
        command: [command],
      });
    }
  });

  it('starts the console and the worker once the migrations have been applied', async () => {
    const config = await resolved();
    for (const service of ['web', 'worker']) {
      expect(config.services[service]?.depends_on).toMatchObject({
        migrate: { condition: 'service_completed_successfully' },
      });
    }
  });

  it("opens the worker's health and metrics port to the network", async () => {
    const worker = (await resolved()).services.worker;
    expect(worker?.environment).toMatchObject({
      TIDEWATER_WORKER_HTTP_HOST: '0.0.0.0',
      TIDEWATER_WORKER_HTTP_PORT: '9464',
    });
    expect(worker?.expose).toEqual(['9464']);
  });

  it("has the services the quickstart's demo task names under Compose", async () => {
    const { services } = await resolved();
    const { source, kafka } = COMPOSE_NETWORK;
    // The source's service, its container port behind the published 3307.
    expect(JSON.stringify(services[source.host]?.ports)).toMatch(
      new RegExp(`3307.*${source.port}|${source.port}.*3307`),
    );
    expect(services[kafka.host]).toBeDefined();
    const properties = readFileSync(
      new URL('../docker/kafka/server.properties', import.meta.url),
      'utf8',
    );
    expect(properties).toContain(`INTERNAL://${kafka.host}:${kafka.port}`);
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

import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { taskConfigSchema } from '@tidewater/config';
import {
  createDatabase,
  createSecretBox,
  createTaskRepository,
  migrateDatabase,
  type Database,
  type TaskRepository,
} from '../src/index';

/** Which parts of a task's configuration are sealed at rest, returned, masked: a database of its own. */

const baseUrl = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/tidewater';
const name = `tidewater_task_secrets_${randomBytes(4).toString('hex')}`;
const url = Object.assign(new URL(baseUrl), { pathname: `/${name}` }).toString();
let db: Database;
let tasks: TaskRepository;

beforeAll(async () => {
  await migrateDatabase(url);
  db = createDatabase(url);
  tasks = createTaskRepository(db, createSecretBox(randomBytes(32)));
});

afterAll(async () => {
  await db?.$disconnect();
  const admin = new pg.Client({
    connectionString: Object.assign(new URL(baseUrl), { pathname: '/postgres' }).toString(),
  });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await admin.end();
});

const config = taskConfigSchema.parse({
  source: { type: 'mysql', host: 'db', user: 'app', password: 'source-pw' },
  destination: {
    hosts: 'kafka',
    encryption: 'scram-sha-256',
    user: 'producer',
    password: 'kafka-pw',
    topic: 'events',
    schemaRegistry: {
      enabled: true,
      url: 'https://registry.internal/apis/ccompat/v7',
      user: 'reg',
      password: 'registry-pw',
    },
  },
  advanced: {
    alerts: {
      enabled: true,
      latencyThresholdSeconds: 60,
      contacts: ['https://hooks.example.com/services/T01/B02/abcdEFGH1234ijklMNOP5678'],
    },
  },
});

describe('task secrets', () => {
  it('seals every password, returns none of them, masks URLs, and opens them for the worker', async () => {
    const view = await tasks.createTask(config);
    const stored = JSON.stringify(
      (await db.task.findUniqueOrThrow({ where: { id: view.id } })).config,
    );
    for (const secret of ['source-pw', 'kafka-pw', 'registry-pw']) {
      expect(stored).not.toContain(secret);
      expect(JSON.stringify(view)).not.toContain(secret);
    }
    expect(view.config.destination.schemaRegistry).toEqual({
      enabled: true,
      url: 'https://registry.internal/apis/ccompat/v7',
      user: 'reg',
      hasPassword: true,
    });
    expect(view.config.advanced.alerts).toMatchObject({
      contacts: ['https://hooks.example.com/services/T01/B02/***'],
    });
    const opened = await tasks.readTaskConfig(view.id);
    expect(opened.source.password).toBe('source-pw');
    expect(opened.destination.password).toBe('kafka-pw');
    expect(opened.destination.schemaRegistry).toMatchObject({ password: 'registry-pw' });
    expect(opened.advanced).toEqual(config.advanced);
  });

  it('reads a registry account saved inside the URL (before it had fields) as the fields', async () => {
    const view = await tasks.createTask(config);
    const legacy = {
      ...((await db.task.findUniqueOrThrow({ where: { id: view.id } })).config as Record<
        string,
        any
      >),
    };
    legacy.destination = {
      ...legacy.destination,
      schemaRegistry: { enabled: true, url: 'https://old%20user:p%40ss@registry.internal/root' },
    };
    await db.task.update({ where: { id: view.id }, data: { config: legacy } });

    const read = await tasks.getTask(view.id);
    expect(read.config.destination.schemaRegistry).toEqual({
      enabled: true,
      url: 'https://registry.internal/root',
      user: 'old user',
      hasPassword: true,
    });
    expect(JSON.stringify(read)).not.toContain('p@ss');
    expect((await tasks.readTaskConfig(view.id)).destination.schemaRegistry).toEqual({
      enabled: true,
      url: 'https://registry.internal/root',
      user: 'old user',
      password: 'p@ss',
    });
  });

  it('seals the Kafka client key, returns only that one is stored, and opens it for the worker', async () => {
    const cert = '-----BEGIN CERTIFICATE-----\nMIIBcert\n-----END CERTIFICATE-----';
    const key = '-----BEGIN PRIVATE KEY-----\nMIIEkeymaterial\n-----END PRIVATE KEY-----';
    const mtls = taskConfigSchema.parse({
      ...config,
      destination: {
        ...config.destination,
        tls: { enabled: true, clientCert: cert, clientKey: key },
      },
    });
    const view = await tasks.createTask(mtls);
    const stored = JSON.stringify(
      (await db.task.findUniqueOrThrow({ where: { id: view.id } })).config,
    );
    expect(stored).not.toContain('MIIEkeymaterial');
    expect(stored).toContain('MIIBcert');
    expect(JSON.stringify(view)).not.toContain('MIIEkeymaterial');
    expect(view.config.destination.tls).toEqual({
      enabled: true,
      rejectUnauthorized: true,
      clientCert: cert,
      hasClientKey: true,
    });
    expect((await tasks.getTask(view.id)).config.destination.tls.hasClientKey).toBe(true);
    expect((await tasks.readTaskConfig(view.id)).destination.tls.clientKey).toBe(key);
  });
});

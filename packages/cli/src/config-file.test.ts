import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { destinationSchema, taskConfigSchema } from '@tidewater/config';
import { isTidewaterError, type TidewaterError } from '@tidewater/errors';
import { loadConfigFile } from './config-file';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'tidewater-cli-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function write(name: string, text: string): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, text);
  return file;
}

async function failure(promise: Promise<unknown>): Promise<TidewaterError> {
  const error = await promise.then(
    () => new Error('loaded without an error'),
    (caught: unknown) => caught,
  );
  if (!isTidewaterError(error)) throw error;
  return error;
}

const TASK_YAML = `
name: demo shop
source:
  type: mariadb
  host: 127.0.0.1
  port: 3307
  user: tidewater
  password: tidewater
destination:
  hosts: 127.0.0.1
  topic: demo
objects:
  - kind: database
    database: demo_shop
`;

describe('loadConfigFile', () => {
  it('reads a YAML task as written (defaults are left to the API)', async () => {
    const file = await write('task.yaml', TASK_YAML);
    expect(await loadConfigFile(file, taskConfigSchema)).toEqual({
      name: 'demo shop',
      source: {
        type: 'mariadb',
        host: '127.0.0.1',
        port: 3307,
        user: 'tidewater',
        password: 'tidewater',
      },
      destination: { hosts: '127.0.0.1', topic: 'demo' },
      objects: [{ kind: 'database', database: 'demo_shop' }],
    });
  });

  it('reads a JSON file', async () => {
    const file = await write('kafka.json', '{"hosts": "127.0.0.1", "topic": "demo"}');
    expect(await loadConfigFile(file, destinationSchema)).toEqual({
      hosts: '127.0.0.1',
      topic: 'demo',
    });
  });

  it('names the file and every wrong field, and marks missing ones as required', async () => {
    const file = await write(
      'broken.yaml',
      TASK_YAML.replace('port: 3307', 'port: 99999').replace('  topic: demo\n', ''),
    );
    const error = await failure(loadConfigFile(file, taskConfigSchema));
    expect(error.code).toBe('FILE_INVALID');
    expect(error.category).toBe('invalid_input');
    expect(error.message).toBe(
      'broken.yaml: source.port: A port is between 1 and 65535. (and 1 more)',
    );
    expect(error.details.problems).toEqual([
      { path: 'source.port', message: 'A port is between 1 and 65535.' },
      { path: 'destination.topic', message: 'This field is required.' },
    ]);
    expect(error.remedy).toContain('broken.yaml');
  });

  it('names each unknown field, nested ones with their path, before sending anything', async () => {
    const file = await write(
      'unknown.yaml',
      TASK_YAML.replace('  port: 3307\n', '  port: 3307\n  sslMode: REQUIRED\n').replace(
        '  hosts: 127.0.0.1\n',
        '  hots: 127.0.0.1\n',
      ) + 'colour: blue\n',
    );
    const error = await failure(loadConfigFile(file, taskConfigSchema));
    expect(error.code).toBe('FILE_INVALID');
    expect(error.details.problems).toEqual([
      { path: 'source.sslMode', message: expect.stringMatching(/^Unknown field/) },
      { path: 'destination.hots', message: expect.stringMatching(/^Unknown field/) },
      { path: 'colour', message: expect.stringMatching(/^Unknown field/) },
      { path: 'destination.hosts', message: 'This field is required.' },
    ]);
  });

  it('reads PEM files named by tls.*File, relative to the configuration file', async () => {
    const cert = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
    const key = '-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n';
    await write('ca.pem', cert);
    await write('client.pem', cert);
    await write('client.key', key);
    const file = await write(
      'mtls.yaml',
      'hosts: 127.0.0.1:9095\ntopic: demo\ntls:\n  enabled: true\n  caFile: ca.pem\n  clientCertFile: ./client.pem\n  clientKeyFile: client.key\n',
    );
    expect(await loadConfigFile(file, destinationSchema)).toEqual({
      hosts: '127.0.0.1:9095',
      topic: 'demo',
      tls: { enabled: true, ca: cert, clientCert: cert, clientKey: key },
    });
  });

  it('names the field whose PEM file cannot be read', async () => {
    const file = await write(
      'task-pem.yaml',
      TASK_YAML.replace(
        '  topic: demo\n',
        '  topic: demo\n  tls:\n    enabled: true\n    clientKeyFile: missing.key\n',
      ),
    );
    const error = await failure(loadConfigFile(file, taskConfigSchema));
    expect(error.code).toBe('FILE_UNREADABLE');
    expect(error.message).toMatch(/missing\.key, named by destination\.tls\.clientKeyFile\.$/);
  });

  it('reports a field of the wrong type as such, not as missing', async () => {
    const file = await write('typed.json', '{"hosts": "h", "topic": "t", "tls": "yes"}');
    const error = await failure(loadConfigFile(file, destinationSchema));
    expect(error.details.problems).toEqual([
      { path: 'tls', message: expect.stringMatching(/expected object/) },
    ]);
  });

  it('reports YAML syntax errors with the line', async () => {
    const file = await write('syntax.yaml', 'source:\n  host: [a\nname: x\n');
    const error = await failure(loadConfigFile(file, taskConfigSchema));
    expect(error.code).toBe('FILE_INVALID');
    expect(error.message).toMatch(/^syntax\.yaml is not valid YAML: .*line \d+, column \d+/);
  });

  it('reports JSON syntax errors and files that hold no object', async () => {
    const json = await failure(
      loadConfigFile(await write('task.json', '{"name": }'), taskConfigSchema),
    );
    expect(json.message).toMatch(/^task\.json is not valid JSON: /);
    const list = await failure(
      loadConfigFile(await write('list.yaml', '- a\n- b\n'), taskConfigSchema),
    );
    expect(list.message).toBe('list.yaml does not hold an object.');
    const empty = await failure(loadConfigFile(await write('empty.yaml', ''), taskConfigSchema));
    expect(empty.message).toBe('empty.yaml does not hold an object.');
  });

  it('reports a missing file with its path', async () => {
    const missing = path.join(dir, 'nope.yaml');
    const error = await failure(loadConfigFile(missing, taskConfigSchema));
    expect(error.code).toBe('FILE_UNREADABLE');
    expect(error.category).toBe('invalid_input');
    expect(error.message).toBe(`There is no file ${missing}.`);
  });
});

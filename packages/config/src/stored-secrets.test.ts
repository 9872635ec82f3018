import { describe, expect, it } from 'vitest';
import {
  endpointChanges,
  kafkaEndpoint,
  keepStoredSecrets,
  keepStoredTaskSecrets,
  maskUrl,
  registryEndpoint,
  restoreMaskedUrls,
  sourceEndpoint,
  withoutSecrets,
} from './stored-secrets';
import { taskConfigSchema, type TaskConfig } from './task-config';
import { isTidewaterError, type TidewaterError } from '@tidewater/errors';

function task(overrides: Record<string, unknown> = {}): TaskConfig {
  return taskConfigSchema.parse({
    source: { type: 'mysql', host: 'db.internal', port: 3306, user: 'app', password: 'src-pw' },
    destination: {
      hosts: 'kafka1,kafka2:9093',
      port: 9092,
      encryption: 'scram-sha-256',
      user: 'producer',
      password: 'kafka-pw',
      topic: 'events',
      schemaRegistry: {
        enabled: true,
        url: 'https://registry.internal/apis/ccompat/v7',
        user: 'reg',
        password: 'reg-pw',
      },
    },
    ...overrides,
  });
}

function refusal(run: () => unknown): TidewaterError {
  try {
    run();
  } catch (error) {
    if (isTidewaterError(error)) return error;
    throw error;
  }
  throw new Error('expected PASSWORD_REQUIRED');
}

describe('endpointChanges', () => {
  const stored = task();
  it('names each source setting that moves the password elsewhere', () => {
    const source = (change: Partial<TaskConfig['source']>) =>
      endpointChanges(
        sourceEndpoint(stored.source),
        sourceEndpoint({ ...stored.source, ...change }),
      );
    expect(source({})).toEqual([]);
    expect(source({ type: 'mariadb', password: 'other' })).toEqual([]);
    expect(source({ host: 'evil.example', port: 3307 })).toEqual(['host', 'port']);
    expect(source({ user: 'root' })).toEqual(['account']);
    expect(source({ tls: { enabled: true, rejectUnauthorized: true } })).toEqual(['TLS settings']);
    // TLS off on both: what the CA field holds does not matter.
    expect(source({ tls: { enabled: false, rejectUnauthorized: false, ca: 'x' } })).toEqual([]);
  });

  it('treats TLS verification and the CA as part of a TLS endpoint', () => {
    const tls = { enabled: true, rejectUnauthorized: true, ca: 'PEM-A' };
    const base = { ...stored.source, tls };
    const changes = (next: typeof tls) =>
      endpointChanges(sourceEndpoint(base), sourceEndpoint({ ...base, tls: next }));
    expect(changes({ ...tls, ca: ' PEM-A\n' })).toEqual([]);
    expect(changes({ ...tls, ca: 'PEM-B' })).toEqual(['TLS settings']);
    expect(changes({ ...tls, rejectUnauthorized: false })).toEqual(['TLS settings']);
    expect(changes({ ...tls, enabled: false })).toEqual(['TLS settings']);
  });

  it('accepts fewer of the same Kafka brokers, but not a new one', () => {
    const kafka = (change: Partial<TaskConfig['destination']>) =>
      endpointChanges(
        kafkaEndpoint(stored.destination),
        kafkaEndpoint({ ...stored.destination, ...change }),
      );
    expect(kafka({ hosts: 'kafka2:9093, kafka1' })).toEqual([]);
    expect(kafka({ hosts: 'kafka1:9092' })).toEqual([]);
    expect(kafka({ hosts: 'kafka1,kafka3' })).toEqual(['brokers']);
    expect(kafka({ port: 9094 })).toEqual(['brokers']);
    expect(kafka({ user: 'admin', encryption: 'none' })).toEqual(['account', 'encryption']);
  });

  it('compares registry URLs as URLs', () => {
    const registry = stored.destination.schemaRegistry as { url: string; user?: string };
    const changes = (url: string, user = registry.user) =>
      endpointChanges(registryEndpoint(registry), registryEndpoint({ url, user }));
    expect(changes('https://REGISTRY.internal/apis/ccompat/v7/')).toEqual([]);
    expect(changes('https://registry.internal:8443/apis/ccompat/v7')).toEqual(['registry URL']);
    expect(changes('http://registry.internal/apis/ccompat/v7')).toEqual(['registry URL']);
    expect(changes(registry.url, 'other')).toEqual(['account']);
  });
});

describe('keepStoredSecrets', () => {
  const stored = task();
  const editable = withoutSecrets(stored);

  it('uses the stored passwords at the endpoints they were saved for', () => {
    const kept = keepStoredSecrets(stored, editable, 'task');
    expect(kept.source?.password).toBe('src-pw');
    expect(kept.destination?.password).toBe('kafka-pw');
    expect(kept.destination?.schemaRegistry).toMatchObject({ enabled: true, password: 'reg-pw' });
  });

  it('refuses every moved endpoint whose password is left out, naming the field and what changed', () => {
    const error = refusal(() =>
      keepStoredSecrets(
        stored,
        {
          source: { ...editable.source, port: 3307 },
          destination: {
            ...editable.destination,
            hosts: 'kafka9',
            schemaRegistry: { enabled: true, url: 'https://elsewhere.example', user: 'reg' },
          },
        },
        'task',
      ),
    );
    expect(error.code).toBe('PASSWORD_REQUIRED');
    expect(error.category).toBe('invalid_input');
    expect(error.message).toMatch(/^Source: the port changed/);
    expect(error.details.problems).toEqual([
      { path: 'source.password', message: expect.stringContaining('port') },
      { path: 'destination.password', message: expect.stringContaining('brokers') },
      {
        path: 'destination.schemaRegistry.password',
        message: expect.stringContaining('registry URL'),
      },
    ]);
  });

  it('names the fields relative to one side for a connectivity test', () => {
    const error = refusal(() =>
      keepStoredSecrets(stored, { source: { ...editable.source, host: 'evil.example' } }, 'side'),
    );
    expect(error.details.problems).toEqual([
      { path: 'password', message: expect.stringContaining('host') },
    ]);
  });

  it('uses a typed password wherever it is pointed', () => {
    const kept = keepStoredSecrets(
      stored,
      { source: { ...editable.source, host: 'new.example', password: 'typed' } },
      'side',
    );
    expect(kept.source?.password).toBe('typed');
  });

  it('keeps a stored empty password (nothing to protect) and drops one the settings no longer use', () => {
    const passwordless = task({
      source: { type: 'mysql', host: 'db.internal', user: 'root', password: '' },
    });
    const moved = keepStoredSecrets(
      passwordless,
      { source: { ...withoutSecrets(passwordless).source, host: 'other' } },
      'task',
    );
    expect(moved.source?.password).toBe('');

    const plain = keepStoredSecrets(
      stored,
      { destination: { ...editable.destination, hosts: 'kafka9', encryption: 'none' } },
      'task',
    );
    expect(plain.destination?.password).toBeUndefined();
    const anonymous = keepStoredSecrets(
      stored,
      {
        destination: {
          ...editable.destination,
          schemaRegistry: { enabled: true, url: 'https://elsewhere.example' },
        },
      },
      'task',
    );
    expect(anonymous.destination?.schemaRegistry).toEqual({
      enabled: true,
      url: 'https://elsewhere.example',
      password: undefined,
    });
  });
});

describe('keepStoredSecrets for a Kafka client key', () => {
  const cert = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----';
  const key = '-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----';
  const stored = task({
    destination: {
      hosts: 'kafka1:9093',
      encryption: 'none',
      topic: 'events',
      tls: { enabled: true, ca: 'PEM-CA', clientCert: cert, clientKey: key },
    },
  });
  const editable = withoutSecrets(stored);

  it('is left out of the editable configuration and reused at the brokers it was saved for', () => {
    expect(editable.destination.tls).not.toHaveProperty('clientKey');
    expect(editable.destination.tls.clientCert).toBe(cert);
    const kept = keepStoredSecrets(stored, editable, 'task');
    expect(kept.destination?.tls.clientKey).toBe(key);
  });

  it('must be entered again when the brokers or TLS settings change', () => {
    const error = refusal(() =>
      keepStoredSecrets(
        stored,
        {
          destination: {
            ...editable.destination,
            hosts: 'kafka9:9093',
            tls: { ...editable.destination.tls, ca: 'PEM-OTHER' },
          },
        },
        'side',
      ),
    );
    expect(error.code).toBe('PASSWORD_REQUIRED');
    expect(error.message).toBe(
      'Kafka: the brokers and TLS settings changed since the client key was saved, and a saved client key is only sent to the server it was entered for.',
    );
    expect(error.details.problems).toEqual([
      { path: 'tls.clientKey', message: expect.stringContaining('Enter the client key again') },
    ]);
  });

  it('is dropped when the settings no longer use a client certificate', () => {
    const withoutCert = keepStoredSecrets(
      stored,
      {
        destination: {
          ...editable.destination,
          hosts: 'kafka9:9093',
          tls: { enabled: true, rejectUnauthorized: true },
        },
      },
      'task',
    );
    expect(withoutCert.destination?.tls).toEqual({ enabled: true, rejectUnauthorized: true });
  });
});

describe('maskUrl', () => {
  it('hides the account, query values, fragment and token-like path segments', () => {
    expect(maskUrl('https://ops:hunter2@alerts.example.net/notify?token=abc&channel=db#x')).toBe(
      'https://***@alerts.example.net/notify?token=***&channel=***#***',
    );
    expect(maskUrl('https://hooks.example.com/services/T0001/B0002/abcdEFGH1234ijklMNOP5678')).toBe(
      'https://hooks.example.com/services/T0001/B0002/***',
    );
    expect(maskUrl('https://webhook.example/3f1c9d2e-5b7a-4c1e-9a0b-2d4e6f8a0c1e')).toBe(
      'https://webhook.example/***',
    );
  });

  it('leaves a URL with nothing to hide exactly as it was', () => {
    for (const url of [
      'http://127.0.0.1:8081',
      'http://registry:8080/apis/ccompat/v7',
      'https://hooks.example.org/integrations/database-alerts',
    ]) {
      expect(maskUrl(url)).toBe(url);
    }
    expect(maskUrl('not a url with secret')).toBe('***');
  });

  it('restores masked URLs sent back to the stored ones, in order, and keeps new ones', () => {
    const stored = [
      'https://a.example/hook?token=one',
      'https://a.example/hook?token=two',
      'https://b.example/plain',
    ];
    const masked = stored.map(maskUrl);
    expect(masked[0]).toBe(masked[1]);
    expect(
      restoreMaskedUrls(
        [masked[1]!, masked[0]!, 'https://b.example/plain', 'https://c.example/new'],
        stored,
      ),
    ).toEqual([stored[0], stored[1], stored[2], 'https://c.example/new']);
    // A masked URL that matches nothing stored is kept as sent.
    expect(restoreMaskedUrls(['https://z.example/?k=***'], stored)).toEqual([
      'https://z.example/?k=***',
    ]);
  });

  it('restores masked webhook contacts of an edited task', () => {
    const contacts = ['https://ops:pw@alerts.example.net/notify', 'https://new.example/hook'];
    const stored = task({
      advanced: { alerts: { enabled: true, latencyThresholdSeconds: 60, contacts: [contacts[0]] } },
    });
    const edited = keepStoredTaskSecrets(stored, {
      ...withoutSecrets(stored),
      advanced: {
        ...stored.advanced,
        alerts: {
          enabled: true,
          latencyThresholdSeconds: 30,
          contacts: [maskUrl(contacts[0]!), contacts[1]!],
        },
      },
    });
    expect(edited.advanced.alerts).toEqual({
      enabled: true,
      latencyThresholdSeconds: 30,
      contacts,
    });
  });
});

describe('the registry URL', () => {
  it('refuses an account inside the URL', () => {
    const parsed = taskConfigSchema.safeParse({
      ...task(),
      destination: {
        ...task().destination,
        schemaRegistry: { enabled: true, url: 'https://user:pw@registry.internal' },
      },
    });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((issue) => [issue.path.join('.'), issue.message])).toEqual([
      [
        'destination.schemaRegistry.url',
        'Put the registry account in the account and password fields, not in the URL.',
      ],
    ]);
  });
});

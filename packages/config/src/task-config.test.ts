import { describe, expect, it } from 'vitest';
import { PRECHECK_STATUSES, precheckStatusLabels } from './precheck-status';
import {
  advancedSchema,
  DEFAULT_SOURCE_TYPE,
  KAFKA_ENCRYPTIONS,
  KAFKA_VERSIONS,
  kafkaEncryptionLabels,
  MAX_FILTER_LENGTH,
  MAX_SELECTED_OBJECTS,
  SOURCE_TYPES,
  sourceSchema,
  sourceTypeLabels,
  STAGES,
  stageLabels,
  TASK_DEFAULTS,
  taskConfigSchema,
} from './task-config';

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

describe('taskConfigSchema defaults', () => {
  it('fills every field the wizard has a default for, from TASK_DEFAULTS', () => {
    const config = taskConfigSchema.parse(endpoints);
    expect(config).toEqual({
      source: {
        type: 'mysql',
        host: 'db',
        port: TASK_DEFAULTS.sourcePort,
        user: 'u',
        tls: { enabled: false, rejectUnauthorized: true },
      },
      destination: {
        hosts: 'kafka',
        port: TASK_DEFAULTS.brokerPort,
        kafkaVersion: TASK_DEFAULTS.kafkaVersion,
        encryption: TASK_DEFAULTS.encryption,
        tls: { enabled: false, rejectUnauthorized: true },
        topic: 't',
        schemaRegistry: { enabled: false },
      },
      stages: { schema: true, full: true, incremental: true },
      conflictMode: TASK_DEFAULTS.conflictMode,
      format: TASK_DEFAULTS.format,
      partitionPolicy: TASK_DEFAULTS.partitionPolicy,
      objects: [],
      advanced: {
        alerts: { enabled: false },
        capitalization: TASK_DEFAULTS.capitalization,
        retryMinutes: TASK_DEFAULTS.retryMinutes,
        canalJsonValues: TASK_DEFAULTS.canalJsonValues,
      },
      instanceClass: TASK_DEFAULTS.instanceClass,
    });
    expect(config.destination.port).toBe(9092);
    expect(config.source.port).toBe(3306);
  });

  it('selects every DML operation of an object that names none, in a fixed order', () => {
    const config = taskConfigSchema.parse({
      ...endpoints,
      objects: [
        { kind: 'database', database: 'shop' },
        { kind: 'table', database: 'shop', table: 'orders', dml: ['delete', 'insert'] },
      ],
    });
    expect(config.objects.map((object) => object.dml)).toEqual([
      ['insert', 'update', 'delete'],
      ['insert', 'delete'],
    ]);
  });

  it('names a default for every enum the wizard offers, and a label for every choice', () => {
    expect(SOURCE_TYPES).toContain(DEFAULT_SOURCE_TYPE);
    expect(KAFKA_VERSIONS).toContain(TASK_DEFAULTS.kafkaVersion);
    expect(KAFKA_ENCRYPTIONS).toContain(TASK_DEFAULTS.encryption);
    expect(Object.keys(kafkaEncryptionLabels)).toEqual([...KAFKA_ENCRYPTIONS]);
    expect(Object.keys(sourceTypeLabels)).toEqual([...SOURCE_TYPES]);
    expect(Object.keys(stageLabels)).toEqual([...STAGES]);
    expect(Object.keys(precheckStatusLabels)).toEqual([...PRECHECK_STATUSES]);
  });
});

describe('taskConfigSchema bounds', () => {
  const issueOf = (input: unknown) => {
    const result = taskConfigSchema.safeParse(input);
    expect(result.success).toBe(false);
    return result.error?.issues[0];
  };

  it('takes ports from 1 to 65535 and coerces the text the forms send', () => {
    const parse = (port: unknown) =>
      taskConfigSchema.safeParse({ ...endpoints, source: { ...endpoints.source, port } });
    expect(parse('1').data?.source.port).toBe(1);
    expect(parse(65535).data?.source.port).toBe(65535);
    expect(parse(0).error?.issues[0]?.message).toBe('A port is between 1 and 65535.');
    expect(parse(65536).error?.issues[0]?.message).toBe('A port is between 1 and 65535.');
    expect(parse(3306.5).error?.issues[0]?.message).toBe('A port is a whole number.');
  });

  it(`takes a WHERE filter of up to ${MAX_FILTER_LENGTH} characters, after trimming`, () => {
    const withFilter = (filter: string) => ({
      ...endpoints,
      objects: [{ kind: 'table', database: 'shop', table: 'orders', filter }],
    });
    const longest = `id > ${'9'.repeat(MAX_FILTER_LENGTH - 5)}`;
    expect(taskConfigSchema.safeParse(withFilter(`  ${longest}  `)).success).toBe(true);
    expect(issueOf(withFilter(`${longest}9`))).toMatchObject({
      path: ['objects', 0, 'filter'],
      message: `A filter is at most ${MAX_FILTER_LENGTH} characters.`,
    });
  });

  it(`selects at most ${MAX_SELECTED_OBJECTS} objects`, () => {
    const objects = (count: number) =>
      Array.from({ length: count }, (_, index) => ({ kind: 'database', database: `d${index}` }));
    expect(
      taskConfigSchema.safeParse({ ...endpoints, objects: objects(MAX_SELECTED_OBJECTS) }).success,
    ).toBe(true);
    expect(issueOf({ ...endpoints, objects: objects(MAX_SELECTED_OBJECTS + 1) })).toMatchObject({
      path: ['objects'],
    });
  });

  it('retries for 10 to 720 minutes and alerts on a latency of 1 s to a day', () => {
    const advanced = (value: object) => ({ ...endpoints, advanced: value });
    expect(issueOf(advanced({ retryMinutes: 9 }))?.message).toBe('Retry for at least 10 minutes.');
    expect(issueOf(advanced({ retryMinutes: 721 }))?.message).toBe(
      'Retry for at most 720 minutes.',
    );
    const alerts = (latencyThresholdSeconds: number) =>
      advanced({
        alerts: { enabled: true, latencyThresholdSeconds, contacts: ['https://hooks.test/a'] },
      });
    expect(taskConfigSchema.safeParse(alerts(86_400)).success).toBe(true);
    expect(issueOf(alerts(0))?.message).toBe('The latency threshold is at least 1 second.');
    expect(issueOf(alerts(86_401))?.message).toBe(
      'The latency threshold is at most 86400 seconds (a day).',
    );
  });

  it('refuses a topic name over 249 characters or with other characters', () => {
    const topic = (name: string) => ({
      ...endpoints,
      destination: { ...endpoints.destination, topic: name },
    });
    expect(taskConfigSchema.safeParse(topic('t'.repeat(249))).success).toBe(true);
    expect(issueOf(topic('t'.repeat(250)))?.message).toBe(
      'A Kafka topic name is at most 249 characters.',
    );
    expect(issueOf(topic('orders/eu'))?.path).toEqual(['destination', 'topic']);
  });

  it('asks for the Kafka account with SCRAM-SHA-256', () => {
    expect(
      issueOf({
        ...endpoints,
        destination: { ...endpoints.destination, encryption: 'scram-sha-256' },
      }),
    ).toMatchObject({
      path: ['destination', 'user'],
      message: 'SASL/SCRAM-SHA-256 needs the Kafka account name.',
    });
  });
});

describe('source.binlogStream', () => {
  const polardbx = { type: 'polardbx2', host: 'pxc', user: 'u' };

  it('follows the named stream of a PolarDB-X 2.0 instance; empty means the global binlog', () => {
    expect(sourceSchema.parse({ ...polardbx, binlogStream: ' group1_stream_0 ' })).toMatchObject({
      binlogStream: 'group1_stream_0',
    });
    expect(sourceSchema.parse({ ...polardbx, binlogStream: '' }).binlogStream).toBeUndefined();
    expect(sourceSchema.parse(polardbx).binlogStream).toBeUndefined();
  });

  it('is refused for MySQL and MariaDB, naming the type', () => {
    const result = sourceSchema.safeParse({
      type: 'mariadb',
      host: 'db',
      user: 'u',
      binlogStream: 'group1_stream_0',
    });
    expect(result.error?.issues).toEqual([
      expect.objectContaining({
        path: ['binlogStream'],
        message: 'Binlog streams are a PolarDB-X 2.0 feature; leave the stream empty for MariaDB.',
      }),
    ]);
  });

  it('takes only the characters of a stream name', () => {
    const result = sourceSchema.safeParse({ ...polardbx, binlogStream: "s' OR 1" });
    expect(result.error?.issues[0]?.path).toEqual(['binlogStream']);
  });
});

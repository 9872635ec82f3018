import { z } from 'zod';

/**
 * The task configuration: everything the task wizard asks, with its defaults and limits.
 * One schema shared by the console's forms, the HTTP API, the CLI and the worker.
 *
 * Every object is strict: a field the schema does not know is an error naming it, never
 * dropped in silence, so a misspelt setting (`hots`, `sslMode`) cannot pass for a default.
 */

export const SOURCE_TYPES = ['polardbx2', 'mysql', 'mariadb'] as const;
export type SourceType = (typeof SOURCE_TYPES)[number];
export const sourceTypeLabels: Record<SourceType, string> = {
  polardbx2: 'PolarDB-X 2.0',
  mysql: 'MySQL',
  mariadb: 'MariaDB',
};
/** The source type the wizard starts with: PolarDB-X 2.0, the service's first source. */
export const DEFAULT_SOURCE_TYPE: SourceType = 'polardbx2';

/**
 * The defaults of every field that has one, in one place: the schemas below apply them to
 * what the API, the CLI and the worker read, and the wizard starts its fields from them.
 */
export const TASK_DEFAULTS = {
  sourcePort: 3306,
  brokerPort: 9092,
  kafkaVersion: '3.9',
  encryption: 'none',
  tls: { enabled: false, rejectUnauthorized: true },
  stages: { schema: true, full: true, incremental: true },
  conflictMode: 'precheck',
  format: 'dts-avro',
  partitionPolicy: 'partition-zero',
  dml: ['insert', 'update', 'delete'],
  capitalization: 'default',
  retryMinutes: 720,
  canalJsonValues: 'canal',
  /** What the wizard suggests when the operator turns alerts on (the schema has no default). */
  latencyThresholdSeconds: 60,
  instanceClass: 'unlimited',
} as const;

/** The longest WHERE filter of a table, in characters (after trimming): a predicate, not a program. */
export const MAX_FILTER_LENGTH = 4096;
/** The most objects one task selects. */
export const MAX_SELECTED_OBJECTS = 10_000;

const hostname = z
  .string()
  .trim()
  .min(1, 'Enter a host name or IP address.')
  .max(255, 'A host name is at most 255 characters.')
  .regex(
    /^[A-Za-z0-9._:[\]-]+$/,
    'Use a host name or an IP address (letters, digits, ".", "-", ":").',
  );

const port = z.coerce
  .number({ error: 'Enter a port number.' })
  .int('A port is a whole number.')
  .min(1, 'A port is between 1 and 65535.')
  .max(65535, 'A port is between 1 and 65535.');

/**
 * A password as the API accepts it: a string to set it, or absent/null to keep the stored one
 * when a task is edited. The API never returns passwords.
 */
const password = z.string().max(1024, 'A password is at most 1024 characters.');

export const tlsSchema = z
  .strictObject({
    enabled: z.boolean().default(false),
    /** PEM text of the CA that signed the server certificate; the system CAs when empty. */
    ca: z.string().max(65536).optional(),
    rejectUnauthorized: z.boolean().default(TASK_DEFAULTS.tls.rejectUnauthorized),
  })
  .default({ ...TASK_DEFAULTS.tls });

/**
 * A PolarDB-X 2.0 binlog stream, as `SHOW BINARY STREAMS` lists it (`group1_stream_0`). An
 * instance with multi-stream binlog splits its changes over several streams; a task follows
 * one. Empty means the single-stream (global) binlog.
 */
const binlogStream = z
  .string()
  .trim()
  .max(64, 'A binlog stream name is at most 64 characters.')
  .regex(
    /^[A-Za-z0-9_]*$/,
    'A binlog stream name uses only letters, digits and "_", as SHOW BINARY STREAMS lists it.',
  )
  .transform((value) => (value ? value : undefined))
  .optional();

export const sourceSchema = z
  .strictObject({
    type: z.enum(SOURCE_TYPES, { error: 'Choose PolarDB-X 2.0, MySQL or MariaDB.' }),
    host: hostname,
    port: port.default(TASK_DEFAULTS.sourcePort),
    user: z.string().trim().min(1, 'Enter the database account.').max(128),
    password: password.optional(),
    tls: tlsSchema,
    /** PolarDB-X 2.0 only: the binlog stream of a multi-stream instance the task follows. */
    binlogStream,
  })
  .superRefine((value, context) => {
    if (value.binlogStream !== undefined && value.type !== 'polardbx2') {
      context.addIssue({
        code: 'custom',
        path: ['binlogStream'],
        message: `Binlog streams are a PolarDB-X 2.0 feature; leave the stream empty for ${sourceTypeLabels[value.type]}.`,
      });
    }
  });

/**
 * How a task logs in to Kafka: no login, or a SASL mechanism. The transport is separate
 * (`tls`): SASL over TLS is a mechanism here with TLS on, mutual TLS is TLS with a client
 * certificate (with or without SASL).
 */
export const KAFKA_ENCRYPTIONS = ['none', 'plain', 'scram-sha-256', 'scram-sha-512'] as const;
export type KafkaEncryption = (typeof KAFKA_ENCRYPTIONS)[number];
export const kafkaEncryptionLabels: Record<KafkaEncryption, string> = {
  none: 'No login',
  plain: 'SASL/PLAIN',
  'scram-sha-256': 'SASL/SCRAM-SHA-256',
  'scram-sha-512': 'SASL/SCRAM-SHA-512',
};
export const kafkaEncryptionHelp: Record<KafkaEncryption, string> = {
  none: 'No account: the listener is PLAINTEXT, or SSL (with a client certificate when it asks for one).',
  plain:
    'Account and password sent as they are: use it only with TLS on, or on a network you trust.',
  'scram-sha-256': 'Account and password, proven without sending the password (RFC 7677).',
  'scram-sha-512': 'As SCRAM-SHA-256 with SHA-512 (RFC 5802), for clusters that require it.',
};
/** Whether the mechanism logs in with an account and password. */
export function usesKafkaLogin(encryption: KafkaEncryption): boolean {
  return encryption !== 'none';
}

const pem = (label: RegExp, message: string) =>
  z
    .string()
    .trim()
    .max(65536, 'A PEM block is at most 64 KiB.')
    .refine((value) => value === '' || label.test(value), message)
    .transform((value) => (value ? value : undefined));

/**
 * TLS to Kafka: the server check as for the source, and a client certificate for brokers that
 * require one (`ssl.client.auth=required`). The client key is a secret like a password: sealed
 * at rest, never returned, only used with the brokers it was entered for.
 */
export const kafkaTlsSchema = z
  .strictObject({
    enabled: z.boolean().default(false),
    /** PEM text of the CA that signed the broker certificates; the system CAs when empty. */
    ca: z.string().max(65536).optional(),
    rejectUnauthorized: z.boolean().default(TASK_DEFAULTS.tls.rejectUnauthorized),
    /** PEM certificate (chain) the client presents. */
    clientCert: pem(
      /-----BEGIN CERTIFICATE-----/,
      'Paste the client certificate in PEM (-----BEGIN CERTIFICATE-----).',
    ).optional(),
    /** PEM private key of `clientCert`, unencrypted (PKCS#8 or PKCS#1). */
    clientKey: pem(
      /-----BEGIN (RSA |EC )?PRIVATE KEY-----/,
      'Paste the client private key in PEM, unencrypted (-----BEGIN PRIVATE KEY-----).',
    ).optional(),
  })
  .default({ ...TASK_DEFAULTS.tls })
  .superRefine((tls, context) => {
    if (!tls.enabled && (tls.clientCert !== undefined || tls.clientKey !== undefined)) {
      context.addIssue({
        code: 'custom',
        path: ['clientCert'],
        message: 'A client certificate needs TLS on.',
      });
    }
    if (tls.clientKey !== undefined && tls.clientCert === undefined) {
      context.addIssue({
        code: 'custom',
        path: ['clientCert'],
        message: 'Paste the client certificate that goes with the private key.',
      });
    }
  });

/** The Kafka versions an operator may declare, newest first (the precheck compares). */
export const KAFKA_VERSIONS = [
  '3.9',
  '3.8',
  '3.7',
  '3.6',
  '3.5',
  '3.4',
  '3.3',
  '3.2',
  '3.1',
  '3.0',
  '2.8',
  '2.7',
  '2.6',
  '2.5',
  '2.4',
  '2.3',
  '2.2',
  '2.1',
  '2.0',
  '1.1',
  '1.0',
  '0.11',
  '0.10',
] as const;

const brokerList = z
  .string()
  .trim()
  .min(1, 'Enter at least one Kafka broker host.')
  .refine(
    (value) => value.split(',').every((part) => /^[A-Za-z0-9._[\]:-]+$/.test(part.trim())),
    'List broker hosts separated by commas, e.g. "kafka1,kafka2" or "10.0.0.5:9092".',
  );

const topicName = z
  .string()
  .trim()
  .min(1, 'Enter a topic name.')
  .max(249, 'A Kafka topic name is at most 249 characters.')
  .regex(/^[A-Za-z0-9._-]+$/, 'A Kafka topic name uses only letters, digits, ".", "_" and "-".');

/**
 * The registry's API root. Its account and password have their own fields, stored sealed like
 * the other passwords; a URL is stored and shown as it is, so it must not carry them.
 */
const registryUrl = z
  .url({ error: 'Enter the schema registry URL, e.g. http://registry:8081.' })
  .refine(
    (value) => !URL.canParse(value) || !hasUserinfo(new URL(value)),
    'Put the registry account in the account and password fields, not in the URL.',
  );

function hasUserinfo(url: URL): boolean {
  return url.username !== '' || url.password !== '';
}

const destinationFields = z.strictObject({
  /** Bootstrap hosts, comma separated; a host without a port uses `port`. */
  hosts: brokerList,
  port: port.default(TASK_DEFAULTS.brokerPort),
  user: z.string().trim().max(256).optional(),
  password: password.optional(),
  /** The broker version the operator declares; the precheck compares it with ApiVersions. */
  kafkaVersion: z.string().trim().max(32).default(TASK_DEFAULTS.kafkaVersion),
  encryption: z
    .enum(KAFKA_ENCRYPTIONS, { error: 'Choose no login, PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512.' })
    .default(TASK_DEFAULTS.encryption),
  tls: kafkaTlsSchema,
  topic: topicName,
  /** Topic that stores DDL information; DDL goes to `topic` when absent. */
  ddlTopic: topicName.optional(),
  schemaRegistry: z
    .discriminatedUnion('enabled', [
      z.strictObject({ enabled: z.literal(false) }),
      z.strictObject({
        enabled: z.literal(true),
        url: registryUrl,
        /** The registry account, sent with `password` as HTTP Basic authentication; none when absent. */
        user: z
          .string()
          .trim()
          .max(256)
          .transform((value) => (value ? value : undefined))
          .optional(),
        password: password.optional(),
      }),
    ])
    .default({ enabled: false }),
});

function requireSaslUser(
  value: { encryption: KafkaEncryption; user?: string | undefined },
  context: z.RefinementCtx,
): void {
  if (usesKafkaLogin(value.encryption) && !value.user) {
    context.addIssue({
      code: 'custom',
      path: ['user'],
      message: `${kafkaEncryptionLabels[value.encryption]} needs the Kafka account name.`,
    });
  }
}

export const destinationSchema = destinationFields.superRefine(requireSaslUser);

/**
 * What "Test Connectivity" needs of the destination: the connection without the topics, which
 * the operator picks from the list the test returns.
 */
export const destinationConnectionSchema = destinationFields
  .omit({ topic: true, ddlTopic: true })
  .extend({
    // The wizard sends its whole destination form, topics included, before a topic is chosen
    // (it picks one from the list the test returns): accepted here, and not used.
    topic: z.string().max(249).optional(),
    ddlTopic: z.string().max(249).optional(),
  })
  .superRefine(requireSaslUser);

/**
 * Broker addresses as `host:port`, the form Kafka clients take. An entry without a port gets
 * `port`. IPv6 addresses are written in brackets (RFC 3986): `[::1]:9094` keeps its port,
 * `[::1]` and a bare `::1` (whose colons cannot be told from a port) become `[::1]:<port>`.
 */
export function brokerAddresses(destination: Pick<DestinationConfig, 'hosts' | 'port'>): string[] {
  return destination.hosts
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.length > 0)
    .map((part) => withPort(part, destination.port));
}

function withPort(host: string, port: number): string {
  if (host.startsWith('[')) return /\]:\d+$/.test(host) ? host : `${host}:${port}`;
  const colons = host.split(':').length - 1;
  if (colons > 1) return `[${host}]:${port}`;
  return colons === 1 && /:\d+$/.test(host) ? host : `${host}:${port}`;
}

export type SourceConfig = z.infer<typeof sourceSchema>;
export type DestinationConfig = z.infer<typeof destinationSchema>;

export const STAGES = ['schema', 'full', 'incremental'] as const;
export type Stage = (typeof STAGES)[number];
/** The stages' names, as the wizard, the task pages and the CLI print them. */
export const stageLabels: Record<Stage, string> = {
  schema: 'Schema migration',
  full: 'Full data migration',
  incremental: 'Incremental data migration',
};

export const stagesSchema = z
  .strictObject({
    schema: z.boolean().default(TASK_DEFAULTS.stages.schema),
    full: z.boolean().default(TASK_DEFAULTS.stages.full),
    incremental: z.boolean().default(TASK_DEFAULTS.stages.incremental),
  })
  .default({ ...TASK_DEFAULTS.stages })
  .refine((stages) => stages.schema || stages.full || stages.incremental, {
    message: 'Choose at least one stage: schema, full or incremental migration.',
  });

/**
 * Processing mode of conflicting tables. For a Kafka destination a table conflicts when the
 * destination topic already holds messages for it (same database and table after renaming):
 * `precheck` fails the precheck, `ignore` proceeds and appends after them.
 */
export const CONFLICT_MODES = ['precheck', 'ignore'] as const;
export type ConflictMode = (typeof CONFLICT_MODES)[number];
export const conflictModeLabels: Record<ConflictMode, string> = {
  precheck: 'Precheck and report errors',
  ignore: 'Ignore errors and proceed',
};

export const DATA_FORMATS = ['dts-avro', 'canal-json'] as const;
export type DataFormat = (typeof DATA_FORMATS)[number];
export const dataFormatLabels: Record<DataFormat, string> = {
  'dts-avro': 'DTS Avro',
  'canal-json': 'Canal JSON',
};

/** The partition policies as DTS names them. */
export const PARTITION_POLICIES = [
  'partition-zero',
  'hash-database-table',
  'hash-primary-key',
] as const;
export type PartitionPolicy = (typeof PARTITION_POLICIES)[number];
export const partitionPolicyLabels: Record<PartitionPolicy, string> = {
  'partition-zero': 'Ship all data to partition 0',
  'hash-database-table':
    'Ship data to separate partitions based on hash values of database and table names',
  'hash-primary-key': 'Ship data to separate partitions based on hash values of primary keys',
};

export const DML_OPERATIONS = ['insert', 'update', 'delete'] as const;
export type DmlOperation = (typeof DML_OPERATIONS)[number];
export const dmlOperationLabels: Record<DmlOperation, string> = {
  insert: 'INSERT',
  update: 'UPDATE',
  delete: 'DELETE',
};

const objectName = z
  .string()
  .min(1, 'A name cannot be empty.')
  .max(64, 'MySQL names are at most 64 characters.');

const dmlSchema = z
  .array(z.enum(DML_OPERATIONS))
  .min(1, 'Migrate at least one of INSERT, UPDATE and DELETE.')
  .default([...TASK_DEFAULTS.dml])
  .transform((operations) => DML_OPERATIONS.filter((operation) => operations.includes(operation)));

/** A selected object: a whole database, or one table with its mapping and filter. */
export const selectedObjectSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('database'),
    database: objectName,
    /** The name in the destination's messages. */
    rename: objectName.optional(),
    dml: dmlSchema,
  }),
  z.strictObject({
    kind: z.literal('table'),
    database: objectName,
    table: objectName,
    rename: objectName.optional(),
    /** A pure SQL predicate on the table's columns, applied to the full migration. */
    filter: z
      .string()
      .trim()
      .max(MAX_FILTER_LENGTH, `A filter is at most ${MAX_FILTER_LENGTH} characters.`)
      .optional(),
    dml: dmlSchema,
  }),
]);
export type SelectedObject = z.infer<typeof selectedObjectSchema>;

export const CAPITALIZATIONS = ['default', 'source', 'upper', 'lower'] as const;
export type Capitalization = (typeof CAPITALIZATIONS)[number];
export const capitalizationLabels: Record<Capitalization, string> = {
  default: 'Default policy (as the source)',
  source: 'Consistent with the source',
  upper: 'Uppercase',
  lower: 'Lowercase',
};

export const alertsSchema = z
  .discriminatedUnion('enabled', [
    z.strictObject({ enabled: z.literal(false) }),
    z.strictObject({
      enabled: z.literal(true),
      latencyThresholdSeconds: z.coerce
        .number()
        .int('Enter whole seconds.')
        .min(1, 'The latency threshold is at least 1 second.')
        .max(86_400, 'The latency threshold is at most 86400 seconds (a day).'),
      /** Webhook URLs that receive a JSON POST per alert. */
      contacts: z
        .array(z.url({ error: 'A contact is a webhook URL (http:// or https://).' }))
        .min(1, 'Add at least one contact webhook.')
        .max(20),
    }),
  ])
  .default({ enabled: false });

/**
 * The value text of Canal JSON messages. `canal`: exactly as Canal writes it. `flink`: what
 * Flink's `canal-json` format reads under each column's natural Flink SQL type (binary values
 * in base64, BIT(1) as true/false, zero dates as NULL, TIMESTAMP as a UTC instant with `Z`);
 * Canal clients would read those values wrong. No effect on DTS Avro. The formats package
 * README lists every difference and the type to declare per MySQL type.
 */
export const CANAL_JSON_VALUES = ['canal', 'flink'] as const;
export type CanalJsonValues = (typeof CANAL_JSON_VALUES)[number];
export const canalJsonValuesLabels: Record<CanalJsonValues, string> = {
  canal: 'As Canal writes them',
  flink: 'For Flink SQL (canal-json with natural column types)',
};
export const canalJsonValuesHelp: Record<CanalJsonValues, string> = {
  canal: 'Every value as Canal writes it, for Canal clients.',
  flink:
    'Binary values in base64, BIT(1) as true/false, TIMESTAMP as a UTC instant ending in Z, and zero dates as NULL (the zero value is lost): Flink reads BYTES, BOOLEAN, TIMESTAMP_LTZ, DATE and TIMESTAMP columns. Canal clients would misread these values.',
};

export const advancedSchema = z
  .strictObject({
    alerts: alertsSchema,
    capitalization: z.enum(CAPITALIZATIONS).default(TASK_DEFAULTS.capitalization),
    retryMinutes: z.coerce
      .number()
      .int('Enter whole minutes.')
      .min(10, 'Retry for at least 10 minutes.')
      .max(720, 'Retry for at most 720 minutes.')
      .default(TASK_DEFAULTS.retryMinutes),
    /** Canal JSON only: whose value text the messages carry (`CANAL_JSON_VALUES`). */
    canalJsonValues: z
      .enum(CANAL_JSON_VALUES, { error: 'Choose Canal or Flink values.' })
      .default(TASK_DEFAULTS.canalJsonValues),
  })
  .default({
    alerts: { enabled: false },
    capitalization: TASK_DEFAULTS.capitalization,
    retryMinutes: TASK_DEFAULTS.retryMinutes,
    canalJsonValues: TASK_DEFAULTS.canalJsonValues,
  });

/**
 * Instance classes: the ceiling of incremental migration in records per second, as the
 * cloud's ladder. A record is a row change, a DDL statement, or a transaction's COMMIT.
 * Full migration is not capped. `unlimited` is for self-hosting.
 */
export const INSTANCE_CLASSES = [
  'small',
  'medium',
  'large',
  'xlarge',
  '2xlarge',
  'unlimited',
] as const;
export type InstanceClass = (typeof INSTANCE_CLASSES)[number];
export const instanceClassCeilings: Record<InstanceClass, number | null> = {
  small: 2_000,
  medium: 5_000,
  large: 6_000,
  xlarge: 7_000,
  '2xlarge': 11_000,
  unlimited: null,
};

/**
 * A task's configuration. Only the endpoints are required to save a draft; everything else
 * has the wizard's default. Precheck and start require at least one selected object.
 */
export const taskConfigSchema = z.strictObject({
  name: z
    .string()
    .trim()
    .max(128, 'A task name is at most 128 characters.')
    .optional()
    .transform((value) => (value ? value : undefined)),
  source: sourceSchema,
  destination: destinationSchema,
  stages: stagesSchema,
  conflictMode: z.enum(CONFLICT_MODES).default(TASK_DEFAULTS.conflictMode),
  format: z.enum(DATA_FORMATS).default(TASK_DEFAULTS.format),
  partitionPolicy: z.enum(PARTITION_POLICIES).default(TASK_DEFAULTS.partitionPolicy),
  objects: z
    .array(selectedObjectSchema)
    .max(MAX_SELECTED_OBJECTS, `A task selects at most ${MAX_SELECTED_OBJECTS} objects.`)
    .default([]),
  advanced: advancedSchema,
  instanceClass: z.enum(INSTANCE_CLASSES).default(TASK_DEFAULTS.instanceClass),
});

export type TaskConfigInput = z.input<typeof taskConfigSchema>;
export type TaskConfig = z.infer<typeof taskConfigSchema>;

/** Warnings the wizard shows for a valid configuration; they do not block saving. */
export function configWarnings(config: TaskConfig): string[] {
  const warnings: string[] = [];
  if (!config.stages.incremental) {
    warnings.push(
      'Incremental migration is off: data written to the source during the migration is not captured. Stop writes to the source for a consistent copy.',
    );
  }
  return warnings;
}

/** A generated task name, like the cloud console's: `tidewater-<date>-<random>`. */
export function generateTaskName(now = new Date(), random = Math.random): string {
  const date = now.toISOString().slice(0, 10).replaceAll('-', '');
  const suffix = Math.floor(random() * 36 ** 4)
    .toString(36)
    .padStart(4, '0');
  return `tidewater-${date}-${suffix}`;
}

import { z } from 'zod';

/**
 * The task configuration: everything the task wizard asks, with its defaults and limits.
 * One schema shared by the console's forms, the HTTP API, the CLI and the worker.
 */

export const SOURCE_TYPES = ['polardbx2', 'mysql', 'mariadb'] as const;
export const sourceTypeLabels: Record<(typeof SOURCE_TYPES)[number], string> = {
  polardbx2: 'PolarDB-X 2.0',
  mysql: 'MySQL',
  mariadb: 'MariaDB',
};

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
  .object({
    enabled: z.boolean().default(false),
    /** PEM text of the CA that signed the server certificate; the system CAs when empty. */
    ca: z.string().max(65536).optional(),
    rejectUnauthorized: z.boolean().default(true),
  })
  .default({ enabled: false, rejectUnauthorized: true });

export const sourceSchema = z.object({
  type: z.enum(SOURCE_TYPES, { error: 'Choose PolarDB-X 2.0, MySQL or MariaDB.' }),
  host: hostname,
  port: port.default(3306),
  user: z.string().trim().min(1, 'Enter the database account.').max(128),
  password: password.optional(),
  tls: tlsSchema,
});

export const KAFKA_ENCRYPTIONS = ['none', 'scram-sha-256'] as const;

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

export const destinationSchema = z
  .object({
    /** Bootstrap hosts, comma separated; a host without a port uses `port`. */
    hosts: brokerList,
    port: port.default(9092),
    user: z.string().trim().max(256).optional(),
    password: password.optional(),
    /** The broker version the operator declares; the precheck compares it with ApiVersions. */
    kafkaVersion: z.string().trim().max(32).default('3.9'),
    encryption: z.enum(KAFKA_ENCRYPTIONS).default('none'),
    tls: tlsSchema,
    topic: topicName,
    /** Topic that stores DDL information; DDL goes to `topic` when absent. */
    ddlTopic: topicName.optional(),
    schemaRegistry: z
      .discriminatedUnion('enabled', [
        z.object({ enabled: z.literal(false) }),
        z.object({
          enabled: z.literal(true),
          url: z.url({ error: 'Enter the schema registry URL, e.g. http://registry:8081.' }),
        }),
      ])
      .default({ enabled: false }),
  })
  .superRefine((value, context) => {
    if (value.encryption === 'scram-sha-256' && !value.user) {
      context.addIssue({
        code: 'custom',
        path: ['user'],
        message: 'SCRAM-SHA-256 needs the Kafka account name.',
      });
    }
  });

/** Broker addresses as `host:port`, the form Kafka clients take. */
export function brokerAddresses(destination: Pick<DestinationConfig, 'hosts' | 'port'>): string[] {
  return destination.hosts
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.length > 0)
    .map((part) =>
      /:\d+$/.test(part) && !part.startsWith('[') ? part : `${part}:${destination.port}`,
    );
}

export type SourceConfig = z.infer<typeof sourceSchema>;
export type DestinationConfig = z.infer<typeof destinationSchema>;

/**
 * The part of a task the walking skeleton needs: a name and both endpoints. The full
 * configuration (stages, objects, mappings, instance class) extends it.
 */
export const taskDraftSchema = z.object({
  name: z
    .string()
    .trim()
    .max(128, 'A task name is at most 128 characters.')
    .optional()
    .transform((value) => (value ? value : undefined)),
  source: sourceSchema,
  destination: destinationSchema,
});

export type TaskDraftInput = z.input<typeof taskDraftSchema>;
export type TaskDraft = z.infer<typeof taskDraftSchema>;

/** A generated task name, like the cloud console's: `tidewater-<date>-<random>`. */
export function generateTaskName(now = new Date(), random = Math.random): string {
  const date = now.toISOString().slice(0, 10).replaceAll('-', '');
  const suffix = Math.floor(random() * 36 ** 4)
    .toString(36)
    .padStart(4, '0');
  return `tidewater-${date}-${suffix}`;
}

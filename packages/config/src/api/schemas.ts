import { z } from 'zod';
import {
  destinationSchema,
  INSTANCE_CLASSES,
  kafkaTlsSchema,
  MAX_FILTER_LENGTH,
  sourceSchema,
  taskConfigSchema,
} from '../task-config';
import { precheckStatusSchema } from '../precheck-status';
import { taskStatusSchema } from '../task-status';

/**
 * The HTTP API's contract: every request body and every answer, once. The route handlers
 * validate bodies with these schemas, the engine and the repositories type their answers with
 * `z.infer` of them, the CLI reads the answers through the same types, and the OpenAPI
 * document (openapi.ts) is generated from them. A schema with `.meta({ id })` becomes one
 * named schema of the document's components.
 *
 * Request bodies are strict (an unknown field is a 400 naming it); answers are described as
 * the API sends them, every field present (null when empty), so that a field added to an
 * answer without being added here fails the contract test (apps/web/e2e/api-contract.test.ts).
 */

const dateTime = () => z.iso.datetime();

// ---------------------------------------------------------------------------------------------
// Request bodies. The task, source and destination ones are the task configuration's
// (task-config.ts); the rest are here.

/** PATCH /api/tasks/:id: any subset; `source` and `destination` merge one level deep. */
export const taskConfigPatchSchema = z
  .strictObject({
    ...taskConfigSchema.shape,
    source: z.strictObject(sourceSchema.shape).partial(),
    destination: z.strictObject(destinationSchema.shape).partial(),
  })
  .partial()
  .meta({
    id: 'TaskConfigPatch',
    description:
      'Fields to change. Top-level keys replace the stored ones; `source` and `destination` merge one level deep; an absent password keeps the stored one while the host, port, account and TLS settings (Kafka: brokers, account, encryption, TLS; registry: URL and account) are those it was saved with, else 400 PASSWORD_REQUIRED. The merged result must be a valid TaskConfig.',
  });

/** POST /api/tasks/:id/start. */
export const startTaskSchema = z
  .strictObject({
    instanceClass: z.enum(INSTANCE_CLASSES, {
      error: `Choose an instance class: ${INSTANCE_CLASSES.join(', ')}.`,
    }),
    /** The operator accepts the terms of service: required, and recorded with who and when. */
    acceptTerms: z
      .boolean({ error: 'Send true to accept the terms of service.' })
      .optional()
      .describe(
        'true: the caller accepts the Tidewater Terms of Service. Absent or false is a 400 TERMS_NOT_ACCEPTED.',
      ),
  })
  .meta({ id: 'StartTask' });

/** POST /api/tasks/:id/restart. */
export const restartTaskSchema = z
  .strictObject({
    /** Start over with a fresh snapshot (the way out when the binlog at the checkpoint is gone). */
    fromScratch: z.boolean().default(false),
  })
  .meta({ id: 'RestartTask' });

/** POST /api/tasks/:id/precheck/items/:key/ignore. */
export const ignorePrecheckItemSchema = z
  .strictObject({ isIgnored: z.boolean().default(true) })
  .meta({ id: 'IgnorePrecheckItem' });

/** POST /api/tasks/:id/filters. */
export const filterCheckRequestSchema = z
  .strictObject({
    database: z.string().min(1, 'Name the database.'),
    table: z.string().min(1, 'Name the table.'),
    filter: z
      .string()
      .max(MAX_FILTER_LENGTH, `A filter is at most ${MAX_FILTER_LENGTH} characters.`),
  })
  .meta({ id: 'FilterCheckRequest' });

export const MIN_PASSWORD_LENGTH = 12;

/**
 * The sign-in and account forms, checked in the browser and again by the API. Strict, like
 * every request body: an unknown field is a 400 naming it.
 */
export const signInSchema = z
  .strictObject({
    username: z.string().trim().min(1, 'Enter your user name.').max(64),
    password: z.string().min(1, 'Enter your password.').max(256),
  })
  .meta({ id: 'SignIn' });

export const changePasswordSchema = z
  .strictObject({
    currentPassword: z.string().min(1, 'Enter your current password.').max(256),
    newPassword: z
      .string()
      .min(MIN_PASSWORD_LENGTH, `Use at least ${MIN_PASSWORD_LENGTH} characters.`)
      .max(256, 'A password is at most 256 characters.'),
  })
  .meta({ id: 'ChangePassword' });

/** How long a new API token lives, in days (the Account page offers these). */
export const API_TOKEN_LIFETIMES = [7, 30, 90, 365] as const;

export const apiTokenSchema = z
  .strictObject({
    name: z
      .string()
      .trim()
      .min(1, 'Name the token, e.g. "ci" or "laptop CLI".')
      .max(100, 'A token name is at most 100 characters.'),
    expiresInDays: z
      .number()
      .int('Enter whole days.')
      .min(1, 'A token lives at least a day.')
      .max(365, 'A token lives at most 365 days; make a new one when it expires.')
      .default(90),
  })
  .meta({ id: 'NewApiToken' });

// ---------------------------------------------------------------------------------------------
// Answers.

/** The body of every error answer; no stack traces. */
export const failureSchema = z
  .object({
    code: z.string().describe('Stable error code, e.g. SOURCE_AUTH_FAILED.'),
    message: z.string().describe('What is wrong, for the operator.'),
    remedy: z.string().describe('How to fix it.'),
    details: z
      .record(z.string(), z.unknown())
      .describe(
        'Non-secret details. For INVALID_INPUT: `problems`, one { path, message } per field.',
      ),
  })
  .meta({ id: 'Failure', description: 'An error: a code, a message and a remedy.' });

export const errorAnswerSchema = z
  .object({ error: failureSchema })
  .meta({ id: 'Error', description: 'Every error answer has this body.' });

export const fieldProblemSchema = z
  .object({
    path: z
      .string()
      .describe('Dotted path of the field, e.g. `source.port`; empty for the whole body.'),
    message: z.string(),
  })
  .meta({ id: 'FieldProblem' });

const { password: _sourcePassword, ...publicSourceShape } = sourceSchema.shape;
const {
  password: _destinationPassword,
  schemaRegistry,
  ...publicDestinationShape
} = destinationSchema.shape;
const [registryOff, registryOn] = schemaRegistry.unwrap().options;
const { password: _registryPassword, ...publicRegistryShape } = registryOn.shape;
const { clientKey: _clientKey, ...publicKafkaTlsShape } = kafkaTlsSchema.unwrap().shape;
const hasPassword = z.boolean().describe('Whether a password is stored.');

/**
 * The stored configuration as the API returns it: passwords replaced by `hasPassword`, the Kafka
 * client key by `tls.hasClientKey`, URLs
 * (schema registry, alert contacts) masked. Built from the task configuration's own schemas,
 * so a setting added there is part of the answer too.
 */
export const publicTaskConfigSchema = z
  .strictObject({
    ...taskConfigSchema.shape,
    name: z.string().optional(),
    source: z.strictObject({ ...publicSourceShape, hasPassword }),
    destination: z.strictObject({
      ...publicDestinationShape,
      hasPassword,
      tls: z.strictObject({
        ...publicKafkaTlsShape,
        hasClientKey: z.boolean().describe('Whether a client private key is stored.'),
      }),
      schemaRegistry: z.discriminatedUnion('enabled', [
        registryOff,
        z.strictObject({ ...publicRegistryShape, hasPassword }),
      ]),
    }),
  })
  .meta({
    id: 'PublicTaskConfig',
    description:
      'The task configuration as stored (defaults applied). Passwords and the Kafka client key are write-only: never returned; `hasPassword` and `destination.tls.hasClientKey` say whether one is stored. URLs (schema registry, alert contacts) come masked: account, query values and token-like path segments replaced by `***`; sent back unchanged in a PATCH, a masked URL keeps the stored one.',
  });

/** A task as stored: what the repository reads. */
export const taskViewSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  status: taskStatusSchema,
  statusReason: z.string().nullable().describe('Why the task is in its status, e.g. the failure.'),
  config: publicTaskConfigSchema,
  startedAt: dateTime()
    .nullable()
    .describe('When the operator last started the task; null before.'),
  termsAcceptance: z
    .object({
      by: z.string().describe('The user name of the operator who accepted.'),
      at: dateTime(),
    })
    .nullable()
    .describe('Who accepted the terms of service at the last start, and when; null before.'),
  createdAt: dateTime(),
  updatedAt: dateTime(),
});

export const taskMetricsSchema = z.object({
  recordsPerSecond: z.number(),
  bytesPerSecond: z.number(),
  latencyMs: z
    .number()
    .nullable()
    .describe('Now minus the commit time of the last delivered event.'),
});

/** A task with its progress: the lists' and the actions' answer. */
export const taskSummarySchema = taskViewSchema
  .extend({
    stage: z.string().nullable().describe('The running stage: schema, full or incremental.'),
    actions: z
      .array(z.string())
      .describe('Operator actions allowed now (precheck, start, pause, …).'),
    progress: z.object({
      percent: z
        .number()
        .int()
        .nullable()
        .describe('Of the full migration; null before it has tables.'),
      rowsDone: z.number().int(),
      rowsEstimated: z.number().int(),
    }),
    metrics: taskMetricsSchema
      .nullable()
      .describe('The latest sample while running; null otherwise.'),
    retrying: z
      .object({ since: dateTime(), lastError: z.string() })
      .nullable()
      .describe('Set while a lost connection is being retried within the retry window.'),
    warnings: z.array(z.string()),
  })
  .meta({ id: 'Task', description: 'A task with its progress.' });

export const precheckItemStatusSchema = precheckStatusSchema;

export const precheckItemSchema = z
  .object({
    key: z.string().describe('Stable key, used to ignore the item.'),
    name: z.string(),
    position: z.number().int(),
    status: precheckItemStatusSchema,
    message: z.string(),
    remedy: z.string(),
    isIgnorable: z.boolean().describe('Whether the operator may accept this failure.'),
    isIgnored: z.boolean(),
    finishedAt: dateTime().nullable(),
  })
  .meta({ id: 'PrecheckItem' });

export const precheckReportSchema = z
  .object({
    items: z.array(precheckItemSchema),
    successRate: z
      .number()
      .int()
      .min(0)
      .max(100)
      .describe('Passed, warned or ignored items over all items, in percent (the wizard’s meter).'),
    isComplete: z.boolean(),
  })
  .meta({ id: 'PrecheckReport' });

export const tableProgressSchema = z
  .object({
    database: z.string(),
    table: z.string(),
    rowsDone: z.number().int(),
    rowsEstimated: z.number().int(),
    lastKey: z.unknown().describe('The last acknowledged key of the snapshot.'),
    isDone: z.boolean(),
  })
  .meta({ id: 'TableProgress' });

export const metricSampleSchema = z
  .object({ at: dateTime(), stage: z.string(), ...taskMetricsSchema.shape })
  .meta({ id: 'MetricSample' });

export const taskEventLevelSchema = z.enum(['info', 'warning', 'error']);

export const taskEventSchema = z
  .object({
    id: z.string(),
    at: dateTime(),
    level: taskEventLevelSchema,
    kind: z.string().describe('e.g. precheck_started, started, paused, failed.'),
    message: z.string(),
    data: z.unknown().describe('Structured, non-secret details.'),
  })
  .meta({ id: 'TaskEvent' });

export const alertSchema = z
  .object({
    id: z.string(),
    kind: z.string().describe('task_failed or latency.'),
    message: z.string(),
    openedAt: dateTime(),
    clearedAt: dateTime().nullable(),
    deliveredAt: dateTime().nullable(),
    deliveryError: z.string().nullable(),
  })
  .meta({ id: 'Alert' });

export const taskDetailsSchema = taskSummarySchema
  .extend({
    tables: z.array(tableProgressSchema),
    precheck: precheckReportSchema,
    metricHistory: z.array(metricSampleSchema),
    events: z.array(taskEventSchema),
    alerts: z.array(alertSchema),
  })
  .meta({
    id: 'TaskDetails',
    description: 'A task with its table progress, precheck, metrics, events and alerts.',
  });

export const sourceObjectTreeSchema = z
  .object({
    databases: z.array(
      z.object({
        name: z.string(),
        tables: z.array(
          z.object({
            name: z.string(),
            type: z.enum(['table', 'view']),
            estimatedRows: z.number().int().nullable(),
            dataBytes: z.number().int().nullable(),
          }),
        ),
      }),
    ),
  })
  .meta({ id: 'SourceObjectTree' });

export const filterCheckSchema = z
  .object({
    isValid: z.boolean(),
    sql: z.string().nullable().describe('The filter as Tidewater will run it, when valid.'),
    error: z.object({ code: z.string(), message: z.string(), remedy: z.string() }).nullable(),
  })
  .meta({ id: 'FilterCheck' });

const unreachable = z.object({ isReachable: z.literal(false), error: failureSchema });

export const sourceConnectivitySchema = z
  .discriminatedUnion('isReachable', [
    z.object({
      isReachable: z.literal(true),
      server: z.object({ flavour: z.string(), version: z.string(), description: z.string() }),
      clientAddress: z
        .string()
        .describe('The address the source sees Tidewater connect from: allow it in the firewall.'),
    }),
    unreachable,
  ])
  .meta({ id: 'SourceConnectivity' });

export const destinationConnectivitySchema = z
  .discriminatedUnion('isReachable', [
    z.object({
      isReachable: z.literal(true),
      brokerVersion: z.string(),
      topics: z.array(z.object({ name: z.string(), partitions: z.number().int() })),
      schemaRegistry: z.object({ isReachable: z.boolean(), message: z.string() }).nullable(),
    }),
    unreachable,
  ])
  .meta({ id: 'DestinationConnectivity' });

export const SERVICE_NAMES = ['postgresql', 'redis', 'kafka', 'schema-registry', 'worker'] as const;

export const serviceHealthSchema = z
  .object({
    name: z.enum(SERVICE_NAMES),
    isUp: z.boolean(),
    endpoint: z.string(),
    detail: z.string(),
    latencyMs: z.number(),
  })
  .meta({ id: 'ServiceHealth' });

export const systemHealthSchema = z.object({
  isHealthy: z.boolean(),
  services: z.array(serviceHealthSchema),
});

export const operatorSchema = z
  .object({
    id: z.string(),
    username: z.string(),
    createdAt: dateTime(),
    passwordChangedAt: dateTime(),
  })
  .meta({ id: 'Operator' });

export const apiTokenViewSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    prefix: z.string().describe('The first characters of the token, to recognise it.'),
    createdAt: dateTime(),
    lastUsedAt: dateTime().nullable(),
    expiresAt: dateTime().describe('After this the token is refused.'),
  })
  .meta({ id: 'ApiToken' });

export const newApiTokenAnswerSchema = z.object({
  token: z.string().describe('The secret, shown once.'),
  apiToken: apiTokenViewSchema,
});

/** The answers of the routes, by the name the CLI and the console use. */
export const taskAnswerSchema = z.object({ task: taskSummarySchema });
export const taskListAnswerSchema = z.object({ tasks: z.array(taskSummarySchema) });
export const taskDetailsAnswerSchema = z.object({ task: taskDetailsSchema });
export const precheckAnswerSchema = z.object({ precheck: precheckReportSchema });
export const signInAnswerSchema = z.object({ operator: operatorSchema });
export const sessionAnswerSchema = z.object({
  operator: operatorSchema.nullable(),
  via: z.enum(['session', 'token']).nullable(),
});
export const signOutAnswerSchema = z.object({ isSignedOut: z.literal(true) });
export const passwordChangedAnswerSchema = z.object({
  isChanged: z.literal(true),
  revokedApiTokens: z.array(apiTokenViewSchema),
});
export const apiTokenListAnswerSchema = z.object({ tokens: z.array(apiTokenViewSchema) });
export const apiTokenRevokedAnswerSchema = z.object({ isRevoked: z.literal(true) });

export type PublicTaskConfig = z.infer<typeof publicTaskConfigSchema>;
export type PublicSchemaRegistry = PublicTaskConfig['destination']['schemaRegistry'];
export type TaskView = z.infer<typeof taskViewSchema>;
export type TaskSummary = z.infer<typeof taskSummarySchema>;
export type TaskDetails = z.infer<typeof taskDetailsSchema>;
export type PrecheckItemStatus = z.infer<typeof precheckItemStatusSchema>;
export type PrecheckItemView = z.infer<typeof precheckItemSchema>;
export type PrecheckReport = z.infer<typeof precheckReportSchema>;
export type TableProgressView = z.infer<typeof tableProgressSchema>;
export type MetricSampleView = z.infer<typeof metricSampleSchema>;
export type TaskEventLevel = z.infer<typeof taskEventLevelSchema>;
export type TaskEventView = z.infer<typeof taskEventSchema>;
export type AlertView = z.infer<typeof alertSchema>;
export type SourceObjectTree = z.infer<typeof sourceObjectTreeSchema>;
export type FilterCheck = z.infer<typeof filterCheckSchema>;
export type SourceConnectivity = z.infer<typeof sourceConnectivitySchema>;
export type DestinationConnectivity = z.infer<typeof destinationConnectivitySchema>;
export type ServiceHealth = z.infer<typeof serviceHealthSchema>;
export type SystemHealth = z.infer<typeof systemHealthSchema>;
export type OperatorView = z.infer<typeof operatorSchema>;
export type ApiTokenView = z.infer<typeof apiTokenViewSchema>;
export type FieldProblem = z.infer<typeof fieldProblemSchema>;
export type Failure = z.infer<typeof failureSchema>;

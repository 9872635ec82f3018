import { z } from 'zod';
import {
  destinationSchema,
  INSTANCE_CLASSES,
  sourceSchema,
  TASK_STATUSES,
  taskConfigSchema,
} from '@tidewater/config';
import { apiTokenSchema, changePasswordSchema, signInSchema } from './auth-schemas';
import { SESSION_COOKIE } from './session-cookie';

/**
 * The OpenAPI 3.1 document of the HTTP API, served at GET /api/openapi.json. Request bodies
 * come from the zod schemas the handlers validate with (z.toJSONSchema, input side: fields
 * with defaults are optional); response shapes are written here, after the engine's and the
 * repositories' view types (TaskSummary, TaskDetails, PrecheckReport, …). OpenAPI 3.1 uses
 * JSON Schema 2020-12, the dialect z.toJSONSchema produces.
 */

type Schema = Record<string, unknown>;

/** A request body schema from zod, without the `$schema` key that components do not take. */
function fromZod(schema: z.ZodType): Schema {
  const { $schema: _dialect, ...json } = z.toJSONSchema(schema, {
    io: 'input',
    unrepresentable: 'any',
  }) as Schema;
  return json;
}

const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
const nullable = (schema: Schema): Schema =>
  '$ref' in schema
    ? { anyOf: [schema, { type: 'null' }] }
    : { ...schema, type: [schema.type, 'null'] };
const array = (items: Schema): Schema => ({ type: 'array', items });
const string = (description?: string): Schema => ({
  type: 'string',
  ...(description ? { description } : {}),
});
const dateTime = (description?: string): Schema => ({
  ...string(description),
  format: 'date-time',
});
const integer = (description?: string): Schema => ({
  type: 'integer',
  ...(description ? { description } : {}),
});
const number = (description?: string): Schema => ({
  type: 'number',
  ...(description ? { description } : {}),
});
const boolean = (description?: string): Schema => ({
  type: 'boolean',
  ...(description ? { description } : {}),
});

/** An object whose every listed property is required (the API always sends them). */
function object(properties: Record<string, Schema>, description?: string): Schema {
  return {
    type: 'object',
    ...(description ? { description } : {}),
    properties,
    required: Object.keys(properties),
  };
}

/** The stored configuration as the API returns it: passwords replaced by `hasPassword`. */
function publicTaskConfig(): Schema {
  const config = fromZod(taskConfigSchema) as Schema & { properties: Record<string, Schema> };
  const withoutPassword = (side: Schema & { properties?: Record<string, Schema> }): Schema => {
    const { password: _password, ...properties } = side.properties ?? {};
    return {
      ...side,
      properties: { ...properties, hasPassword: boolean('Whether a password is stored.') },
    };
  };
  const destination = withoutPassword(config.properties.destination as Schema) as Schema & {
    properties: Record<string, Schema>;
  };
  const registry = destination.properties.schemaRegistry as Schema & { oneOf?: Schema[] };
  // The client key is write-only like a password: `hasClientKey` says whether one is stored.
  const tls = destination.properties.tls as Schema & { properties?: Record<string, Schema> };
  const { clientKey: _clientKey, ...tlsProperties } = tls.properties ?? {};
  const publicTls = {
    ...tls,
    properties: {
      ...tlsProperties,
      hasClientKey: boolean('Whether a client private key is stored.'),
    },
  };
  const registryVariants = (registry.oneOf ?? []) as Array<
    Schema & { properties?: Record<string, Schema> }
  >;
  return {
    ...config,
    description:
      'The task configuration as stored (defaults applied). Passwords and the Kafka client key are write-only: never returned; `hasPassword` and `destination.tls.hasClientKey` say whether one is stored. URLs (schema registry, alert contacts) come masked: account, query values and token-like path segments replaced by `***`; sent back unchanged in a PATCH, a masked URL keeps the stored one.',
    properties: {
      ...config.properties,
      source: withoutPassword(config.properties.source as Schema),
      destination: {
        ...destination,
        properties: {
          ...destination.properties,
          tls: publicTls,
          schemaRegistry: {
            ...registry,
            oneOf: registryVariants.map((variant) =>
              variant.properties && 'password' in variant.properties
                ? withoutPassword(variant)
                : variant,
            ),
          },
        },
      },
    },
  };
}

/** PATCH bodies: any subset of the configuration; source and destination merge one level deep. */
function taskConfigPatch(): Schema {
  const config = fromZod(taskConfigSchema) as Schema & { properties: Record<string, Schema> };
  const optional = (side: Schema): Schema => {
    const { required: _required, ...rest } = side;
    return rest;
  };
  const { required: _required, ...rest } = config;
  return {
    ...rest,
    description:
      'Fields to change. Top-level keys replace the stored ones; `source` and `destination` merge one level deep; an absent password keeps the stored one while the host, port, account and TLS settings (Kafka: brokers, account, encryption, TLS; registry: URL and account) are those it was saved with, else 400 PASSWORD_REQUIRED. The merged result must be a valid TaskConfig.',
    properties: {
      ...config.properties,
      source: optional(config.properties.source as Schema),
      destination: optional(config.properties.destination as Schema),
    },
  };
}

const failure = object({
  code: string('Stable error code, e.g. SOURCE_AUTH_FAILED.'),
  message: string('What is wrong, for the operator.'),
  remedy: string('How to fix it.'),
  details: { type: 'object', additionalProperties: true },
});

const schemas: Record<string, Schema> = {
  TaskConfig: {
    ...fromZod(taskConfigSchema),
    description:
      'A task configuration. Only source and destination are required to save a draft; the precheck needs at least one object.',
  },
  TaskConfigPatch: taskConfigPatch(),
  PublicTaskConfig: publicTaskConfig(),
  Source: fromZod(sourceSchema),
  Destination: fromZod(destinationSchema),
  SignIn: fromZod(signInSchema),
  ChangePassword: fromZod(changePasswordSchema),
  NewApiToken: fromZod(apiTokenSchema),
  TaskStatus: { type: 'string', enum: [...TASK_STATUSES] },
  InstanceClass: {
    type: 'string',
    enum: [...INSTANCE_CLASSES],
    description:
      'Ceiling of incremental migration in records/s: small 2,000, medium 5,000, large 6,000, xlarge 7,000, 2xlarge 11,000, unlimited none. A record is a row change, a DDL statement or a COMMIT.',
  },
  Error: {
    ...object({
      error: {
        ...failure,
        properties: {
          ...(failure.properties as Record<string, Schema>),
          details: {
            type: 'object',
            additionalProperties: true,
            description:
              'Non-secret details. For INVALID_INPUT: `problems`, one { path, message } per field.',
            properties: { problems: array(ref('FieldProblem')) },
          },
        },
      },
    }),
    description: 'Every error response has this body; no stack traces.',
  },
  FieldProblem: object({
    path: string('Dotted path of the field, e.g. `source.port`; empty for the whole body.'),
    message: string(),
  }),
  Failure: { ...failure, description: 'An error as a value (a failed connectivity test).' },
  Task: object(
    {
      id: { type: 'string', format: 'uuid' },
      name: string(),
      status: ref('TaskStatus'),
      statusReason: nullable(string('Why the task is in its status, e.g. the failure.')),
      config: ref('PublicTaskConfig'),
      startedAt: nullable(dateTime('When the task was last started.')),
      termsAcceptance: nullable(
        object(
          { by: string('The user name of the operator who accepted.'), at: dateTime() },
          'Who accepted the terms of service at the last start, and when.',
        ),
      ),
      createdAt: dateTime(),
      updatedAt: dateTime(),
      stage: nullable(string('The running stage: schema, full or incremental.')),
      actions: array(string('An operator action allowed now (precheck, start, pause, …).')),
      progress: object({
        percent: nullable(integer('Of the full migration; null before it has tables.')),
        rowsDone: integer(),
        rowsEstimated: integer(),
      }),
      metrics: nullable(
        object(
          {
            recordsPerSecond: number(),
            bytesPerSecond: number(),
            latencyMs: nullable(number('Now minus the commit time of the last delivered event.')),
          },
          'The latest sample while running; null otherwise.',
        ),
      ),
      retrying: nullable(
        object(
          { since: dateTime(), lastError: string() },
          'Set while a lost connection is being retried within the retry window.',
        ),
      ),
      warnings: array(string()),
    },
    'A task with its progress.',
  ),
  TaskDetails: {
    allOf: [
      ref('Task'),
      object({
        tables: array(ref('TableProgress')),
        precheck: ref('PrecheckReport'),
        metricHistory: array(ref('MetricSample')),
        events: array(ref('TaskEvent')),
        alerts: array(ref('Alert')),
      }),
    ],
  },
  TableProgress: object({
    database: string(),
    table: string(),
    rowsDone: integer(),
    rowsEstimated: integer(),
    lastKey: { description: 'The last acknowledged key of the snapshot.' },
    isDone: boolean(),
  }),
  MetricSample: object({
    at: dateTime(),
    stage: string(),
    recordsPerSecond: number(),
    bytesPerSecond: number(),
    latencyMs: nullable(number()),
  }),
  TaskEvent: object({
    id: string(),
    at: dateTime(),
    level: { type: 'string', enum: ['info', 'warning', 'error'] },
    kind: string('e.g. precheck_started, started, paused, failed.'),
    message: string(),
    data: { description: 'Structured, non-secret details.' },
  }),
  Alert: object({
    id: string(),
    kind: string('task_failed or latency.'),
    message: string(),
    openedAt: dateTime(),
    clearedAt: nullable(dateTime()),
    deliveredAt: nullable(dateTime()),
    deliveryError: nullable(string()),
  }),
  PrecheckItem: object({
    key: string('Stable key, used to ignore the item.'),
    name: string(),
    position: integer(),
    status: { type: 'string', enum: ['pending', 'running', 'pass', 'warning', 'fail'] },
    message: string(),
    remedy: string(),
    isIgnorable: boolean('Whether the operator may accept this failure.'),
    isIgnored: boolean(),
    finishedAt: nullable(dateTime()),
  }),
  PrecheckReport: object({
    items: array(ref('PrecheckItem')),
    successRate: integer('Passed, warned or ignored items over all items, in percent.'),
    isComplete: boolean(),
  }),
  SourceObjectTree: object({
    databases: array(
      object({
        name: string(),
        tables: array(
          object({
            name: string(),
            type: { type: 'string', enum: ['table', 'view'] },
            estimatedRows: nullable(integer()),
            dataBytes: nullable(integer()),
          }),
        ),
      }),
    ),
  }),
  FilterCheck: object({
    isValid: boolean(),
    sql: nullable(string('The filter as Tidewater will run it, when valid.')),
    error: nullable(object({ code: string(), message: string(), remedy: string() })),
  }),
  SourceConnectivity: {
    oneOf: [
      object({
        isReachable: { type: 'boolean', const: true },
        server: object({ flavour: string(), version: string(), description: string() }),
        clientAddress: string('The address the source sees Tidewater connect from.'),
      }),
      object({ isReachable: { type: 'boolean', const: false }, error: ref('Failure') }),
    ],
  },
  DestinationConnectivity: {
    oneOf: [
      object({
        isReachable: { type: 'boolean', const: true },
        brokerVersion: string(),
        topics: array(object({ name: string(), partitions: integer() })),
        schemaRegistry: nullable(object({ isReachable: boolean(), message: string() })),
      }),
      object({ isReachable: { type: 'boolean', const: false }, error: ref('Failure') }),
    ],
  },
  ServiceHealth: object({
    name: {
      type: 'string',
      enum: ['postgresql', 'redis', 'kafka', 'schema-registry', 'worker'],
    },
    isUp: boolean(),
    endpoint: string(),
    detail: string(),
    latencyMs: number(),
  }),
  Operator: object({
    id: string(),
    username: string(),
    createdAt: dateTime(),
    passwordChangedAt: dateTime(),
  }),
  ApiToken: object({
    id: string(),
    name: string(),
    prefix: string('The first characters of the token, to recognise it.'),
    createdAt: dateTime(),
    lastUsedAt: nullable(dateTime()),
    expiresAt: dateTime(),
  }),
};

const ERROR_STATUSES: Record<string, string> = {
  '400':
    'Invalid input, nothing written (INVALID_INPUT with details.problems — an unknown field is a problem naming it —, INVALID_JSON, TERMS_NOT_ACCEPTED, …).',
  '401':
    'Not signed in, or the API token is not valid (UNAUTHENTICATED, API_TOKEN_INVALID, API_TOKEN_EXPIRED).',
  '403': 'A cookie-authenticated change that did not come from the console (CSRF_REJECTED).',
  '404':
    'The task (or another named thing) does not exist, or the id is not one (TASK_NOT_FOUND, …).',
  '409':
    'Not allowed in the task’s current state, nothing written (TASK_STATE_CONFLICT, PRECHECK_NOT_PASSED, …).',
  '422': 'The source or destination is configured in a way Tidewater cannot work with.',
  '413':
    'The request body is over the route’s limit: 1 MiB, 8 MiB for a task configuration (REQUEST_TOO_LARGE).',
  '429': 'Too many failed sign-ins (SIGN_IN_RATE_LIMITED; see Retry-After).',
  '500': 'An unexpected error (INTERNAL); the web log has the details.',
  '503': 'A service Tidewater depends on is unavailable.',
};

interface Operation {
  summary: string;
  description?: string;
  tags: string[];
  parameters?: string[];
  body?: { schema: Schema; isRequired?: boolean };
  status?: number;
  response: Schema;
  errors: Array<keyof typeof ERROR_STATUSES>;
  isPublic?: boolean;
}

const PARAMETERS: Record<string, Schema> = {
  id: {
    name: 'id',
    in: 'path',
    required: true,
    schema: { type: 'string', format: 'uuid' },
    description: 'The task id.',
  },
  tokenId: {
    name: 'id',
    in: 'path',
    required: true,
    schema: { type: 'string' },
    description: 'The API token id.',
  },
  key: {
    name: 'key',
    in: 'path',
    required: true,
    schema: { type: 'string' },
    description: 'The precheck item key, URL-encoded.',
  },
  status: {
    name: 'status',
    in: 'query',
    required: false,
    schema: ref('TaskStatus'),
    description: 'Only tasks in this status (released tasks are listed only when asked for).',
  },
  search: {
    name: 'search',
    in: 'query',
    required: false,
    schema: { type: 'string' },
    description: 'Only tasks whose name contains this text (case-insensitive).',
  },
};

/** Errors every authenticated call can answer; unsafe methods add 403 for cookie callers. */
const AUTH_ERRORS = ['401', '500', '503'] as const;
const CHANGE_ERRORS = ['400', '401', '403', '413', '500', '503'] as const;

const taskAction = (
  action: string,
  summary: string,
  description: string,
  body?: Schema,
): Operation => ({
  summary,
  description,
  tags: ['Tasks'],
  parameters: ['id'],
  ...(body ? { body: { schema: body, isRequired: action === 'start' } } : {}),
  response: object({ task: ref('Task') }),
  errors: [...CHANGE_ERRORS, '404', '409'],
});

const connectivityTest = (side: 'source' | 'destination', isStored: boolean): Operation => ({
  summary: `Test connectivity to the ${side}${isStored ? ' of a saved task' : ''}`,
  description: `Tries the ${side} for real. A failed test is a result (HTTP 200, \`isReachable: false\`), not a failed request.${
    isStored
      ? ' An absent password means the stored one, so an edited task can be tested without retyping it, as long as the settings it is sent with are those it was saved with (else 400 PASSWORD_REQUIRED: a stored password only goes to the server it was entered for).'
      : side === 'destination'
        ? ' Returns the topics for the drop-downs.'
        : ''
  }`,
  tags: ['Connectivity'],
  ...(isStored ? { parameters: ['id'] } : {}),
  body: { schema: ref(side === 'source' ? 'Source' : 'Destination'), isRequired: true },
  response: ref(side === 'source' ? 'SourceConnectivity' : 'DestinationConnectivity'),
  errors: isStored ? [...CHANGE_ERRORS, '404'] : [...CHANGE_ERRORS],
});

const OPERATIONS: Record<string, Record<string, Operation>> = {
  '/api/tasks': {
    get: {
      summary: 'List tasks with their progress, newest first',
      tags: ['Tasks'],
      parameters: ['status', 'search'],
      response: object({ tasks: array(ref('Task')) }),
      errors: [...AUTH_ERRORS],
    },
    post: {
      summary: 'Save a new task (a draft until it is started)',
      tags: ['Tasks'],
      body: { schema: ref('TaskConfig'), isRequired: true },
      status: 201,
      response: object({ task: ref('Task') }),
      errors: [...CHANGE_ERRORS],
    },
  },
  '/api/tasks/{id}': {
    get: {
      summary: 'A task with its stages, table progress, precheck, metrics, events and alerts',
      tags: ['Tasks'],
      parameters: ['id'],
      response: object({ task: ref('TaskDetails') }),
      errors: [...AUTH_ERRORS, '404'],
    },
    patch: {
      summary: 'Change a draft',
      description: 'Allowed before the task starts; a finished precheck must be run again.',
      tags: ['Tasks'],
      parameters: ['id'],
      body: { schema: ref('TaskConfigPatch'), isRequired: true },
      response: object({ task: ref('Task') }),
      errors: [...CHANGE_ERRORS, '404', '409'],
    },
  },
  '/api/tasks/{id}/precheck': {
    get: {
      summary: 'The items of the last precheck and the success rate',
      tags: ['Precheck'],
      parameters: ['id'],
      response: object({ precheck: ref('PrecheckReport') }),
      errors: [...AUTH_ERRORS, '404'],
    },
    post: {
      summary: 'Run the precheck (again)',
      description:
        'Queues the precheck; poll GET /api/tasks/{id} until the status leaves `prechecking`. The answer holds the previous run’s items until the worker resets them.',
      tags: ['Precheck'],
      parameters: ['id'],
      status: 202,
      response: object({ precheck: ref('PrecheckReport') }),
      errors: [...CHANGE_ERRORS, '404', '409'],
    },
  },
  '/api/tasks/{id}/precheck/items/{key}/ignore': {
    post: {
      summary: 'Ignore (or stop ignoring) a failed precheck item',
      description:
        'Only items with `isIgnorable`. When every item then counts as a success, the task becomes precheck_passed.',
      tags: ['Precheck'],
      parameters: ['id', 'key'],
      body: {
        schema: {
          type: 'object',
          properties: { isIgnored: { type: 'boolean', default: true } },
          additionalProperties: false,
        },
      },
      response: object({ precheck: ref('PrecheckReport') }),
      errors: [...CHANGE_ERRORS, '404', '409'],
    },
  },
  '/api/tasks/{id}/start': {
    post: taskAction(
      'start',
      'Start a task ("buy and start")',
      'Needs a 100% precheck success rate (ignored items count) and the terms of service accepted (400 `TERMS_NOT_ACCEPTED` otherwise). Fixes the instance class, records who accepted the terms and when (`termsAcceptance`), and queues the run. Everything is checked before anything is written.',
      {
        type: 'object',
        properties: {
          instanceClass: ref('InstanceClass'),
          acceptTerms: {
            const: true,
            description: 'The caller accepts the Tidewater Terms of Service.',
          },
        },
        required: ['instanceClass', 'acceptTerms'],
        additionalProperties: false,
      },
    ),
  },
  '/api/tasks/{id}/pause': {
    post: taskAction('pause', 'Pause a running task', 'The worker checkpoints and stops.'),
  },
  '/api/tasks/{id}/resume': {
    post: taskAction('resume', 'Resume a paused task', 'Continues from the checkpoint.'),
  },
  '/api/tasks/{id}/stop': {
    post: taskAction(
      'stop',
      'Stop a running task',
      'Ends incremental migration: the worker checkpoints and stops; the task is completed.',
    ),
  },
  '/api/tasks/{id}/restart': {
    post: taskAction(
      'restart',
      'Restart a failed task',
      'From its checkpoint, or with `fromScratch` from a fresh snapshot (the way out when the binlog at the checkpoint was purged).',
      {
        type: 'object',
        properties: { fromScratch: { type: 'boolean', default: false } },
        additionalProperties: false,
      },
    ),
  },
  '/api/tasks/{id}/release': {
    post: taskAction(
      'release',
      'Release a task',
      'Stops its worker for good; a released task cannot be started again.',
    ),
  },
  '/api/tasks/{id}/source-objects': {
    get: {
      summary: 'Databases and tables of the task’s source, with estimates',
      tags: ['Tasks'],
      parameters: ['id'],
      response: ref('SourceObjectTree'),
      errors: [...AUTH_ERRORS, '404'],
    },
  },
  '/api/tasks/{id}/filters': {
    post: {
      summary: 'Check a WHERE filter against the real table',
      description: 'Parsed, checked against an allow-list, then resolved by the source.',
      tags: ['Tasks'],
      parameters: ['id'],
      body: {
        schema: object({
          database: { type: 'string', minLength: 1 },
          table: { type: 'string', minLength: 1 },
          filter: { type: 'string', maxLength: 4096 },
        }),
        isRequired: true,
      },
      response: ref('FilterCheck'),
      errors: [...CHANGE_ERRORS, '404'],
    },
  },
  '/api/tasks/{id}/connectivity/source': { post: connectivityTest('source', true) },
  '/api/tasks/{id}/connectivity/destination': { post: connectivityTest('destination', true) },
  '/api/connectivity/source': { post: connectivityTest('source', false) },
  '/api/connectivity/destination': { post: connectivityTest('destination', false) },
  '/api/system/health': {
    get: {
      summary: 'A real probe of every service Tidewater depends on',
      tags: ['System'],
      response: object({ isHealthy: boolean(), services: array(ref('ServiceHealth')) }),
      errors: [...AUTH_ERRORS],
    },
  },
  '/api/auth/sign-in': {
    post: {
      summary: 'Sign in: starts a session (an httpOnly cookie)',
      tags: ['Authentication'],
      body: { schema: ref('SignIn'), isRequired: true },
      response: object({ operator: ref('Operator') }),
      errors: ['400', '401', '403', '413', '429', '500', '503'],
      isPublic: true,
    },
  },
  '/api/auth/sign-out': {
    post: {
      summary: 'Sign out: ends this browser’s session',
      tags: ['Authentication'],
      response: object({ isSignedOut: { type: 'boolean', const: true } }),
      errors: [...CHANGE_ERRORS],
    },
  },
  '/api/auth/session': {
    get: {
      summary: 'Who is signed in, and how',
      tags: ['Authentication'],
      response: object({
        operator: nullable(ref('Operator')),
        via: { type: ['string', 'null'], enum: ['session', 'token', null] },
      }),
      errors: [...AUTH_ERRORS],
    },
  },
  '/api/auth/password': {
    post: {
      summary: 'Change the caller’s password',
      description:
        'Ends the caller’s other sessions (this one stays signed in) and revokes all the caller’s API tokens, the one making this call included; `revokedApiTokens` lists those that were still live.',
      tags: ['Authentication'],
      body: { schema: ref('ChangePassword'), isRequired: true },
      response: object({
        isChanged: { type: 'boolean', const: true },
        revokedApiTokens: array(ref('ApiToken')),
      }),
      errors: [...CHANGE_ERRORS],
    },
  },
  '/api/auth/tokens': {
    get: {
      summary: 'The caller’s API tokens (names and prefixes, never the secrets)',
      tags: ['Authentication'],
      response: object({ tokens: array(ref('ApiToken')) }),
      errors: [...AUTH_ERRORS],
    },
    post: {
      summary: 'Create an API token',
      description:
        'The secret `token` is in this answer only; send it as `Authorization: Bearer <token>`.',
      tags: ['Authentication'],
      body: { schema: ref('NewApiToken'), isRequired: true },
      status: 201,
      response: object({ token: string('The secret, shown once.'), apiToken: ref('ApiToken') }),
      errors: [...CHANGE_ERRORS],
    },
  },
  '/api/auth/tokens/{id}': {
    delete: {
      summary: 'Revoke one of the caller’s API tokens',
      tags: ['Authentication'],
      parameters: ['tokenId'],
      response: object({ isRevoked: { type: 'boolean', const: true } }),
      errors: [...AUTH_ERRORS, '403', '404'],
    },
  },
  '/api/openapi.json': {
    get: {
      summary: 'This document',
      tags: ['System'],
      response: { type: 'object', description: 'An OpenAPI 3.1 document.' },
      errors: [...AUTH_ERRORS],
    },
  },
};

function operationObject(path: string, method: string, operation: Operation): Schema {
  const responses: Record<string, Schema> = {
    [String(operation.status ?? 200)]: {
      description: 'Success.',
      content: { 'application/json': { schema: operation.response } },
    },
  };
  for (const status of [...new Set(operation.errors)].sort()) {
    responses[status] = { $ref: `#/components/responses/Error${status}` };
  }
  return {
    operationId: `${method}${path
      .replace(/^\/api/, '')
      .split(/[/.-]/)
      .filter(Boolean)
      .map((part) => part.replace(/[{}]/g, ''))
      .map((part) => part[0]?.toUpperCase() + part.slice(1))
      .join('')}`,
    summary: operation.summary,
    ...(operation.description ? { description: operation.description } : {}),
    tags: operation.tags,
    ...(operation.isPublic ? { security: [] } : {}),
    ...(operation.parameters
      ? { parameters: operation.parameters.map((name) => PARAMETERS[name]) }
      : {}),
    ...(operation.body
      ? {
          requestBody: {
            required: operation.body.isRequired ?? false,
            content: { 'application/json': { schema: operation.body.schema } },
          },
        }
      : {}),
    responses,
  };
}

let document: Schema | undefined;

export function openApiDocument(): Schema {
  document ??= {
    openapi: '3.1.0',
    info: {
      title: 'Tidewater HTTP API',
      version: '0.1.0',
      description:
        'Migration tasks from MySQL-compatible databases to Apache Kafka: configure, precheck, start, watch, pause, resume, stop, release. Every route needs a signed-in session or an API token, except signing in. Errors always have the body `{ error: { code, message, remedy, details } }`.',
    },
    servers: [{ url: '/' }],
    security: [{ apiToken: [] }, { session: [] }],
    tags: [
      { name: 'Tasks' },
      { name: 'Precheck' },
      { name: 'Connectivity' },
      { name: 'System' },
      { name: 'Authentication' },
    ],
    paths: Object.fromEntries(
      Object.entries(OPERATIONS).map(([path, methods]) => [
        path,
        Object.fromEntries(
          Object.entries(methods).map(([method, operation]) => [
            method,
            operationObject(path, method, operation),
          ]),
        ),
      ]),
    ),
    components: {
      schemas,
      responses: Object.fromEntries(
        Object.entries(ERROR_STATUSES).map(([status, description]) => [
          `Error${status}`,
          { description, content: { 'application/json': { schema: ref('Error') } } },
        ]),
      ),
      securitySchemes: {
        apiToken: {
          type: 'http',
          scheme: 'bearer',
          description: 'An API token from the Account page (the CLI sends it this way).',
        },
        session: {
          type: 'apiKey',
          in: 'cookie',
          name: SESSION_COOKIE,
          description:
            'The console’s session. Changes (POST, PATCH, DELETE) must come from the console’s own origin.',
        },
      },
    },
  };
  return document;
}

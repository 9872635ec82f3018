import { z } from 'zod';
import { destinationConnectionSchema, sourceSchema, taskConfigSchema } from '../task-config';
import { taskStatusSchema } from '../task-status';
import * as api from './schemas';

/**
 * The OpenAPI 3.1 document of the HTTP API, generated from the contract's zod schemas
 * (schemas.ts): request bodies as the handlers take them (z.toJSONSchema, input side: fields
 * with defaults are optional), answers as the API sends them (output side: every field listed,
 * no other field allowed). OpenAPI 3.1 uses JSON Schema 2020-12, the dialect z.toJSONSchema
 * produces. Schemas named with `.meta({ id })` become `components.schemas`. The web app serves
 * the document at GET /api/openapi.json.
 */

type Schema = Record<string, unknown>;

/** The task configuration's request bodies, named in the document's components. */
const taskConfigBody = taskConfigSchema.meta({
  id: 'TaskConfig',
  description:
    'A task configuration. Only source and destination are required to save a draft; the precheck needs at least one object.',
});
const sourceBody = sourceSchema.meta({ id: 'Source' });
const destinationConnectionBody = destinationConnectionSchema.meta({
  id: 'DestinationConnection',
  description: 'The destination without the need for a topic: the test lists the topics.',
});
type Method = 'get' | 'post' | 'patch' | 'delete';

const ERROR_STATUSES = {
  '400':
    'Invalid input, nothing written (INVALID_INPUT with details.problems — an unknown field is a problem naming it —, INVALID_JSON, TERMS_NOT_ACCEPTED, …).',
  '401':
    'Not signed in, or the API token is not valid (UNAUTHENTICATED, API_TOKEN_INVALID, API_TOKEN_EXPIRED).',
  '403': 'A cookie-authenticated change that did not come from the console (CSRF_REJECTED).',
  '404':
    'The task (or another named thing) does not exist, or the id is not one (TASK_NOT_FOUND, …).',
  '409':
    'Not allowed in the task’s current state, nothing written (TASK_STATE_CONFLICT, PRECHECK_NOT_PASSED, …).',
  '413':
    'The request body is over the route’s limit: 1 MiB, 8 MiB for a task configuration (REQUEST_TOO_LARGE).',
  '422': 'The source or destination is configured in a way Tidewater cannot work with.',
  '429': 'Too many failed sign-ins (SIGN_IN_RATE_LIMITED; see Retry-After).',
  '500': 'An unexpected error (INTERNAL); the web log has the details.',
  '503': 'A service Tidewater depends on is unavailable.',
} as const;
type ErrorStatus = keyof typeof ERROR_STATUSES;

const PARAMETERS = {
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
    schema: { type: 'string', enum: taskStatusSchema.options },
    description: 'Only tasks in this status (released tasks are listed only when asked for).',
  },
  search: {
    name: 'search',
    in: 'query',
    required: false,
    schema: { type: 'string' },
    description: 'Only tasks whose name contains this text (case-insensitive).',
  },
} as const;

/** One operation of the API: what it takes and what it answers. */
export interface ApiRoute {
  summary: string;
  description?: string;
  tags: string[];
  parameters?: Array<keyof typeof PARAMETERS>;
  body?: { schema: z.ZodType; isRequired?: boolean };
  /** The success status; 200 unless told. */
  status?: number;
  response: z.ZodType;
  errors: ErrorStatus[];
  isPublic?: boolean;
}

/** Errors every authenticated call can answer; unsafe methods add 403 for cookie callers. */
const AUTH_ERRORS: ErrorStatus[] = ['401', '500', '503'];
const CHANGE_ERRORS: ErrorStatus[] = ['400', '401', '403', '413', '500', '503'];

const taskAction = (
  summary: string,
  description: string,
  body?: { schema: z.ZodType; isRequired?: boolean },
): ApiRoute => ({
  summary,
  description,
  tags: ['Tasks'],
  parameters: ['id'],
  ...(body ? { body } : {}),
  response: api.taskAnswerSchema,
  errors: [...CHANGE_ERRORS, '404', '409'],
});

const connectivityTest = (side: 'source' | 'destination', isStored: boolean): ApiRoute => ({
  summary: `Test connectivity to the ${side}${isStored ? ' of a saved task' : ''}`,
  description: `Tries the ${side} for real. A failed test is a result (HTTP 200, \`isReachable: false\`), not a failed request.${
    isStored
      ? ' An absent password means the stored one, so an edited task can be tested without retyping it, as long as the settings it is sent with are those it was saved with (else 400 PASSWORD_REQUIRED: a stored password only goes to the server it was entered for).'
      : side === 'destination'
        ? ' Returns the topics for the drop-downs.'
        : ''
  }`,
  tags: ['Connectivity'],
  ...(isStored ? { parameters: ['id'] as const } : {}),
  body: {
    schema: side === 'source' ? sourceBody : destinationConnectionBody,
    isRequired: true,
  },
  response: side === 'source' ? api.sourceConnectivitySchema : api.destinationConnectivitySchema,
  errors: isStored ? [...CHANGE_ERRORS, '404'] : [...CHANGE_ERRORS],
});

/** Every route of the API under apps/web/app/api, by path and method. */
export const API_ROUTES: Record<string, Partial<Record<Method, ApiRoute>>> = {
  '/api/tasks': {
    get: {
      summary: 'List tasks with their progress, newest first',
      tags: ['Tasks'],
      parameters: ['status', 'search'],
      response: api.taskListAnswerSchema,
      errors: AUTH_ERRORS,
    },
    post: {
      summary: 'Save a new task (a draft until it is started)',
      description:
        'Only source and destination are required to save a draft; the precheck needs at least one object.',
      tags: ['Tasks'],
      body: { schema: taskConfigBody, isRequired: true },
      status: 201,
      response: api.taskAnswerSchema,
      errors: CHANGE_ERRORS,
    },
  },
  '/api/tasks/{id}': {
    get: {
      summary: 'A task with its stages, table progress, precheck, metrics, events and alerts',
      tags: ['Tasks'],
      parameters: ['id'],
      response: api.taskDetailsAnswerSchema,
      errors: [...AUTH_ERRORS, '404'],
    },
    patch: {
      summary: 'Change a draft',
      description: 'Allowed before the task starts; a finished precheck must be run again.',
      tags: ['Tasks'],
      parameters: ['id'],
      body: { schema: api.taskConfigPatchSchema, isRequired: true },
      response: api.taskAnswerSchema,
      errors: [...CHANGE_ERRORS, '404', '409'],
    },
  },
  '/api/tasks/{id}/precheck': {
    get: {
      summary: 'The items of the last precheck and the success rate',
      tags: ['Precheck'],
      parameters: ['id'],
      response: api.precheckAnswerSchema,
      errors: [...AUTH_ERRORS, '404'],
    },
    post: {
      summary: 'Run the precheck (again)',
      description:
        'Queues the precheck; poll GET /api/tasks/{id} until the status leaves `prechecking`. The answer holds the previous run’s items until the worker resets them.',
      tags: ['Precheck'],
      parameters: ['id'],
      status: 202,
      response: api.precheckAnswerSchema,
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
      body: { schema: api.ignorePrecheckItemSchema },
      response: api.precheckAnswerSchema,
      errors: [...CHANGE_ERRORS, '404', '409'],
    },
  },
  '/api/tasks/{id}/start': {
    post: taskAction(
      'Start a task ("buy and start")',
      'Needs a 100% precheck success rate (ignored items count) and the terms of service accepted (400 `TERMS_NOT_ACCEPTED` otherwise). Fixes the instance class, records who accepted the terms and when (`termsAcceptance`), and queues the run. Everything is checked before anything is written.',
      { schema: api.startTaskSchema, isRequired: true },
    ),
  },
  '/api/tasks/{id}/pause': {
    post: taskAction('Pause a running task', 'The worker checkpoints and stops.'),
  },
  '/api/tasks/{id}/resume': {
    post: taskAction('Resume a paused task', 'Continues from the checkpoint.'),
  },
  '/api/tasks/{id}/stop': {
    post: taskAction(
      'Stop a running task',
      'Ends incremental migration: the worker checkpoints and stops; the task is completed.',
    ),
  },
  '/api/tasks/{id}/restart': {
    post: taskAction(
      'Restart a failed task',
      'From its checkpoint, or with `fromScratch` from a fresh snapshot (the way out when the binlog at the checkpoint was purged).',
      { schema: api.restartTaskSchema },
    ),
  },
  '/api/tasks/{id}/release': {
    post: taskAction(
      'Release a task',
      'Stops its worker for good; a released task cannot be started again.',
    ),
  },
  '/api/tasks/{id}/source-objects': {
    get: {
      summary: 'Databases and tables of the task’s source, with estimates',
      tags: ['Tasks'],
      parameters: ['id'],
      response: api.sourceObjectTreeSchema,
      errors: [...AUTH_ERRORS, '404'],
    },
  },
  '/api/tasks/{id}/filters': {
    post: {
      summary: 'Check a WHERE filter against the real table',
      description: 'Parsed, checked against an allow-list, then resolved by the source.',
      tags: ['Tasks'],
      parameters: ['id'],
      body: { schema: api.filterCheckRequestSchema, isRequired: true },
      response: api.filterCheckSchema,
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
      response: api.systemHealthSchema,
      errors: AUTH_ERRORS,
    },
  },
  '/api/auth/sign-in': {
    post: {
      summary: 'Sign in: starts a session (an httpOnly cookie)',
      tags: ['Authentication'],
      body: { schema: api.signInSchema, isRequired: true },
      response: api.signInAnswerSchema,
      errors: ['400', '401', '403', '413', '429', '500', '503'],
      isPublic: true,
    },
  },
  '/api/auth/sign-out': {
    post: {
      summary: 'Sign out: ends this browser’s session',
      tags: ['Authentication'],
      response: api.signOutAnswerSchema,
      errors: CHANGE_ERRORS,
    },
  },
  '/api/auth/session': {
    get: {
      summary: 'Who is signed in, and how',
      tags: ['Authentication'],
      response: api.sessionAnswerSchema,
      errors: AUTH_ERRORS,
    },
  },
  '/api/auth/password': {
    post: {
      summary: 'Change the caller’s password',
      description:
        'Ends the caller’s other sessions (this one stays signed in) and revokes all the caller’s API tokens, the one making this call included; `revokedApiTokens` lists those that were still live.',
      tags: ['Authentication'],
      body: { schema: api.changePasswordSchema, isRequired: true },
      response: api.passwordChangedAnswerSchema,
      errors: CHANGE_ERRORS,
    },
  },
  '/api/auth/tokens': {
    get: {
      summary: 'The caller’s API tokens (names and prefixes, never the secrets)',
      tags: ['Authentication'],
      response: api.apiTokenListAnswerSchema,
      errors: AUTH_ERRORS,
    },
    post: {
      summary: 'Create an API token',
      description:
        'The secret `token` is in this answer only; send it as `Authorization: Bearer <token>`.',
      tags: ['Authentication'],
      body: { schema: api.apiTokenSchema, isRequired: true },
      status: 201,
      response: api.newApiTokenAnswerSchema,
      errors: CHANGE_ERRORS,
    },
  },
  '/api/auth/tokens/{id}': {
    delete: {
      summary: 'Revoke one of the caller’s API tokens',
      tags: ['Authentication'],
      parameters: ['tokenId'],
      response: api.apiTokenRevokedAnswerSchema,
      errors: [...AUTH_ERRORS, '403', '404'],
    },
  },
  '/api/openapi.json': {
    get: {
      summary: 'This document',
      tags: ['System'],
      response: z
        .object({ openapi: z.literal('3.1.0') })
        .loose()
        .describe('An OpenAPI 3.1 document.'),
      errors: AUTH_ERRORS,
    },
  },
};

/**
 * A zod schema as JSON Schema for the document: named schemas (`.meta({ id })`) go to
 * `components`, referenced as `#/components/schemas/<id>`. A name generated twice must come
 * out the same both times: a schema used as a request body and in an answer whose two sides
 * differ (defaults, transforms) needs two names.
 */
function toDocumentSchema(
  schema: z.ZodType,
  io: 'input' | 'output',
  components: Record<string, Schema>,
): Schema {
  const generated = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Schema;
  const { $schema: _dialect, $defs, ...json } = generated;
  for (const [name, definition] of Object.entries(($defs ?? {}) as Record<string, Schema>)) {
    const rewritten = rewriteRefs(definition) as Schema;
    const known = components[name];
    if (known && JSON.stringify(known) !== JSON.stringify(rewritten)) {
      throw new Error(`The schema ${name} differs between its uses (${io} side); name each side.`);
    }
    components[name] = rewritten;
  }
  return rewriteRefs(json) as Schema;
}

function rewriteRefs(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(rewriteRefs);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [
      key,
      key === '$ref' && typeof item === 'string'
        ? item.replace(/^#\/\$defs\//, '#/components/schemas/')
        : rewriteRefs(item),
    ]),
  );
}

function operationId(method: string, path: string): string {
  return `${method}${path
    .replace(/^\/api/, '')
    .split(/[/.-]/)
    .filter(Boolean)
    .map((part) => part.replace(/[{}]/g, ''))
    .map((part) => part[0]?.toUpperCase() + part.slice(1))
    .join('')}`;
}

function operationObject(
  path: string,
  method: string,
  route: ApiRoute,
  components: Record<string, Schema>,
): Schema {
  const responses: Record<string, Schema> = {
    [String(route.status ?? 200)]: {
      description: 'Success.',
      content: {
        'application/json': { schema: toDocumentSchema(route.response, 'output', components) },
      },
    },
  };
  for (const status of [...new Set(route.errors)].sort()) {
    responses[status] = { $ref: `#/components/responses/Error${status}` };
  }
  return {
    operationId: operationId(method, path),
    summary: route.summary,
    ...(route.description ? { description: route.description } : {}),
    tags: route.tags,
    ...(route.isPublic ? { security: [] } : {}),
    ...(route.parameters ? { parameters: route.parameters.map((name) => PARAMETERS[name]) } : {}),
    ...(route.body
      ? {
          requestBody: {
            required: route.body.isRequired ?? false,
            content: {
              'application/json': {
                schema: toDocumentSchema(route.body.schema, 'input', components),
              },
            },
          },
        }
      : {}),
    responses,
  };
}

/** Builds the document; the web app caches it. */
export function generateOpenApiDocument(options: { sessionCookie: string }): Schema {
  const components: Record<string, Schema> = {};
  const paths = Object.fromEntries(
    Object.entries(API_ROUTES).map(([path, methods]) => [
      path,
      Object.fromEntries(
        Object.entries(methods).map(([method, route]) => [
          method,
          operationObject(path, method, route, components),
        ]),
      ),
    ]),
  );
  const error = toDocumentSchema(api.errorAnswerSchema, 'output', components);
  return {
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
    paths,
    components: {
      schemas: Object.fromEntries(
        Object.entries(components).sort(([a], [b]) => a.localeCompare(b)),
      ),
      responses: Object.fromEntries(
        Object.entries(ERROR_STATUSES).map(([status, description]) => [
          `Error${status}`,
          { description, content: { 'application/json': { schema: error } } },
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
          name: options.sessionCookie,
          description:
            'The console’s session. Changes (POST, PATCH, DELETE) must come from the console’s own origin.',
        },
      },
    },
  };
}

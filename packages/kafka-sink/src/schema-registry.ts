/**
 * The Confluent Schema Registry REST API, as far as the sink uses it ("Schema Registry API
 * Reference" in the Confluent docs; Apicurio serves the same under `/apis/ccompat/v7`):
 * `GET /subjects` to check the URL, `POST /subjects/{subject}/versions` to register (returns the
 * existing id when the schema is already there), `GET /schemas/ids/{id}` to read one back.
 * The operator's URL is the API root. The registry account and password (their own fields, never
 * the URL) go as HTTP Basic authentication to that URL only: redirects are not followed, and a
 * URL carrying credentials is refused. Messages show the URL masked and never a response body,
 * since the connectivity check may be pointed at any URL.
 */
import { maskUrl } from '@tidewater/config';
import { TidewaterError } from '@tidewater/errors';

const TIMEOUT_MS = 10_000;
const CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';
/** The most of an answer that is read: a registry's answers are small; anything else is not one. */
const MAX_ANSWER_BYTES = 16 * 1024 * 1024;

/** Where the registry is and who to sign in as. */
export interface SchemaRegistryConnection {
  url: string;
  user?: string | undefined;
  password?: string | undefined;
}

interface RegistryEndpoint {
  /** The root without trailing slash, for requests. */
  root: string;
  /** The root masked (`maskUrl`): safe for messages and logs. */
  display: string;
  headers: Record<string, string>;
}

function endpoint(registry: SchemaRegistryConnection): RegistryEndpoint {
  let parsed: URL;
  try {
    parsed = new URL(registry.url);
  } catch (error) {
    throw new TidewaterError(
      'SCHEMA_REGISTRY_URL_INVALID',
      'The schema registry URL is not a URL.',
      {
        category: 'invalid_input',
        remedy:
          'Enter the registry API root, e.g. http://registry:8081 (Confluent) or http://registry:8080/apis/ccompat/v7 (Apicurio).',
        cause: error,
      },
    );
  }
  const display = maskUrl(registry.url).replace(/\/+$/, '');
  if (parsed.username !== '' || parsed.password !== '') {
    throw new TidewaterError(
      'SCHEMA_REGISTRY_URL_INVALID',
      `The schema registry URL ${display} carries an account; it is not sent.`,
      {
        category: 'invalid_input',
        remedy:
          'Remove the account from the URL and enter it in the schema registry account and password fields.',
      },
    );
  }
  const headers: Record<string, string> = { Accept: CONTENT_TYPE };
  if (registry.user !== undefined && registry.user !== '') {
    const credentials = `${registry.user}:${registry.password ?? ''}`;
    headers.Authorization = `Basic ${Buffer.from(credentials).toString('base64')}`;
  }
  return { root: parsed.href.replace(/\/+$/, ''), display, headers };
}

async function request(
  registry: SchemaRegistryConnection,
  path: string,
  init: { method: 'GET' | 'POST'; body?: string },
): Promise<unknown> {
  const root = endpoint(registry);
  let response: Response;
  try {
    response = await fetch(`${root.root}${path}`, {
      method: init.method,
      headers:
        init.body === undefined ? root.headers : { ...root.headers, 'Content-Type': CONTENT_TYPE },
      body: init.body,
      // The credentials are for this registry: a redirect elsewhere is reported, not followed.
      redirect: 'manual',
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (error) {
    const reason =
      error instanceof Error
        ? ((error.cause as Error | undefined)?.message ?? error.message)
        : String(error);
    throw new TidewaterError(
      'SCHEMA_REGISTRY_UNREACHABLE',
      `The schema registry at ${root.display} did not answer: ${reason}.`,
      {
        category: 'unavailable',
        isRetryable: true,
        remedy:
          'Check the URL (scheme, host, port) and that the registry runs and is reachable from the worker.',
        details: { url: root.display },
        cause: error,
      },
    );
  }
  const status = response.status;
  if (status < 200 || status >= 300) {
    // Only the status is reported: the body of whatever answers is not echoed.
    await response.body?.cancel();
  }
  if (status >= 300 && status < 400) {
    throw new TidewaterError(
      'SCHEMA_REGISTRY_REDIRECTED',
      `The schema registry at ${root.display} answered ${init.method} ${path} with a redirect (HTTP ${status}); redirects are not followed, so the registry account is only sent to the URL it was entered for.`,
      {
        category: 'invalid_input',
        remedy: 'Enter the address the registry redirects to as the schema registry URL.',
        details: { url: root.display, status, path },
      },
    );
  }
  if (status === 401 || status === 403) {
    throw new TidewaterError(
      'SCHEMA_REGISTRY_UNAUTHORIZED',
      `The schema registry at ${root.display} refused the request (HTTP ${status}).`,
      {
        category: 'unauthorized',
        remedy:
          'Check the schema registry account and password, or allow this client on the registry.',
        details: { url: root.display, status },
      },
    );
  }
  if (!response.ok) {
    throw new TidewaterError(
      status === 404 ? 'SCHEMA_REGISTRY_NOT_FOUND' : 'SCHEMA_REGISTRY_REJECTED',
      `The schema registry at ${root.display} answered ${init.method} ${path} with HTTP ${status}.`,
      {
        category: status === 404 ? 'not_found' : 'unavailable',
        remedy:
          status === 404
            ? 'Check that the URL is the Confluent-compatible API root (for Apicurio it ends in /apis/ccompat/v7).'
            : 'Check the registry log; for HTTP 409 relax the subject compatibility or use a new topic.',
        details: { url: root.display, status, path },
      },
    );
  }
  const notJson = (cause?: unknown) =>
    new TidewaterError(
      'SCHEMA_REGISTRY_BAD_RESPONSE',
      `The schema registry at ${root.display} answered ${path} with something that is not JSON.`,
      {
        category: 'unavailable',
        remedy: 'Check that the URL is the registry API root and not a web page or proxy.',
        details: { url: root.display, path },
        cause,
      },
    );
  const text = await readBounded(response, MAX_ANSWER_BYTES);
  if (text === null) throw notJson();
  try {
    const body: unknown = JSON.parse(text);
    if (body === null) throw notJson();
    return body;
  } catch (error) {
    if (error instanceof TidewaterError) throw error;
    throw notJson(error);
  }
}

/** The answer as text, or null when it is longer than `limit` bytes (the rest is not read). */
async function readBounded(response: Response, limit: number): Promise<string | null> {
  if (response.body === null) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export interface SchemaRegistryCheck {
  /** The URL as shown to the operator (masked). */
  url: string;
  subjects: number;
}

/** Whether the URL is a Confluent-compatible registry: `GET /subjects` returns a JSON array. */
export async function checkSchemaRegistry(
  registry: SchemaRegistryConnection,
): Promise<SchemaRegistryCheck> {
  const body = await request(registry, '/subjects', { method: 'GET' });
  const display = endpoint(registry).display;
  if (!Array.isArray(body)) {
    throw new TidewaterError(
      'SCHEMA_REGISTRY_BAD_RESPONSE',
      `${display}/subjects did not return a list of subjects.`,
      {
        category: 'unavailable',
        remedy:
          'Check that the URL is the Confluent-compatible API root (for Apicurio, /apis/ccompat/v7).',
        details: { url: display },
      },
    );
  }
  return { url: display, subjects: body.length };
}

/** The subject of a topic's values under Confluent's default `TopicNameStrategy`. */
export function valueSubject(topic: string): string {
  return `${topic}-value`;
}

/** Registers an Avro schema under `subject` and returns its id (the existing id if known). */
export async function registerSchema(
  registry: SchemaRegistryConnection,
  subject: string,
  schema: string,
): Promise<number> {
  const body = await request(registry, `/subjects/${encodeURIComponent(subject)}/versions`, {
    method: 'POST',
    body: JSON.stringify({ schemaType: 'AVRO', schema }),
  });
  const id = (body as { id?: unknown }).id;
  if (typeof id !== 'number' || !Number.isInteger(id)) {
    throw new TidewaterError(
      'SCHEMA_REGISTRY_BAD_RESPONSE',
      `The schema registry registered subject "${subject}" but returned no schema id.`,
      {
        category: 'unavailable',
        remedy:
          'Check that the registry speaks the Confluent API (POST /subjects/{subject}/versions).',
        details: { subject },
      },
    );
  }
  return id;
}

/** The schema text registered under `id` (`GET /schemas/ids/{id}`). */
export async function fetchSchemaById(
  registry: SchemaRegistryConnection,
  id: number,
): Promise<string> {
  const body = await request(registry, `/schemas/ids/${id}`, { method: 'GET' });
  const schema = (body as { schema?: unknown }).schema;
  if (typeof schema !== 'string') {
    throw new TidewaterError(
      'SCHEMA_REGISTRY_BAD_RESPONSE',
      `The schema registry returned no schema text for id ${id}.`,
      {
        category: 'unavailable',
        remedy: 'Check that the registry speaks the Confluent API (GET /schemas/ids/{id}).',
        details: { id },
      },
    );
  }
  return schema;
}

/**
 * The Confluent Schema Registry REST API, as far as the sink uses it ("Schema Registry API
 * Reference" in the Confluent docs; Apicurio serves the same under `/apis/ccompat/v7`):
 * `GET /subjects` to check the URL, `POST /subjects/{subject}/versions` to register (returns the
 * existing id when the schema is already there), `GET /schemas/ids/{id}` to read one back.
 * The operator's URL is the API root. Credentials in the URL (`https://user:pass@host`) are
 * sent as HTTP Basic authentication and never appear in a message.
 */
import { TidewaterError } from '@tidewater/errors';

const TIMEOUT_MS = 10_000;
const CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';

interface RegistryEndpoint {
  /** The root without credentials and trailing slash: safe to show. */
  display: string;
  headers: Record<string, string>;
}

function endpoint(url: string): RegistryEndpoint {
  let parsed: URL;
  try {
    parsed = new URL(url);
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
  const headers: Record<string, string> = { Accept: CONTENT_TYPE };
  if (parsed.username !== '' || parsed.password !== '') {
    const user = decodeURIComponent(parsed.username);
    const password = decodeURIComponent(parsed.password);
    headers.Authorization = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
    parsed.username = '';
    parsed.password = '';
  }
  return { display: parsed.toString().replace(/\/+$/, ''), headers };
}

async function request(
  url: string,
  path: string,
  init: { method: 'GET' | 'POST'; body?: string },
): Promise<unknown> {
  const root = endpoint(url);
  let response: Response;
  try {
    response = await fetch(`${root.display}${path}`, {
      method: init.method,
      headers:
        init.body === undefined ? root.headers : { ...root.headers, 'Content-Type': CONTENT_TYPE },
      body: init.body,
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
  const text = await response.text();
  if (response.status === 401 || response.status === 403) {
    throw new TidewaterError(
      'SCHEMA_REGISTRY_UNAUTHORIZED',
      `The schema registry at ${root.display} refused the request (HTTP ${response.status}).`,
      {
        category: 'unauthorized',
        remedy:
          'Put the registry account in the URL (https://user:password@host) or allow this client.',
        details: { url: root.display, status: response.status },
      },
    );
  }
  let body: unknown = null;
  try {
    body = text === '' ? null : JSON.parse(text);
  } catch {
    // Not JSON: an error status reports the raw text below, a success is refused as not JSON.
    body = null;
  }
  if (!response.ok) {
    const message =
      body !== null && typeof body === 'object' && 'message' in body
        ? String(body.message)
        : text.slice(0, 200);
    throw new TidewaterError(
      response.status === 404 ? 'SCHEMA_REGISTRY_NOT_FOUND' : 'SCHEMA_REGISTRY_REJECTED',
      `The schema registry at ${root.display} answered ${init.method} ${path} with HTTP ${response.status}: ${message}.`,
      {
        category: response.status === 404 ? 'not_found' : 'unavailable',
        remedy:
          response.status === 404
            ? 'Check that the URL is the Confluent-compatible API root (for Apicurio it ends in /apis/ccompat/v7).'
            : 'Check the registry log; for HTTP 409 relax the subject compatibility or use a new topic.',
        details: { url: root.display, status: response.status, path },
      },
    );
  }
  if (body === null) {
    throw new TidewaterError(
      'SCHEMA_REGISTRY_BAD_RESPONSE',
      `The schema registry at ${root.display} answered ${path} with something that is not JSON.`,
      {
        category: 'unavailable',
        remedy: 'Check that the URL is the registry API root and not a web page or proxy.',
        details: { url: root.display, path },
      },
    );
  }
  return body;
}

export interface SchemaRegistryCheck {
  /** The URL as shown to the operator (no credentials). */
  url: string;
  subjects: number;
}

/** Whether the URL is a Confluent-compatible registry: `GET /subjects` returns a JSON array. */
export async function checkSchemaRegistry(url: string): Promise<SchemaRegistryCheck> {
  const body = await request(url, '/subjects', { method: 'GET' });
  const display = endpoint(url).display;
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
  url: string,
  subject: string,
  schema: string,
): Promise<number> {
  const body = await request(url, `/subjects/${encodeURIComponent(subject)}/versions`, {
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
export async function fetchSchemaById(url: string, id: number): Promise<string> {
  const body = await request(url, `/schemas/ids/${id}`, { method: 'GET' });
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

import { TidewaterError } from '@tidewater/errors';
import { categoryForStatus, INTERRUPTED } from './exit-codes';
import { withoutControlCharacters } from './terminal-text';

/**
 * The HTTP API as the CLI calls it. Every failure becomes a TidewaterError: the API's own
 * `{ error: { code, message, remedy, details } }` with the category its HTTP status names, or
 * a CLI error saying the API could not be reached (naming the URL, never the token). Every
 * string of every answer, errors included, comes back without control characters
 * (terminal-text.ts): nothing the server stored can drive the operator's terminal.
 */

export interface ApiClient {
  readonly url: string;
  get<T>(path: string): Promise<T>;
  post<T>(path: string, body?: unknown): Promise<T>;
  patch<T>(path: string, body: unknown): Promise<T>;
  delete<T>(path: string): Promise<T>;
}

export interface ApiClientOptions {
  url: string;
  token: string | null;
  /** Aborts the request in flight (Ctrl-C). */
  signal?: AbortSignal;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

/** Long enough for a connectivity test that waits out a source's connect timeout. */
const DEFAULT_TIMEOUT_MS = 60_000;

export function createApiClient(options: ApiClientOptions): ApiClient {
  const base = parseBaseUrl(options.url);
  const fetchImpl = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;

  async function request<T>(method: string, path: string, body: unknown): Promise<T> {
    const url = new URL(path.replace(/^\//, ''), base);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const signals = [AbortSignal.timeout(timeoutMs), ...(options.signal ? [options.signal] : [])];
    let response: Response;
    try {
      response = await fetchImpl(url, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.any(signals),
      });
    } catch (error) {
      throw requestFailed(error, base, method, url, timeoutMs);
    }
    const text = await response.text();
    const json = parseJson(text);
    if (response.ok) {
      if (json === undefined) throw unexpectedAnswer(response.status, method, url, base);
      return json as T;
    }
    throw apiError(response.status, json, method, url, base);
  }

  return {
    url: base.href,
    get: (path) => request('GET', path, undefined),
    post: (path, body) => request('POST', path, body ?? {}),
    patch: (path, body) => request('PATCH', path, body),
    delete: (path) => request('DELETE', path, undefined),
  };
}

function parseBaseUrl(url: string): URL {
  let base: URL;
  try {
    base = new URL(url);
  } catch (error) {
    throw new TidewaterError('INVALID_URL', `"${url}" is not a URL.`, {
      category: 'invalid_input',
      remedy:
        "Pass the console's address with --url (or TIDEWATER_URL), e.g. http://localhost:3000.",
      cause: error,
    });
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:') {
    throw new TidewaterError('INVALID_URL', `"${url}" is not an http:// or https:// URL.`, {
      category: 'invalid_input',
      remedy:
        "Pass the console's address with --url (or TIDEWATER_URL), e.g. http://localhost:3000.",
    });
  }
  // Paths are resolved against the base, so a console served under a prefix keeps it.
  if (!base.pathname.endsWith('/')) base.pathname += '/';
  base.username = '';
  base.password = '';
  return base;
}

function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return withoutControlCharacters(JSON.parse(text));
  } catch {
    // Not JSON: a proxy's or another server's page. The caller reports the status instead.
    return undefined;
  }
}

function apiError(status: number, json: unknown, method: string, url: URL, base: URL) {
  const error = (json as { error?: unknown } | undefined)?.error;
  if (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as { code?: unknown }).code === 'string'
  ) {
    const { code, message, remedy, details } = error as {
      code: string;
      message?: unknown;
      remedy?: unknown;
      details?: unknown;
    };
    return new TidewaterError(code, typeof message === 'string' ? message : code, {
      category: categoryForStatus(status),
      remedy: typeof remedy === 'string' ? remedy : '',
      details:
        typeof details === 'object' && details !== null ? (details as Record<string, unknown>) : {},
    });
  }
  return unexpectedAnswer(status, method, url, base);
}

function unexpectedAnswer(status: number, method: string, url: URL, base: URL) {
  return new TidewaterError(
    'API_UNEXPECTED_ANSWER',
    `${method} ${url.pathname} at ${base.origin} answered HTTP ${status} without a Tidewater API body.`,
    {
      category: status >= 400 ? categoryForStatus(status) : 'internal',
      remedy: `Check that ${base.href} is the Tidewater console (--url or TIDEWATER_URL), and that this CLI matches its version.`,
    },
  );
}

function requestFailed(error: unknown, base: URL, method: string, url: URL, timeoutMs: number) {
  const name = (error as { name?: string } | null)?.name;
  if (name === 'TimeoutError') {
    return new TidewaterError(
      'API_TIMEOUT',
      `${method} ${url.pathname} at ${base.origin} did not answer within ${timeoutMs / 1000} s.`,
      {
        category: 'unavailable',
        isRetryable: true,
        remedy: 'Check that the console is running and not overloaded, then try again.',
        cause: error,
      },
    );
  }
  if (name === 'AbortError') {
    return new TidewaterError(INTERRUPTED, 'Interrupted.', {
      category: 'internal',
      remedy: 'Run the command again to finish it.',
      cause: error,
    });
  }
  const code = networkErrorCode(error);
  const reason =
    code === 'ECONNREFUSED'
      ? 'connection refused'
      : code === 'ENOTFOUND' || code === 'EAI_AGAIN'
        ? 'host not found'
        : (code ?? innermostMessage(error));
  return new TidewaterError(
    'API_UNREACHABLE',
    `Cannot reach the Tidewater API at ${base.href} (${reason}).`,
    {
      category: 'unavailable',
      isRetryable: true,
      remedy:
        'Start the console (npm run quickstart, or docker compose up), or point the CLI at it with --url or TIDEWATER_URL.',
      cause: error,
    },
  );
}

/** undici wraps the socket error as `cause`; for a name with several addresses, in `errors`. */
function networkErrorCode(error: unknown): string | null {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current; depth += 1) {
    const candidate = current as { code?: unknown; errors?: unknown[]; cause?: unknown };
    if (typeof candidate.code === 'string') return candidate.code;
    const nested = candidate.errors?.find(
      (inner) => typeof (inner as { code?: unknown }).code === 'string',
    );
    if (nested) return (nested as { code: string }).code;
    current = candidate.cause;
  }
  return null;
}

function innermostMessage(error: unknown): string {
  let current: unknown = error;
  while (current instanceof Error && current.cause instanceof Error) current = current.cause;
  return current instanceof Error ? current.message : String(current);
}

/**
 * The console's calls to the HTTP API. Errors arrive as `{ error: { code, message, remedy } }`
 * and are thrown as ApiError so components can show the message and the remedy. A 401
 * UNAUTHENTICATED (the session ended) sends the browser to the sign-in page.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly remedy: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }

  /** INVALID_INPUT's problems by field path (`source.port`), for messages beside the fields. */
  get fieldProblems(): Record<string, string> {
    const problems = this.details.problems;
    const byPath: Record<string, string> = {};
    if (!Array.isArray(problems)) return byPath;
    for (const problem of problems as Array<{ path?: unknown; message?: unknown }>) {
      if (typeof problem.path === 'string' && typeof problem.message === 'string') {
        byPath[problem.path] ??= problem.message;
      }
    }
    return byPath;
  }
}

export async function apiFetch<T>(path: string, init?: RequestInit): Promise<T> {
  const response = await fetch(path, {
    ...init,
    headers: { 'content-type': 'application/json', ...init?.headers },
  });
  const body = (await response.json().catch(() => null)) as
    | (T & {
        error?: {
          code: string;
          message: string;
          remedy: string;
          details?: Record<string, unknown>;
        };
      })
    | null;
  if (!response.ok) {
    const error = body?.error;
    if (
      response.status === 401 &&
      error?.code === 'UNAUTHENTICATED' &&
      typeof window !== 'undefined'
    ) {
      const back = `${window.location.pathname}${window.location.search}`;
      window.location.assign(`/sign-in?expired=1&next=${encodeURIComponent(back)}`);
    }
    throw new ApiError(
      response.status,
      error?.code ?? 'HTTP_ERROR',
      error?.message ?? `The server answered ${response.status}.`,
      error?.remedy ?? 'Try again; check the server logs if it repeats.',
      error?.details,
    );
  }
  return body as T;
}

/** POST/PATCH/DELETE with a JSON body. */
export function apiSend<T>(
  method: 'POST' | 'PATCH' | 'DELETE',
  path: string,
  body?: unknown,
): Promise<T> {
  return apiFetch<T>(path, { method, body: body === undefined ? undefined : JSON.stringify(body) });
}

/**
 * The console's calls to the HTTP API. Errors arrive as `{ error: { code, message, remedy } }`
 * and are thrown as ApiError so components can show the message and the remedy.
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

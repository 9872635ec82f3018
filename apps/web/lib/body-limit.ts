import { TidewaterError } from '@tidewater/errors';

/**
 * Request bodies are read up to a limit and refused beyond it (413 REQUEST_TOO_LARGE), whether
 * the client declares the size (Content-Length, refused before anything is read) or streams
 * it (chunked: refused as soon as the limit is passed, so at most the limit is ever buffered).
 */

const MiB = 1024 * 1024;

/** Every route's limit unless it names a larger one. */
export const DEFAULT_BODY_LIMIT_BYTES = 1 * MiB;
/**
 * A whole task configuration (POST /api/tasks, PATCH /api/tasks/:id): up to 10,000 selected
 * objects with names, renames and filters.
 */
export const TASK_CONFIG_BODY_LIMIT_BYTES = 8 * MiB;

export function formatBytes(bytes: number): string {
  return bytes % MiB === 0 ? `${bytes / MiB} MiB` : `${bytes} bytes`;
}

export function requestTooLarge(limit: number): TidewaterError {
  return new TidewaterError(
    'REQUEST_TOO_LARGE',
    `The request body is larger than this route accepts (${formatBytes(limit)}).`,
    {
      category: 'invalid_input',
      remedy: `Send a body of at most ${formatBytes(limit)}.`,
      details: { limitBytes: limit },
    },
  );
}

/** Whether a declared Content-Length is over `limit` (an absent or unreadable one is not). */
export function isDeclaredTooLarge(contentLength: string | null | undefined, limit: number) {
  if (!contentLength) return false;
  const declared = Number(contentLength);
  return Number.isFinite(declared) && declared > limit;
}

/** The body as text, reading at most `limit` bytes; REQUEST_TOO_LARGE beyond. */
export async function readBodyWithin(
  body: ReadableStream<Uint8Array> | null,
  limit: number,
): Promise<string> {
  if (!body) return '';
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      // Stop reading here; the edge server (server.ts) closes a connection whose request was
      // not read to the end once the answer is out.
      reader.releaseLock();
      throw requestTooLarge(limit);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

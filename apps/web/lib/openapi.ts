import { generateOpenApiDocument } from '@tidewater/config/api';
import { SESSION_COOKIE } from './session-cookie';

/**
 * The OpenAPI 3.1 document served at GET /api/openapi.json, generated from the API's zod
 * contract (`@tidewater/config/api`): the schemas the handlers validate with and the engine
 * answers with. Built once per process.
 */
let document: Record<string, unknown> | undefined;

export function openApiDocument(): Record<string, unknown> {
  document ??= generateOpenApiDocument({ sessionCookie: SESSION_COOKIE });
  return document;
}

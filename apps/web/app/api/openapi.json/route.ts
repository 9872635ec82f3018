import { apiRoute } from '@/lib/api-route';
import { openApiDocument } from '@/lib/openapi';

export const dynamic = 'force-dynamic';

/** GET /api/openapi.json: the OpenAPI 3.1 document of this API. */
export const GET = apiRoute(async () => openApiDocument());

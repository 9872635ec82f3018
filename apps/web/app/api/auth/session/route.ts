import { apiRoute } from '@/lib/api-route';

export const dynamic = 'force-dynamic';

/** GET /api/auth/session: who is signed in, and how (session cookie or API token). */
export const GET = apiRoute(async ({ principal }) => ({
  operator: principal?.operator ?? null,
  via: principal?.via ?? null,
}));

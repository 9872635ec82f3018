import { checkSystemHealth } from '@tidewater/engine';
import { apiRoute } from '@/lib/api-route';

export const dynamic = 'force-dynamic';

/** GET /api/system/health: a real probe of every service Tidewater depends on. */
export const GET = apiRoute(async ({ engine }) => {
  const services = await checkSystemHealth(engine);
  return { isHealthy: services.every((service) => service.isUp), services };
});

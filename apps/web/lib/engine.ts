import 'server-only';
import { createEngineContext, watchRedis, type EngineContext } from '@tidewater/engine';
import { log } from './log';

/**
 * One engine context per server process. Kept on globalThis so development reloads reuse the
 * database pool and Redis connection instead of leaking new ones.
 */
const holder = globalThis as typeof globalThis & { tidewaterEngine?: EngineContext };

export function engine(): EngineContext {
  if (holder.tidewaterEngine === undefined) {
    holder.tidewaterEngine = createEngineContext();
    watchRedis(holder.tidewaterEngine.redis, 'console', log);
  }
  return holder.tidewaterEngine;
}

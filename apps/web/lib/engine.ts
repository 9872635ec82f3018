import 'server-only';
import { createEngineContext, type EngineContext } from '@tidewater/engine';

/**
 * One engine context per server process. Kept on globalThis so development reloads reuse the
 * database pool and Redis connection instead of leaking new ones.
 */
const holder = globalThis as typeof globalThis & { tidewaterEngine?: EngineContext };

export function engine(): EngineContext {
  holder.tidewaterEngine ??= createEngineContext();
  return holder.tidewaterEngine;
}

import type { Redis } from 'ioredis';

/**
 * Operator actions reach a running worker promptly through Redis pub/sub: the API changes the
 * task's status in PostgreSQL, then publishes the action. Workers also re-read the status on
 * every lease tick, so a lost message only delays the action by one tick.
 */

export type ControlAction = 'pause' | 'stop' | 'release';

export interface ControlMessage {
  taskId: string;
  action: ControlAction;
}

export function controlChannel(prefix: string): string {
  return `${prefix}:task-control`;
}

export async function publishControl(
  redis: Redis,
  prefix: string,
  message: ControlMessage,
): Promise<void> {
  await redis.publish(controlChannel(prefix), JSON.stringify(message));
}

/** Subscribes on a dedicated connection; `onMessage` gets every well-formed message. */
export async function subscribeControl(
  subscriber: Redis,
  prefix: string,
  onMessage: (message: ControlMessage) => void,
): Promise<() => Promise<void>> {
  const channel = controlChannel(prefix);
  await subscriber.subscribe(channel);
  subscriber.on('message', (from: string, text: string) => {
    if (from !== channel) return;
    const message = parseControl(text);
    if (message) onMessage(message);
  });
  return async () => {
    await subscriber.unsubscribe(channel);
  };
}

function parseControl(text: string): ControlMessage | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // A message that is not JSON is not one of ours: it carries no action to take.
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const { taskId, action } = value as Record<string, unknown>;
  if (typeof taskId !== 'string') return null;
  if (action !== 'pause' && action !== 'stop' && action !== 'release') return null;
  return { taskId, action };
}

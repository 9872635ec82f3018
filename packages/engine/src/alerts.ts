import type { AlertView, RunRepository } from '@tidewater/db';
import type { AlertDelivery } from './alert-delivery';

/**
 * Alerts: opened once when their condition starts, cleared when it ends. Each change is
 * recorded in PostgreSQL first, then handed to the run's AlertDelivery, which POSTs a notice to
 * the task's contacts in the background, so a caller on the replication path (the latency
 * check runs in the acknowledgement path) never waits for a webhook. The notice is JSON, the
 * same shape when the alert opens and when it clears:
 *
 *   { "type": "tidewater.alert", "state": "opened" | "cleared",
 *     "alert": { "id", "kind": "task_failed" | "latency", "message", "openedAt", "clearedAt" },
 *     "task": { "id", "name" } }
 *
 * `clearedAt` is null in an "opened" notice. Failed deliveries are retried with backoff and
 * their outcome recorded on the alert (deliveryError, deliveredAt): see alert-delivery.ts.
 */

export type AlertKind = 'task_failed' | 'latency';

export interface AlertContext {
  runs: RunRepository;
  task: { id: string; name: string };
  contacts: string[];
  delivery: AlertDelivery;
}

/** Opens the alert unless one of its kind is open, and queues its notice; returns it if new. */
export async function raiseAlert(
  context: AlertContext,
  kind: AlertKind,
  message: string,
): Promise<AlertView | null> {
  const alert = await context.runs.openAlert(context.task.id, kind, message);
  if (alert) {
    context.delivery.send({
      state: 'opened',
      alert,
      task: context.task,
      contacts: context.contacts,
    });
  }
  return alert;
}

/** Clears the open alert of this kind, if any, and queues its "cleared" notice. */
export async function clearAlert(context: AlertContext, kind: AlertKind): Promise<void> {
  for (const alert of await context.runs.clearAlerts(context.task.id, kind)) {
    context.delivery.send({
      state: 'cleared',
      alert,
      task: context.task,
      contacts: context.contacts,
    });
  }
}

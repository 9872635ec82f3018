import type { AlertView, RunRepository } from '@tidewater/db';

/**
 * Alerts: opened once when their condition starts, cleared when it ends, and delivered to the
 * task's contacts as an HTTP POST with a JSON body:
 *
 *   { "type": "tidewater.alert", "state": "opened",
 *     "alert": { "id", "kind": "task_failed" | "latency", "message", "openedAt" },
 *     "task": { "id", "name" } }
 *
 * A delivery that fails is recorded on the alert (deliveryError) and not retried in a loop:
 * the alert stays visible through the API and the console.
 */

export type AlertKind = 'task_failed' | 'latency';

export interface AlertContext {
  runs: RunRepository;
  task: { id: string; name: string };
  contacts: string[];
}

export async function raiseAlert(
  context: AlertContext,
  kind: AlertKind,
  message: string,
): Promise<AlertView | null> {
  const alert = await context.runs.openAlert(context.task.id, kind, message);
  if (alert) await deliverAlert(context, alert);
  return alert;
}

export async function clearAlert(context: AlertContext, kind: AlertKind): Promise<void> {
  await context.runs.clearAlerts(context.task.id, kind);
}

async function deliverAlert(context: AlertContext, alert: AlertView): Promise<void> {
  if (context.contacts.length === 0) return;
  const body = JSON.stringify({
    type: 'tidewater.alert',
    state: 'opened',
    alert: { id: alert.id, kind: alert.kind, message: alert.message, openedAt: alert.openedAt },
    task: context.task,
  });
  const failures: string[] = [];
  for (const url of context.contacts) {
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        signal: AbortSignal.timeout(10_000),
      });
      if (!response.ok) failures.push(`${new URL(url).host} answered ${response.status}`);
    } catch (error) {
      failures.push(`${safeHost(url)}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  await context.runs.recordAlertDelivery(alert.id, failures.length ? failures.join('; ') : null);
}

function safeHost(url: string): string {
  return URL.canParse(url) ? new URL(url).host : 'an invalid URL';
}

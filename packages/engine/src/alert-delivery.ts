import type { AlertView, RunRepository } from '@tidewater/db';
import { sleep } from './rate-limit';

/**
 * Alert delivery off the replication path: `send` queues a notice and returns at once; the
 * notices are POSTed in the background, to all of their contacts at once, each request with
 * its own timeout, and a contact that fails with something worth retrying (no answer, a
 * connection error, 408, 429 or 5xx) is tried again with backoff (three attempts over about a
 * minute by default). The outcome is recorded on the alert: `deliveryError` while retrying and
 * when the attempts run out, cleared (and `deliveredAt` set) once every contact has it.
 *
 * Bounded: at most `maxSending` notices are being sent and `maxPending` are waiting; when
 * another one comes, the oldest waiting notice is dropped and the drop recorded on its alert.
 * `close()` (at the end of each task run) lets unfinished deliveries run for `closeGraceMs`,
 * then stops them and records that the run ended before they finished.
 */

export interface AlertDeliveryTuning {
  /** How long one POST may take before it counts as failed. */
  requestTimeoutMs: number;
  /** Attempts per contact, the first one included. */
  attempts: number;
  /** The wait before the second attempt; each later wait is three times the previous one. */
  retryInitialMs: number;
  /** Notices waiting for a sending slot; beyond it the oldest waiting notice is dropped. */
  maxPending: number;
  /** Notices being sent at once. */
  maxSending: number;
  /** How long `close()` lets unfinished deliveries run before it stops them. */
  closeGraceMs: number;
}

const DEFAULT_TUNING: AlertDeliveryTuning = {
  requestTimeoutMs: 10_000,
  attempts: 3,
  retryInitialMs: 10_000,
  maxPending: 100,
  maxSending: 4,
  closeGraceMs: 5_000,
};

/** After the grace, how long `close()` waits for the stopped deliveries to be recorded. */
const RECORD_AFTER_STOP_MS = 2_000;

export interface AlertNotice {
  state: 'opened' | 'cleared';
  alert: AlertView;
  task: { id: string; name: string };
  contacts: string[];
}

type Log = (
  level: 'info' | 'warn' | 'error',
  message: string,
  fields?: Record<string, unknown>,
) => void;

/** The last failure of one contact, and whether another attempt may help. */
interface Failure {
  reason: string;
  attempts: number;
  isRetryable: boolean;
}

export class AlertDelivery {
  private readonly tuning: AlertDeliveryTuning;
  private readonly waiting: AlertNotice[] = [];
  /** Deliveries under way; each settles (never rejects) once its outcome is recorded. */
  private readonly sending = new Set<Promise<void>>();
  /** Outcomes being recorded for notices that were dropped or never sent. */
  private readonly recording = new Set<Promise<void>>();
  /** Aborted when the grace of `close()` is over: stops requests and backoff waits. */
  private readonly stop = new AbortController();
  private closing: Promise<void> | null = null;

  constructor(
    private readonly runs: Pick<RunRepository, 'recordAlertDelivery'>,
    private readonly log: Log,
    tuning: Partial<AlertDeliveryTuning> = {},
  ) {
    this.tuning = { ...DEFAULT_TUNING, ...tuning };
  }

  /** Queues the notice for its contacts and returns at once. */
  send(notice: AlertNotice): void {
    if (notice.contacts.length === 0) return;
    if (this.closing !== null) {
      this.recordAside(notice, `${notice.state} notice not sent: the task run had ended`);
      return;
    }
    if (this.waiting.length >= this.tuning.maxPending) {
      const dropped = this.waiting.shift()!;
      this.recordAside(
        dropped,
        `${dropped.state} notice dropped unsent: ${this.tuning.maxPending} newer notices were waiting for delivery`,
      );
    }
    this.waiting.push(notice);
    this.startWaiting();
  }

  /**
   * Stops taking notices, lets the unfinished ones run for the grace period, then stops them;
   * resolves once their outcomes are recorded (or, if PostgreSQL does not answer, shortly
   * after the grace).
   */
  close(): Promise<void> {
    this.closing ??= this.finish();
    return this.closing;
  }

  private async finish(): Promise<void> {
    if (await settlesWithin(this.whenIdle(), this.tuning.closeGraceMs)) return;
    this.stop.abort(new Error('the task run ended'));
    for (const notice of this.waiting.splice(0)) {
      this.recordAside(notice, `${notice.state} notice not sent: the task run ended first`);
    }
    if (!(await settlesWithin(this.whenIdle(), RECORD_AFTER_STOP_MS))) {
      this.log('warn', 'alert delivery outcomes not recorded before the run ended', {
        notices: this.sending.size + this.recording.size,
      });
    }
  }

  private async whenIdle(): Promise<void> {
    while (this.sending.size > 0 || this.recording.size > 0) {
      await Promise.all([...this.sending, ...this.recording]);
    }
  }

  private startWaiting(): void {
    while (
      this.sending.size < this.tuning.maxSending &&
      this.waiting.length > 0 &&
      !this.stop.signal.aborted
    ) {
      const notice = this.waiting.shift()!;
      const delivery: Promise<void> = this.deliver(notice)
        .catch((error: unknown) => {
          this.log('error', 'alert delivery failed', {
            taskId: notice.task.id,
            alertId: notice.alert.id,
            error: error instanceof Error ? error.message : String(error),
          });
        })
        .finally(() => {
          this.sending.delete(delivery);
          this.startWaiting();
        });
      this.sending.add(delivery);
    }
  }

  private async deliver(notice: AlertNotice): Promise<void> {
    const body = JSON.stringify(noticeBody(notice));
    const failures = new Map<string, Failure>();
    let due = [...new Set(notice.contacts)];
    let wait = this.tuning.retryInitialMs;
    for (let attempt = 1; ; attempt++) {
      const results = await Promise.all(
        due.map(async (url) => [url, await this.post(url, body)] as const),
      );
      for (const [url, failure] of results) {
        if (failure === null) failures.delete(url);
        else failures.set(url, { ...failure, attempts: attempt });
      }
      due = results.filter(([, failure]) => failure?.isRetryable).map(([url]) => url);
      if (due.length === 0 || attempt >= this.tuning.attempts || this.stop.signal.aborted) break;
      await this.record(
        notice,
        `${notice.state} notice not delivered yet, retrying (${summary(failures)})`,
      );
      try {
        await sleep(wait, this.stop.signal);
      } catch (error) {
        if (!this.stop.signal.aborted) throw error;
        break;
      }
      wait *= 3;
    }
    if (failures.size === 0) return this.record(notice, null);
    const error = this.stop.signal.aborted
      ? `${notice.state} notice not delivered: the task run ended first (${summary(failures)})`
      : `${notice.state} notice not delivered (${summary(failures)})`;
    this.log('warn', 'alert notice not delivered', {
      taskId: notice.task.id,
      alertId: notice.alert.id,
      error,
    });
    return this.record(notice, error);
  }

  /** One POST; null when the contact took it (2xx). */
  private async post(url: string, body: string): Promise<Omit<Failure, 'attempts'> | null> {
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        signal: AbortSignal.any([
          AbortSignal.timeout(this.tuning.requestTimeoutMs),
          this.stop.signal,
        ]),
      });
      // The answer's body is not needed; cancelling it frees the connection.
      await response.body?.cancel();
      if (response.ok) return null;
      const status = response.status;
      return {
        reason: `answered ${status}`,
        isRetryable: status >= 500 || status === 408 || status === 429,
      };
    } catch (error) {
      return { reason: this.describe(error), isRetryable: true };
    }
  }

  private describe(error: unknown): string {
    if (this.stop.signal.aborted) return 'no answer before the run ended';
    if (error instanceof Error && error.name === 'TimeoutError') {
      return `no answer within ${this.tuning.requestTimeoutMs / 1000} s`;
    }
    // fetch() reports "fetch failed"; the cause says what (e.g. "connect ECONNREFUSED ...").
    const cause = error instanceof Error ? error.cause : undefined;
    if (cause instanceof Error) return cause.message;
    return error instanceof Error ? error.message : String(error);
  }

  private async record(notice: AlertNotice, error: string | null): Promise<void> {
    try {
      await this.runs.recordAlertDelivery(notice.alert.id, error);
    } catch (failure) {
      this.log('warn', 'alert delivery outcome not recorded', {
        taskId: notice.task.id,
        alertId: notice.alert.id,
        error: failure instanceof Error ? failure.message : String(failure),
      });
    }
  }

  /** Records the outcome of a notice that is not sent, tracked so `close()` waits for it. */
  private recordAside(notice: AlertNotice, error: string): void {
    this.log('warn', 'alert notice not sent', {
      taskId: notice.task.id,
      alertId: notice.alert.id,
      error,
    });
    const recorded: Promise<void> = this.record(notice, error).finally(() =>
      this.recording.delete(recorded),
    );
    this.recording.add(recorded);
  }
}

/** The JSON body POSTed to each contact; the same shape for both states. */
export function noticeBody(notice: AlertNotice) {
  const { alert } = notice;
  return {
    type: 'tidewater.alert',
    state: notice.state,
    alert: {
      id: alert.id,
      kind: alert.kind,
      message: alert.message,
      openedAt: alert.openedAt,
      clearedAt: alert.clearedAt,
    },
    task: notice.task,
  };
}

/** "host: answered 503 (3 attempts); host: no answer within 10 s (1 attempt)", hosts only. */
function summary(failures: Map<string, Failure>): string {
  return [...failures]
    .map(
      ([url, failure]) =>
        `${safeHost(url)}: ${failure.reason} (${failure.attempts} attempt${failure.attempts === 1 ? '' : 's'})`,
    )
    .join('; ');
}

/** A contact URL may carry a token in its path or query: only its host is ever shown. */
function safeHost(url: string): string {
  return URL.canParse(url) ? new URL(url).host : 'an invalid URL';
}

async function settlesWithin(promise: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true as const), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

import type { PrecheckResultStatus } from '@tidewater/config';

/**
 * What a precheck item is and how it reports: the shapes the source, destination and mapping
 * items are written in, shared with the suite that runs them (`precheck-job.ts`).
 */

export interface PrecheckOutcome {
  status: PrecheckResultStatus;
  message: string;
  remedy?: string;
}

/**
 * The check behind one precheck item: the suite runs it and stores its outcome as the item
 * the API returns (`PrecheckItemView`, with its status and position).
 */
export interface PrecheckItemCheck {
  key: string;
  name: string;
  /** A failure the operator may accept (with a confirmation explaining the risk). */
  isIgnorable: boolean;
  run(): Promise<PrecheckOutcome>;
}

/** Opens what a group of items shares (one source session, one Kafka admin) and closes it. */
export interface PrecheckGroup {
  items: PrecheckItemCheck[];
  /** What to look at when one of the group's items gets no answer (the item's remedy). */
  noAnswerRemedy: string;
  /**
   * Drops what the items share at once, without waiting for it: called when an item got no
   * answer, so the items after it do not queue behind the stuck one (they open it again).
   */
  abandon(): void;
  close(): Promise<void>;
}

/** `2 s`, `10 min`: how the limits read in item messages. */
export function duration(ms: number): string {
  return ms >= 120_000 && ms % 60_000 === 0 ? `${ms / 60_000} min` : `${Math.round(ms / 1000)} s`;
}

export function pass(message: string): PrecheckOutcome {
  return { status: 'pass', message };
}

export function warning(message: string, remedy: string): PrecheckOutcome {
  return { status: 'warning', message, remedy };
}

export function fail(message: string, remedy: string): PrecheckOutcome {
  return { status: 'fail', message, remedy };
}

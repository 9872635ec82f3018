import { setTimeout as sleep } from 'node:timers/promises';

export interface ProbeResult {
  isUp: boolean;
  /** What was seen: the version that answered, or why it is down. Never a password. */
  detail: string;
}

export interface WaitOptions {
  timeoutMs: number;
  intervalMs?: number;
  /** Checked between attempts: a reason to stop waiting early (e.g. the process exited). */
  giveUpIf?: () => string | undefined;
}

export type WaitOutcome = ProbeResult & { gaveUpBecause?: string };

/** Probes until up, the timeout passes, or `giveUpIf` says waiting is pointless. */
export async function waitUntilUp(
  probe: () => Promise<ProbeResult>,
  options: WaitOptions,
): Promise<WaitOutcome> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const result = await probe();
    if (result.isUp) return result;
    const reason = options.giveUpIf?.();
    if (reason !== undefined) return { ...result, gaveUpBecause: reason };
    if (Date.now() >= deadline) return result;
    await sleep(options.intervalMs ?? 500);
  }
}

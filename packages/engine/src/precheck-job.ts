import { toTidewaterError } from '@tidewater/errors';
import type { EngineContext } from './context';
import { destinationPrecheckItems } from './precheck-destination';
import { mappingPrecheckItems } from './precheck-mapping';
import { sourcePrecheckItems } from './precheck-source';
import {
  duration,
  fail,
  type PrecheckGroup,
  type PrecheckItemCheck,
  type PrecheckOutcome,
} from './precheck-item';
import { precheckReport } from './task-service';

/**
 * The precheck suite: every item of the source, the destination and the mapping, run in
 * order, each written as it finishes so the wizard shows them appearing. An item reports
 * pass, warning or fail with a message and how to fix it; failed items marked ignorable may be
 * accepted by the operator. The task passes at a 100% success rate, counting ignored items.
 */

/** How long a precheck may wait; the worker uses the defaults, tests shorten them. */
export interface PrecheckTuning {
  /** One item's limit: past it the item fails and the precheck goes on with the next one. */
  itemTimeoutMs: number;
  /** The whole precheck's limit: past it every unfinished item fails and the task leaves `prechecking`. */
  totalTimeoutMs: number;
}

export const DEFAULT_PRECHECK_TUNING: PrecheckTuning = {
  itemTimeoutMs: 120_000,
  totalTimeoutMs: 600_000,
};

/** How long closing a group may take before what it holds is dropped instead. */
const CLOSE_GRACE_MS = 5_000;

export async function runPrecheckJob(
  context: EngineContext,
  taskId: string,
  tuning: Partial<PrecheckTuning> = {},
): Promise<void> {
  const { itemTimeoutMs, totalTimeoutMs } = { ...DEFAULT_PRECHECK_TUNING, ...tuning };
  const { tasks, runs } = context;
  let groups: PrecheckGroup[] = [];
  try {
    const config = await tasks.readTaskConfig(taskId);
    groups = [
      sourcePrecheckItems(config),
      destinationPrecheckItems(config),
      mappingPrecheckItems(config),
    ];
    const items = groups.flatMap((group) => group.items.map((item) => ({ item, group })));
    await runs.resetPrecheckItems(
      taskId,
      items.map(({ item }) => ({ key: item.key, name: item.name, isIgnorable: item.isIgnorable })),
    );
    await tasks.appendEvent(taskId, {
      level: 'info',
      kind: 'precheck_started',
      message: `Precheck started: ${items.length} items.`,
    });
    const deadline = Date.now() + totalTimeoutMs;
    let isOutOfTime = false;
    for (const { item, group } of items) {
      const left = deadline - Date.now();
      let outcome: PrecheckOutcome;
      if (isOutOfTime || left <= 0) {
        isOutOfTime = true;
        outcome = fail(
          `Not checked: the precheck did not finish within ${duration(totalTimeoutMs)}.`,
          `Fix the items that got no answer, then run the precheck again.`,
        );
      } else {
        const limitMs = Math.min(itemTimeoutMs, left);
        const answer = await answerWithin(item, limitMs);
        if (answer === null) {
          group.abandon();
          isOutOfTime = limitMs < itemTimeoutMs;
          outcome = fail(
            isOutOfTime
              ? `No answer: the precheck did not finish within ${duration(totalTimeoutMs)}, and this check was still waiting.`
              : `No answer within ${duration(limitMs)}: the check was still waiting when its time ran out.`,
            group.noAnswerRemedy,
          );
        } else {
          outcome = answer;
        }
      }
      await runs.finishPrecheckItem(taskId, item.key, {
        status: outcome.status,
        message: outcome.message,
        remedy: outcome.remedy ?? '',
      });
    }
    const report = precheckReport(await runs.listPrecheckItems(taskId));
    const passed = report.successRate === 100;
    const summary = isOutOfTime
      ? `The precheck did not finish within ${duration(totalTimeoutMs)}; success rate ${report.successRate}%.`
      : `Precheck success rate ${report.successRate}%.`;
    await runs.compareAndSetStatus(
      taskId,
      ['prechecking'],
      passed ? 'precheck_passed' : 'precheck_failed',
      { statusReason: passed ? null : summary },
    );
    await tasks.appendEvent(taskId, {
      level: passed ? 'info' : 'warning',
      kind: passed ? 'precheck_passed' : 'precheck_failed',
      message: isOutOfTime ? summary : `Precheck finished: success rate ${report.successRate}%.`,
    });
  } catch (error) {
    const failure = toTidewaterError(error);
    await tasks.appendEvent(taskId, {
      level: 'error',
      kind: 'precheck_error',
      message: failure.message,
      data: failure.toJSON(),
    });
    await runs.compareAndSetStatus(taskId, ['prechecking'], 'precheck_failed', {
      statusReason: failure.message,
    });
  } finally {
    await Promise.all(
      groups.map(async (group) => {
        if (!(await settlesWithin(group.close(), CLOSE_GRACE_MS))) group.abandon();
      }),
    );
  }
}

/** The item's outcome (a thrown error is a failed item), or null when it did not answer in time. */
async function answerWithin(item: PrecheckItemCheck, ms: number): Promise<PrecheckOutcome | null> {
  const running = item.run().catch((error: unknown): PrecheckOutcome => {
    const failure = toTidewaterError(error);
    return { status: 'fail', message: failure.message, remedy: failure.remedy };
  });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), ms);
  });
  try {
    return await Promise.race([running, timeout]);
  } finally {
    clearTimeout(timer);
  }
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

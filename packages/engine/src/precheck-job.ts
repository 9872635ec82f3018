import type { TaskConfig } from '@tidewater/config';
import type { PrecheckStatus } from '@tidewater/db';
import { toTidewaterError } from '@tidewater/errors';
import type { EngineContext } from './context';
import { destinationPrecheckItems } from './precheck-destination';
import { mappingPrecheckItems } from './precheck-mapping';
import { sourcePrecheckItems } from './precheck-source';
import { precheckReport } from './task-service';

/**
 * The precheck suite: every item of the source, the destination and the mapping, run in
 * order, each written as it finishes so the wizard shows them appearing. An item reports
 * pass, warning or fail with a message and how to fix it; failed items marked ignorable may be
 * accepted by the operator. The task passes at a 100% success rate, counting ignored items.
 */

export interface PrecheckOutcome {
  status: Exclude<PrecheckStatus, 'pending' | 'running'>;
  message: string;
  remedy?: string;
}

export interface PrecheckItem {
  key: string;
  name: string;
  /** A failure the operator may accept (with a confirmation explaining the risk). */
  isIgnorable: boolean;
  run(): Promise<PrecheckOutcome>;
}

export type PrecheckItemFactory = (config: TaskConfig) => PrecheckItem[];

/** Opens what a group of items shares (one source session, one Kafka admin) and closes it. */
export interface PrecheckGroup {
  items: PrecheckItem[];
  close(): Promise<void>;
}

export async function runPrecheckJob(context: EngineContext, taskId: string): Promise<void> {
  const { tasks, runs } = context;
  let groups: PrecheckGroup[] = [];
  try {
    const config = await tasks.readTaskConfig(taskId);
    groups = [
      sourcePrecheckItems(config),
      destinationPrecheckItems(config),
      mappingPrecheckItems(config),
    ];
    const items = groups.flatMap((group) => group.items);
    await runs.resetPrecheckItems(
      taskId,
      items.map((item) => ({ key: item.key, name: item.name, isIgnorable: item.isIgnorable })),
    );
    await tasks.appendEvent(taskId, {
      level: 'info',
      kind: 'precheck_started',
      message: `Precheck started: ${items.length} items.`,
    });
    for (const item of items) {
      let outcome: PrecheckOutcome;
      try {
        outcome = await item.run();
      } catch (error) {
        const failure = toTidewaterError(error);
        outcome = { status: 'fail', message: failure.message, remedy: failure.remedy };
      }
      await runs.finishPrecheckItem(taskId, item.key, {
        status: outcome.status,
        message: outcome.message,
        remedy: outcome.remedy ?? '',
      });
    }
    const report = precheckReport(await runs.listPrecheckItems(taskId));
    const passed = report.successRate === 100;
    await runs.compareAndSetStatus(
      taskId,
      ['prechecking'],
      passed ? 'precheck_passed' : 'precheck_failed',
      {
        statusReason: passed ? null : `Precheck success rate ${report.successRate}%.`,
      },
    );
    await tasks.appendEvent(taskId, {
      level: passed ? 'info' : 'warning',
      kind: passed ? 'precheck_passed' : 'precheck_failed',
      message: `Precheck finished: success rate ${report.successRate}%.`,
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
    await Promise.all(groups.map((group) => group.close()));
  }
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

/** Every table a task migrates, whole databases expanded by the caller-supplied lister. */
export function selectedTableNames(
  config: TaskConfig,
): Array<{ database: string; table: string | null }> {
  return config.objects.map((object) =>
    object.kind === 'database'
      ? { database: object.database, table: null }
      : { database: object.database, table: object.table },
  );
}

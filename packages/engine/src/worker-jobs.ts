import { toTidewaterError } from '@tidewater/errors';
import type { EngineContext } from './context';
import { checkDestinationReachable, checkSourceReachable } from './reachability';

/**
 * The precheck job of the walking skeleton: both ends must answer. Records one event per
 * side and moves the task to precheck_passed or precheck_failed.
 */
export async function runPrecheckJob(context: EngineContext, taskId: string): Promise<void> {
  const { tasks } = context;
  await tasks.setStatus(taskId, 'prechecking');
  await tasks.appendEvent(taskId, {
    level: 'info',
    kind: 'precheck_started',
    message: 'Precheck started.',
  });
  try {
    const config = await tasks.readTaskConfig(taskId);
    const results = await Promise.all([
      checkSourceReachable(config.source),
      checkDestinationReachable(config.destination),
    ]);
    for (const result of results) {
      await tasks.appendEvent(taskId, {
        level: result.isReachable ? 'info' : 'error',
        kind: `${result.side}_check`,
        message: result.message,
      });
    }
    const failed = results.filter((result) => !result.isReachable);
    if (failed.length === 0) {
      await tasks.setStatus(taskId, 'precheck_passed');
    } else {
      await tasks.setStatus(
        taskId,
        'precheck_failed',
        failed.map((result) => result.message).join(' '),
      );
    }
  } catch (error) {
    const failure = toTidewaterError(error);
    await tasks.appendEvent(taskId, {
      level: 'error',
      kind: 'precheck_error',
      message: failure.message,
      data: failure.toJSON(),
    });
    await tasks.setStatus(taskId, 'precheck_failed', failure.message);
  }
}

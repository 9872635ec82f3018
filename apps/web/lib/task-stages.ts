import { STAGES, type Stage } from '@tidewater/config';
import type { TaskSummary } from '@tidewater/engine';

/** Where each of a task's stages stands, for the per-stage badges in the list and details. */

export type StageState = 'off' | 'pending' | 'running' | 'paused' | 'failed' | 'done';

export const stageStateLabels: Record<StageState, string> = {
  off: 'Not selected',
  pending: 'Not started',
  running: 'Running',
  paused: 'Paused',
  failed: 'Failed',
  done: 'Completed',
};

export function stageStates(task: Pick<TaskSummary, 'config' | 'stage' | 'status' | 'progress'>) {
  const enabled = STAGES.filter((stage) => task.config.stages[stage]);
  const current = task.stage as Stage | null;
  const currentIndex = current ? enabled.indexOf(current) : -1;
  const isStarted = ['running', 'paused', 'failed', 'completed'].includes(task.status);
  return STAGES.map((stage): { stage: Stage; state: StageState } => {
    if (!task.config.stages[stage]) return { stage, state: 'off' };
    if (task.status === 'completed') return { stage, state: 'done' };
    const index = enabled.indexOf(stage);
    if (stage === 'full' && task.progress.percent === 100 && current !== 'full') {
      return { stage, state: 'done' };
    }
    if (!isStarted || currentIndex === -1) return { stage, state: 'pending' };
    if (index < currentIndex) return { stage, state: 'done' };
    if (index > currentIndex) return { stage, state: 'pending' };
    if (task.status === 'paused') return { stage, state: 'paused' };
    if (task.status === 'failed') return { stage, state: 'failed' };
    return { stage, state: 'running' };
  });
}

import { z } from 'zod';

/** A task's lifecycle states. Transitions are guarded in one place, the engine's state machine. */
export const TASK_STATUSES = [
  'created',
  'prechecking',
  'precheck_failed',
  'precheck_passed',
  'running',
  'paused',
  'failed',
  'completed',
  'released',
] as const;

export const taskStatusSchema = z.enum(TASK_STATUSES);
export type TaskStatus = z.infer<typeof taskStatusSchema>;

export const taskStatusLabels: Record<TaskStatus, string> = {
  created: 'Created',
  prechecking: 'Prechecking',
  precheck_failed: 'Precheck failed',
  precheck_passed: 'Precheck passed',
  running: 'Running',
  paused: 'Paused',
  failed: 'Failed',
  completed: 'Completed',
  released: 'Released',
};

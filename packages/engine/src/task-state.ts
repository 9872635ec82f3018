import type { TaskStatus } from '@tidewater/config';
import { TidewaterError } from '@tidewater/errors';

/**
 * The task's state machine: every status change goes through `nextStatus`, so illegal moves
 * are refused in one place with an error that says what is possible instead.
 *
 *   created ──precheck──▶ prechecking ──▶ precheck_passed ──start──▶ running ──▶ completed
 *      ▲  edit                 │               │                    │  ▲  │
 *      └────────────── precheck_failed ◀───────┘ (edit)        pause│  │resume
 *                                                                   ▼  │  └─fail─▶ failed
 *                                                                  paused         │ restart
 *   any state except released ──release──▶ released                 running ◀─────┘
 */

export const TASK_ACTIONS = [
  'edit',
  'precheck',
  'precheck_pass',
  'precheck_fail',
  'start',
  'pause',
  'resume',
  'stop',
  'complete',
  'fail',
  'restart',
  'release',
] as const;
export type TaskAction = (typeof TASK_ACTIONS)[number];

const TRANSITIONS: Record<TaskAction, { from: readonly TaskStatus[]; to: TaskStatus }> = {
  edit: { from: ['created', 'precheck_failed', 'precheck_passed'], to: 'created' },
  precheck: { from: ['created', 'precheck_failed', 'precheck_passed'], to: 'prechecking' },
  precheck_pass: { from: ['prechecking'], to: 'precheck_passed' },
  precheck_fail: { from: ['prechecking'], to: 'precheck_failed' },
  start: { from: ['precheck_passed'], to: 'running' },
  pause: { from: ['running'], to: 'paused' },
  resume: { from: ['paused'], to: 'running' },
  /** Ends incremental migration on the operator's request. */
  stop: { from: ['running', 'paused'], to: 'completed' },
  /** A task without incremental migration finished its last stage. */
  complete: { from: ['running'], to: 'completed' },
  fail: { from: ['running', 'prechecking'], to: 'failed' },
  /** Continues a failed task from its checkpoint (or from a fresh snapshot, see the runner). */
  restart: { from: ['failed'], to: 'running' },
  release: {
    from: [
      'created',
      'prechecking',
      'precheck_failed',
      'precheck_passed',
      'running',
      'paused',
      'failed',
      'completed',
    ],
    to: 'released',
  },
};

const ACTION_WORDS: Record<TaskAction, string> = {
  edit: 'edit',
  precheck: 'precheck',
  precheck_pass: 'pass the precheck of',
  precheck_fail: 'fail the precheck of',
  start: 'start',
  pause: 'pause',
  resume: 'resume',
  stop: 'stop',
  complete: 'complete',
  fail: 'fail',
  restart: 'restart',
  release: 'release',
};

export function allowedFrom(action: TaskAction): readonly TaskStatus[] {
  return TRANSITIONS[action].from;
}

export function canApply(status: TaskStatus, action: TaskAction): boolean {
  return TRANSITIONS[action].from.includes(status);
}

/** The status after `action`, or a TASK_STATE_CONFLICT error naming the states that allow it. */
export function nextStatus(status: TaskStatus, action: TaskAction): TaskStatus {
  const transition = TRANSITIONS[action];
  if (!transition.from.includes(status)) {
    throw new TidewaterError(
      'TASK_STATE_CONFLICT',
      `Cannot ${ACTION_WORDS[action]} a task that is ${status.replaceAll('_', ' ')}.`,
      {
        category: 'conflict',
        remedy: `This is possible when the task is ${transition.from.map((from) => from.replaceAll('_', ' ')).join(', ')}.`,
        details: { status, action, allowedFrom: transition.from },
      },
    );
  }
  return transition.to;
}

/** The actions an operator can take now; the console shows exactly these buttons. */
export function operatorActions(status: TaskStatus): TaskAction[] {
  const operator: TaskAction[] = [
    'edit',
    'precheck',
    'start',
    'pause',
    'resume',
    'stop',
    'restart',
    'release',
  ];
  return operator.filter((action) => canApply(status, action));
}

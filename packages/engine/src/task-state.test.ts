import { describe, expect, it } from 'vitest';
import { TASK_STATUSES } from '@tidewater/config';
import { TidewaterError } from '@tidewater/errors';
import { TASK_ACTIONS, canApply, nextStatus, operatorActions } from './task-state';

describe('task state machine', () => {
  it('walks the happy path from created to completed', () => {
    let status = nextStatus('created', 'precheck');
    expect(status).toBe('prechecking');
    status = nextStatus(status, 'precheck_pass');
    status = nextStatus(status, 'start');
    expect(status).toBe('running');
    status = nextStatus(status, 'pause');
    status = nextStatus(status, 'resume');
    expect(nextStatus(status, 'complete')).toBe('completed');
  });

  it('refuses an illegal move with a conflict that names the allowed states', () => {
    try {
      nextStatus('precheck_failed', 'start');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(TidewaterError);
      const failure = error as TidewaterError;
      expect(failure.code).toBe('TASK_STATE_CONFLICT');
      expect(failure.category).toBe('conflict');
      expect(failure.message).toBe('Cannot start a task that is precheck failed.');
      expect(failure.remedy).toBe('This is possible when the task is precheck passed.');
    }
  });

  it('lets nothing leave the released state', () => {
    for (const action of TASK_ACTIONS) expect(canApply('released', action)).toBe(false);
  });

  it('allows release from every other state', () => {
    for (const status of TASK_STATUSES.filter((status) => status !== 'released')) {
      expect(nextStatus(status, 'release')).toBe('released');
    }
  });

  it('offers the operator only the actions the state allows', () => {
    expect(operatorActions('running')).toEqual(['pause', 'stop', 'release']);
    expect(operatorActions('failed')).toEqual(['restart', 'release']);
    expect(operatorActions('precheck_passed')).toEqual(['edit', 'precheck', 'start', 'release']);
  });
});

'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useState } from 'react';
import type { TaskSummary } from '@tidewater/engine';
import { apiSend } from '@/lib/api-client';
import { ConfirmDialog } from './confirm-dialog';
import { ErrorCallout } from './error-callout';

/**
 * A task's actions, exactly those its state allows (`task.actions` from the API). Release and
 * stop ask first, naming the task; the others act at once.
 */

type Command = 'pause' | 'resume' | 'restart' | 'stop' | 'release' | 'restart-fresh';

const LABELS: Record<Command, string> = {
  pause: 'Pause',
  resume: 'Resume',
  restart: 'Restart',
  stop: 'Stop',
  release: 'Release',
  'restart-fresh': 'Restart from a new snapshot',
};

const CONFIRMED: ReadonlySet<Command> = new Set(['stop', 'release', 'restart-fresh']);

export function TaskActions({
  task,
  showDetails = true,
  onReleased,
}: {
  task: Pick<TaskSummary, 'id' | 'name' | 'actions' | 'status'>;
  showDetails?: boolean;
  onReleased?: () => void;
}) {
  const client = useQueryClient();
  const [asking, setAsking] = useState<Command | null>(null);
  const command = useMutation({
    mutationFn: ({ action }: { action: Command }) =>
      action === 'restart-fresh'
        ? apiSend<{ task: TaskSummary }>('POST', `/api/tasks/${task.id}/restart`, {
            fromScratch: true,
          })
        : apiSend<{ task: TaskSummary }>('POST', `/api/tasks/${task.id}/${action}`, {}),
    onSuccess: (_result, { action }) => {
      setAsking(null);
      void client.invalidateQueries({ queryKey: ['tasks'] });
      void client.invalidateQueries({ queryKey: ['task', task.id] });
      if (action === 'release') onReleased?.();
    },
  });
  const isDraft = task.actions.includes('edit');
  // The details page also offers the way out when the binlog at the checkpoint is gone.
  const commands = (
    ['pause', 'resume', 'restart', 'restart-fresh', 'stop', 'release'] as const
  ).filter((action) =>
    action === 'restart-fresh'
      ? !showDetails && task.actions.includes('restart')
      : task.actions.includes(action),
  );

  return (
    <div className="row-actions">
      {showDetails && !isDraft ? (
        <Link className="button button-small" href={`/tasks/${task.id}`}>
          Details<span className="visually-hidden"> of {task.name}</span>
        </Link>
      ) : null}
      {isDraft ? (
        <Link className="button button-small" href={`/tasks/new?draft=${task.id}`}>
          Continue setup<span className="visually-hidden"> of {task.name}</span>
        </Link>
      ) : null}
      {commands.map((action) => (
        <button
          key={action}
          type="button"
          className={`button button-small${action === 'release' ? ' button-danger-outline' : ''}`}
          disabled={command.isPending}
          data-action={action}
          onClick={() => (CONFIRMED.has(action) ? setAsking(action) : command.mutate({ action }))}
        >
          {LABELS[action]}
          <span className="visually-hidden"> {task.name}</span>
        </button>
      ))}
      {command.isError && asking === null ? <ErrorCallout error={command.error} /> : null}
      <ConfirmDialog
        isOpen={asking !== null}
        title={
          asking === 'release'
            ? `Release task "${task.name}"?`
            : asking === 'restart-fresh'
              ? `Restart task "${task.name}" from a new snapshot?`
              : `Stop task "${task.name}"?`
        }
        confirmLabel={asking === null ? '' : LABELS[asking]}
        isDanger
        isBusy={command.isPending}
        onCancel={() => {
          setAsking(null);
          command.reset();
        }}
        onConfirm={() => asking && command.mutate({ action: asking })}
      >
        {asking === 'restart-fresh' ? (
          <p>
            The checkpoint of &ldquo;<strong>{task.name}</strong>&rdquo; is dropped and the full
            migration runs again from a new snapshot: consumers receive every row again. Use it when
            the binary log at the checkpoint has been purged.
          </p>
        ) : asking === 'release' ? (
          <p>
            Releasing ends the task &ldquo;<strong>{task.name}</strong>&rdquo; for good: it stops
            migrating and cannot be started again. Messages already in Kafka stay there.
          </p>
        ) : (
          <p>
            Stopping ends incremental migration of &ldquo;<strong>{task.name}</strong>&rdquo; after
            a final checkpoint; changes made to the source afterwards are not sent to Kafka.
          </p>
        )}
        {command.isError ? <ErrorCallout error={command.error} /> : null}
      </ConfirmDialog>
    </div>
  );
}

'use client';

import { useQuery } from '@tanstack/react-query';
import { taskStatusLabels, type TaskStatus } from '@tidewater/config';
import type { TaskView } from '@tidewater/db';
import { apiFetch, ApiError } from '@/lib/api-client';

const REFRESH_MS = 2_000;

export function TaskList() {
  const query = useQuery({
    queryKey: ['tasks'],
    queryFn: () => apiFetch<{ tasks: TaskView[] }>('/api/tasks'),
    refetchInterval: REFRESH_MS,
  });

  if (query.isPending) {
    return (
      <div className="card" aria-busy="true" aria-live="polite">
        <div className="skeleton" />
        <div className="skeleton" />
        <div className="skeleton" />
        <span className="visually-hidden">Loading tasks…</span>
      </div>
    );
  }
  if (query.isError) {
    const error = query.error;
    return (
      <div className="card error" role="alert">
        <strong>The task list could not be loaded.</strong> {error.message}
        {error instanceof ApiError ? <p>{error.remedy}</p> : null}
      </div>
    );
  }
  const { tasks } = query.data;
  if (tasks.length === 0) {
    return (
      <div className="card empty">
        <p>No tasks yet.</p>
        <p className="muted">
          Create one with <code>POST /api/tasks</code>; the task wizard arrives with the console.
        </p>
      </div>
    );
  }
  return (
    <div className="card">
      <table className="table" aria-label="Tasks">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Source → Destination</th>
            <th scope="col">Status</th>
            <th scope="col">Created</th>
          </tr>
        </thead>
        <tbody>
          {tasks.map((task) => (
            <tr key={task.id} data-task-id={task.id}>
              <td>{task.name}</td>
              <td>
                {task.config.source.host}:{task.config.source.port} →{' '}
                {task.config.destination.hosts} / {task.config.destination.topic}
              </td>
              <td>
                <StatusBadge status={task.status} />
                {task.statusReason ? <div className="reason">{task.statusReason}</div> : null}
              </td>
              <td>
                <time dateTime={task.createdAt}>{new Date(task.createdAt).toLocaleString()}</time>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function StatusBadge({ status }: { status: TaskStatus }) {
  return (
    <span className={`badge badge-${status}`} data-status={status}>
      {taskStatusLabels[status]}
    </span>
  );
}

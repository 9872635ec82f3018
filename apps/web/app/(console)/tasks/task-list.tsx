'use client';

import { keepPreviousData, useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useEffect, useState } from 'react';
import {
  sourceTypeLabels,
  stageLabels,
  TASK_STATUSES,
  taskStatusLabels,
  type TaskStatus,
} from '@tidewater/config';
import type { TaskSummary } from '@tidewater/engine';
import { apiFetch } from '@/lib/api-client';
import { formatDateTime, formatLatency, formatRate, formatShortDateTime } from '@/lib/format';
import { stageStates, stageStateLabels } from '@/lib/task-stages';
import { ErrorCallout } from '@/components/error-callout';
import { SelectField, TextField } from '@/components/field';
import { LoadingCard } from '@/components/loading';
import { ProgressBar } from '@/components/progress-bar';
import { StatusBadge } from '@/components/status-badge';
import { TaskActions } from '@/components/task-actions';

const REFRESH_MS = 2_000;

type StatusFilter = TaskStatus | 'all';

export function TaskList() {
  const [status, setStatus] = useState<StatusFilter>('all');
  const [searchInput, setSearchInput] = useState('');
  const [search, setSearch] = useState('');
  useEffect(() => {
    const timer = setTimeout(() => setSearch(searchInput.trim()), 300);
    return () => clearTimeout(timer);
  }, [searchInput]);

  const query = useQuery({
    queryKey: ['tasks', status, search],
    queryFn: () => {
      const params = new URLSearchParams();
      if (status !== 'all') params.set('status', status);
      if (search) params.set('search', search);
      const suffix = params.size > 0 ? `?${params}` : '';
      return apiFetch<{ tasks: TaskSummary[] }>(`/api/tasks${suffix}`);
    },
    refetchInterval: REFRESH_MS,
    placeholderData: keepPreviousData,
  });
  const isFiltered = status !== 'all' || search !== '';

  return (
    <>
      <div className="toolbar" role="search">
        <TextField
          label="Search by name"
          name="search"
          type="search"
          value={searchInput}
          onChange={setSearchInput}
          placeholder="Task name"
        />
        <SelectField<StatusFilter>
          label="State"
          name="status"
          value={status}
          onChange={setStatus}
          options={[
            { value: 'all', label: 'All states (except released)' },
            ...TASK_STATUSES.map((value) => ({ value, label: taskStatusLabels[value] })),
          ]}
        />
        <span className="toolbar-spacer" />
        <span className="muted" aria-live="polite">
          {query.data ? `${query.data.tasks.length} task(s) · refreshes every 2 s` : null}
        </span>
      </div>
      {query.isPending ? (
        <LoadingCard label="Loading tasks…" rows={4} />
      ) : query.isError ? (
        <div className="card">
          <ErrorCallout error={query.error} title="The task list could not be loaded." />
        </div>
      ) : query.data.tasks.length === 0 ? (
        <div className="card empty-state">
          {isFiltered ? (
            <>
              <h2>No task matches</h2>
              <p>Change the search or the state filter.</p>
              <button
                type="button"
                className="button"
                onClick={() => {
                  setStatus('all');
                  setSearchInput('');
                }}
              >
                Clear filters
              </button>
            </>
          ) : (
            <>
              <h2>No tasks yet</h2>
              <p>A task copies a MySQL, MariaDB or PolarDB-X database into a Kafka topic.</p>
              <Link className="button button-primary" href="/tasks/new">
                Create Task
              </Link>
            </>
          )}
        </div>
      ) : (
        <div className="card table-wrap">
          <table className="table" aria-label="Tasks">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Source → Destination</th>
                <th scope="col">State</th>
                <th scope="col">Progress</th>
                <th scope="col" className="numeric">
                  Latency
                </th>
                <th scope="col" className="numeric">
                  Records/s
                </th>
                <th scope="col">Created</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {query.data.tasks.map((task) => (
                <TaskRow key={task.id} task={task} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

function TaskRow({ task }: { task: TaskSummary }) {
  const { source, destination } = task.config;
  const isDraft = task.actions.includes('edit');
  const stages = stageStates(task);
  return (
    <tr data-task-id={task.id} data-task-name={task.name}>
      <td>
        <Link
          className="task-name"
          href={isDraft ? `/tasks/new?draft=${task.id}` : `/tasks/${task.id}`}
        >
          {task.name}
        </Link>
      </td>
      <td className="endpoint-summary">
        <div>
          {sourceTypeLabels[source.type]} <code>{`${source.host}:${source.port}`}</code>
        </div>
        <div>
          → Kafka <code>{destination.hosts}</code> / <code>{destination.topic}</code>
        </div>
      </td>
      <td>
        <StatusBadge status={task.status} />
        {task.stage && task.status === 'running' ? (
          <div className="muted" data-stage={task.stage}>
            {stageLabels[task.stage as keyof typeof stageLabels] ?? task.stage}
          </div>
        ) : null}
        {task.retrying ? (
          <div className="retrying">
            Retrying since {formatDateTime(task.retrying.since)}: {task.retrying.lastError}
          </div>
        ) : null}
        {task.statusReason && (task.status === 'failed' || task.status === 'precheck_failed') ? (
          <div className="reason" data-testid="status-reason">
            {task.statusReason}
          </div>
        ) : null}
      </td>
      <td>
        {task.progress.percent === null ? (
          <span className="muted">—</span>
        ) : (
          <ProgressBar percent={task.progress.percent} label={`Full migration of ${task.name}`} />
        )}
        <div className="stage-badges">
          {stages
            .filter((item) => item.state !== 'off')
            .map((item) => (
              <span
                key={item.stage}
                className={`badge badge-${item.state === 'done' ? 'done' : item.state === 'running' ? 'running' : item.state === 'failed' ? 'fail' : item.state === 'paused' ? 'paused' : 'pending'}`}
                title={`${stageLabels[item.stage]}: ${stageStateLabels[item.state]}`}
                data-stage-state={`${item.stage}:${item.state}`}
              >
                {item.stage === 'schema'
                  ? 'Schema'
                  : item.stage === 'full'
                    ? 'Full'
                    : 'Incremental'}
                <span className="visually-hidden">: {stageStateLabels[item.state]}</span>
              </span>
            ))}
        </div>
      </td>
      <td className="numeric" data-testid="latency">
        {task.config.stages.incremental ? formatLatency(task.metrics?.latencyMs) : 'n/a'}
      </td>
      <td className="numeric" data-testid="records-per-second">
        {formatRate(task.metrics?.recordsPerSecond)}
      </td>
      <td>
        <time dateTime={task.createdAt} title={formatDateTime(task.createdAt)}>
          {formatShortDateTime(task.createdAt)}
        </time>
      </td>
      <td>
        <TaskActions task={task} />
      </td>
    </tr>
  );
}

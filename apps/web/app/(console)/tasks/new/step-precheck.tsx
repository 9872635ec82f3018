'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { precheckStatusLabels } from '@tidewater/config';
import type { PrecheckItemView } from '@tidewater/db';
import type { PrecheckReport, TaskDetails } from '@tidewater/engine';
import { apiFetch, apiSend } from '@/lib/api-client';
import { ConfirmDialog } from '@/components/confirm-dialog';
import { ErrorCallout } from '@/components/error-callout';
import { ProgressBar } from '@/components/progress-bar';
import type { StepProps } from './step-props';

/**
 * Saves (already done by step 2's Next) and runs the precheck, showing each item as it
 * finishes. Failed items that may be ignored can be, after a confirmation that says what the
 * risk is. The next step unlocks at a 100% success rate.
 */
export function StepPrecheck({ goTo, taskId, status }: StepProps & { taskId: string }) {
  const client = useQueryClient();
  const hasRequested = useRef(false);

  const run = useMutation({
    mutationFn: () =>
      apiSend<{ precheck: PrecheckReport }>('POST', `/api/tasks/${taskId}/precheck`),
    onSuccess: () => client.invalidateQueries({ queryKey: ['task', taskId] }),
  });
  // The task, with its precheck report, polled while the precheck runs: the status says when
  // the worker has finished (the report alone still shows the previous run right after a start).
  const report = useQuery({
    queryKey: ['task', taskId],
    queryFn: () => apiFetch<{ task: TaskDetails }>(`/api/tasks/${taskId}`),
    select: (data) => ({ precheck: data.task.precheck, status: data.task.status }),
    refetchInterval: (query) => {
      const task = query.state.data?.task;
      return !task || task.status === 'prechecking' || !task.precheck.isComplete ? 1_000 : false;
    },
  });

  // Entering the step runs the precheck, unless the saved task already ran (or runs) it.
  useEffect(() => {
    if (hasRequested.current || !status) return;
    hasRequested.current = true;
    if (status === 'created') run.mutate();
  }, [run, status]);

  const precheck = report.data?.precheck;
  const isRunning =
    run.isPending ||
    report.data?.status === 'prechecking' ||
    (precheck !== undefined && !precheck.isComplete);
  const isPassed = !isRunning && precheck?.isComplete === true && precheck.successRate === 100;

  return (
    <div>
      <section className="card wizard-section" aria-labelledby="precheck-heading">
        <h2 id="precheck-heading">Precheck</h2>
        {run.isError ? (
          <ErrorCallout error={run.error} title="The precheck could not start." />
        ) : null}
        {report.isError ? (
          <ErrorCallout error={report.error} title="The precheck results could not be loaded." />
        ) : null}
        {!precheck || precheck.items.length === 0 ? (
          <div role="status" aria-busy="true">
            <div className="skeleton" />
            <div className="skeleton" />
            <span className="visually-hidden">Starting the precheck…</span>
            {!isRunning && precheck ? (
              <button type="button" className="button button-primary" onClick={() => run.mutate()}>
                Run the precheck
              </button>
            ) : null}
          </div>
        ) : (
          <>
            <div className="precheck-meter">
              <span className="rate" data-testid="precheck-success-rate">
                {precheck.successRate}%
              </span>
              <div style={{ flex: 1 }}>
                <ProgressBar percent={precheck.successRate} label="Precheck success rate" />
                <p className="muted" role="status">
                  {!isRunning
                    ? isPassed
                      ? 'Precheck passed: continue to purchase the instance.'
                      : 'Precheck finished with failed items: fix them and run it again, or ignore those that may be ignored.'
                    : `Checking… ${precheck.items.filter((item) => item.status !== 'pending' && item.status !== 'running').length} of ${precheck.items.length} items done.`}
                </p>
              </div>
              <button
                type="button"
                className="button"
                onClick={() => run.mutate()}
                disabled={isRunning}
              >
                Precheck Again
              </button>
            </div>
            <table className="table" aria-label="Precheck items">
              <thead>
                <tr>
                  <th scope="col">Check item</th>
                  <th scope="col">Result</th>
                  <th scope="col">Actions</th>
                </tr>
              </thead>
              <tbody>
                {precheck.items.map((item) => (
                  <PrecheckRow key={item.key} item={item} taskId={taskId} isFinished={!isRunning} />
                ))}
              </tbody>
            </table>
          </>
        )}
      </section>
      <div className="wizard-footer">
        <button type="button" className="button" onClick={() => goTo(2)} disabled={isRunning}>
          Back: Objects and Advanced Settings
        </button>
        <button
          type="button"
          className="button button-primary"
          onClick={() => goTo(4)}
          disabled={!isPassed}
          aria-describedby="next-step-hint"
        >
          Next: Purchase Instance
        </button>
        <span className="status-text" id="next-step-hint">
          {isPassed ? '' : 'Unlocks when the precheck success rate is 100%.'}
        </span>
      </div>
    </div>
  );
}

function PrecheckRow({
  item,
  taskId,
  isFinished,
}: {
  item: PrecheckItemView;
  taskId: string;
  isFinished: boolean;
}) {
  const client = useQueryClient();
  const isFailing = item.status === 'fail' && !item.isIgnored;
  const [isInfoOpen, setInfoOpen] = useState(isFailing);
  // A failed item opens its cause and fix as soon as it fails.
  useEffect(() => {
    if (isFailing) setInfoOpen(true);
  }, [isFailing]);
  const [isConfirming, setConfirming] = useState(false);
  const ignore = useMutation({
    mutationFn: (isIgnored: boolean) =>
      apiSend<{ precheck: PrecheckReport }>(
        'POST',
        `/api/tasks/${taskId}/precheck/items/${encodeURIComponent(item.key)}/ignore`,
        { isIgnored },
      ),
    onSuccess: async () => {
      await client.invalidateQueries({ queryKey: ['task', taskId] });
      setConfirming(false);
    },
  });
  const badge = item.isIgnored ? 'ignored' : item.status;
  const infoId = `precheck-info-${item.key.replace(/[^A-Za-z0-9_-]/g, '-')}`;
  const hasInfo = item.message !== '' || item.remedy !== '';
  return (
    <tr
      data-precheck-item={item.key}
      data-precheck-status={item.isIgnored ? 'ignored' : item.status}
    >
      <td>
        {item.name}
        {isInfoOpen && hasInfo ? (
          <div className="precheck-info" id={infoId}>
            {item.message ? (
              <p>
                <strong>Cause:</strong> {item.message}
              </p>
            ) : null}
            {item.remedy ? (
              <p>
                <strong>How to fix:</strong> {item.remedy}
              </p>
            ) : null}
          </div>
        ) : null}
      </td>
      <td>
        <span className={`badge badge-${badge}`}>
          {item.isIgnored ? 'Ignored' : precheckStatusLabels[item.status]}
        </span>
      </td>
      <td>
        <div className="row-actions">
          {hasInfo ? (
            <button
              type="button"
              className="button button-small"
              aria-expanded={isInfoOpen}
              aria-controls={isInfoOpen ? infoId : undefined}
              onClick={() => setInfoOpen(!isInfoOpen)}
            >
              Info<span className="visually-hidden"> about {item.name}</span>
            </button>
          ) : null}
          {isFinished && item.status === 'fail' && item.isIgnorable && !item.isIgnored ? (
            <button
              type="button"
              className="button button-small"
              onClick={() => setConfirming(true)}
            >
              Ignore<span className="visually-hidden"> {item.name}</span>
            </button>
          ) : null}
          {isFinished && item.isIgnored ? (
            <button
              type="button"
              className="button button-small"
              onClick={() => ignore.mutate(false)}
              disabled={ignore.isPending}
            >
              Undo ignore<span className="visually-hidden"> of {item.name}</span>
            </button>
          ) : null}
        </div>
        {ignore.isError && !isConfirming ? <ErrorCallout error={ignore.error} /> : null}
        <ConfirmDialog
          isOpen={isConfirming}
          title={`Ignore "${item.name}"?`}
          confirmLabel="Ignore and accept the risk"
          isDanger
          isBusy={ignore.isPending}
          onCancel={() => setConfirming(false)}
          onConfirm={() => ignore.mutate(true)}
        >
          <p>
            <strong>What failed:</strong> {item.message}
          </p>
          <p>
            <strong>The risk:</strong> the task runs with this condition as it is.{' '}
            {riskOf(item.key)}
          </p>
          {item.remedy ? (
            <p>
              <strong>The fix instead:</strong> {item.remedy}
            </p>
          ) : null}
          {ignore.isError ? <ErrorCallout error={ignore.error} /> : null}
        </ConfirmDialog>
      </td>
    </tr>
  );
}

/** What ignoring an item means, for the items that may be ignored. */
function riskOf(key: string): string {
  if (key.startsWith('source.keys')) {
    return 'Tables without a primary or unique key can get duplicate messages after a retry, and updates carry whole rows.';
  }
  if (key.startsWith('source.binlog_retention')) {
    return 'If the binary log is purged while the task is paused or retrying, incremental migration cannot resume and the task must start over.';
  }
  if (key.startsWith('destination.conflicts')) {
    return 'Consumers will see the new messages after those already in the topic for the same tables, possibly as duplicates.';
  }
  return 'Tidewater cannot guarantee what this check protects.';
}

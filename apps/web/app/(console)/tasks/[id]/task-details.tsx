'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import {
  canalJsonValuesLabels,
  capitalizationLabels,
  conflictModeLabels,
  dataFormatLabels,
  instanceClassCeilings,
  kafkaEncryptionLabels,
  partitionPolicyLabels,
  precheckStatusLabels,
  sourceTypeLabels,
  STAGES,
  stageLabels,
} from '@tidewater/config';
import type { PublicTaskConfig } from '@tidewater/db';
import type { TaskDetails } from '@tidewater/engine';
import { apiFetch } from '@/lib/api-client';
import { formatCount, formatDateTime, formatLatency, formatRate } from '@/lib/format';
import { stageStates, stageStateLabels } from '@/lib/task-stages';
import { CopyButton } from '@/components/copy-button';
import { ErrorCallout } from '@/components/error-callout';
import { LoadingCard } from '@/components/loading';
import { ProgressBar } from '@/components/progress-bar';
import { StatusBadge } from '@/components/status-badge';
import { TaskActions } from '@/components/task-actions';
import { MetricCharts } from './metric-charts';

const REFRESH_MS = 2_000;

export function TaskDetailsView({ taskId }: { taskId: string }) {
  const router = useRouter();
  const query = useQuery({
    queryKey: ['task', taskId],
    queryFn: () => apiFetch<{ task: TaskDetails }>(`/api/tasks/${taskId}`),
    refetchInterval: REFRESH_MS,
  });

  if (query.isPending) {
    return (
      <>
        <header className="page-header">
          <h1>Task details</h1>
        </header>
        <LoadingCard label="Loading the task…" rows={8} />
      </>
    );
  }
  if (query.isError) {
    return (
      <>
        <header className="page-header">
          <h1>Task details</h1>
        </header>
        <div className="card">
          <ErrorCallout error={query.error} title="The task could not be loaded." />
          <p>
            Back to <Link href="/tasks">Data Migration</Link>.
          </p>
        </div>
      </>
    );
  }
  const task = query.data.task;
  const stages = stageStates(task);
  const ceiling = instanceClassCeilings[task.config.instanceClass];
  return (
    <>
      <header className="page-header">
        <div>
          <p className="breadcrumb">
            <Link href="/tasks">Data Migration</Link> / Task details
          </p>
          <h1>
            {task.name} <StatusBadge status={task.status} />
          </h1>
          <p className="muted">
            {sourceTypeLabels[task.config.source.type]}{' '}
            <code>{`${task.config.source.host}:${task.config.source.port}`}</code> → Kafka{' '}
            <code>{task.config.destination.hosts}</code> /{' '}
            <code>{task.config.destination.topic}</code> · {dataFormatLabels[task.config.format]}
          </p>
        </div>
        <TaskActions task={task} showDetails={false} onReleased={() => router.push('/tasks')} />
      </header>

      <div className="stack">
        {task.status === 'failed' && task.statusReason ? (
          <div className="callout callout-error" role="alert" data-testid="failure-reason">
            <strong className="callout-title">The task failed</strong>
            <p>{task.statusReason}</p>
            <p>Fix the cause, then Restart: the task continues from its last checkpoint.</p>
          </div>
        ) : null}
        {task.retrying ? (
          <div className="callout callout-warn" role="status">
            <strong className="callout-title">
              Retrying since {formatDateTime(task.retrying.since)}
            </strong>
            <p>{task.retrying.lastError}</p>
            <p>
              The task keeps retrying for {task.config.advanced.retryMinutes} minutes before it
              fails.
            </p>
          </div>
        ) : null}
        {task.warnings.map((warning) => (
          <p key={warning} className="callout callout-warn">
            {warning}
          </p>
        ))}

        <div className="summary-grid">
          <Metric
            label="Full migration"
            value={task.progress.percent === null ? '—' : `${task.progress.percent}%`}
            testId="details-progress"
          />
          <Metric
            label="Rows copied"
            value={`${formatCount(task.progress.rowsDone)} / ~${formatCount(task.progress.rowsEstimated)}`}
          />
          <Metric
            label="Records/s"
            value={formatRate(task.metrics?.recordsPerSecond)}
            testId="details-rps"
          />
          <Metric
            label="Latency (incremental)"
            value={task.config.stages.incremental ? formatLatency(task.metrics?.latencyMs) : 'n/a'}
            testId="details-latency"
          />
          <Metric
            label="Instance class"
            value={`${task.config.instanceClass}${ceiling === null ? '' : ` · ${formatCount(ceiling)}/s`}`}
          />
          <Metric label="Created" value={formatDateTime(task.createdAt)} />
        </div>

        <section className="card" aria-labelledby="stages-heading">
          <h2 id="stages-heading" className="section-title">
            Stages
          </h2>
          <ol className="stages">
            {stages.map((item) => (
              <li
                key={item.stage}
                className={item.state === 'running' ? 'is-current' : undefined}
                data-stage-state={`${item.stage}:${item.state}`}
              >
                <span className="stage-name">{stageLabels[item.stage]}</span>
                <span
                  className={`badge badge-${item.state === 'done' ? 'done' : item.state === 'running' ? 'running' : item.state === 'failed' ? 'fail' : item.state === 'paused' ? 'paused' : item.state === 'off' ? 'off' : 'pending'}`}
                >
                  {stageStateLabels[item.state]}
                </span>
              </li>
            ))}
          </ol>
        </section>

        <section className="card" aria-labelledby="tables-heading">
          <h2 id="tables-heading" className="section-title">
            Full migration by table
          </h2>
          {task.tables.length === 0 ? (
            <p className="empty-inline">
              {task.config.stages.full
                ? 'No table has started yet: progress appears here once the full migration begins.'
                : 'Full migration is not one of this task’s stages.'}
            </p>
          ) : (
            <div className="table-wrap">
              <table className="table" aria-label="Full migration by table">
                <thead>
                  <tr>
                    <th scope="col">Table</th>
                    <th scope="col" className="numeric">
                      Rows done
                    </th>
                    <th scope="col" className="numeric">
                      Estimated
                    </th>
                    <th scope="col">Progress</th>
                  </tr>
                </thead>
                <tbody>
                  {task.tables.map((table) => {
                    const label = `${table.database}.${table.table}`;
                    const estimated = Math.max(table.rowsEstimated, table.rowsDone);
                    const percent = table.isDone
                      ? 100
                      : estimated === 0
                        ? 0
                        : Math.min(99, Math.floor((table.rowsDone / estimated) * 100));
                    return (
                      <tr key={label} data-table-progress={label}>
                        <td>{label}</td>
                        <td className="numeric">{formatCount(table.rowsDone)}</td>
                        <td className="numeric">{formatCount(table.rowsEstimated)}</td>
                        <td style={{ minWidth: 200 }}>
                          <ProgressBar percent={percent} label={`Full migration of ${label}`} />
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
          )}
        </section>

        <MetricCharts
          samples={task.metricHistory}
          hasIncremental={task.config.stages.incremental}
        />

        <div className="two-columns">
          <section className="card" aria-labelledby="events-heading">
            <h2 id="events-heading" className="section-title">
              Event log
            </h2>
            {task.events.length === 0 ? (
              <p className="empty-inline">No events yet.</p>
            ) : (
              <ol className="event-log" aria-label="Events, newest first" tabIndex={0}>
                {[...task.events].reverse().map((event) => (
                  <li key={event.id} data-event-kind={event.kind}>
                    <time dateTime={event.at}>{formatDateTime(event.at)}</time>
                    <span className={`event-level-${event.level}`}>{event.level}</span>
                    <span>{event.message}</span>
                  </li>
                ))}
              </ol>
            )}
            {task.alerts.length > 0 ? (
              <>
                <h3 className="section-title" style={{ marginTop: 16 }}>
                  Alerts
                </h3>
                <ul className="event-log" aria-label="Alerts" tabIndex={0}>
                  {task.alerts.map((alert) => (
                    <li key={alert.id}>
                      <time dateTime={alert.openedAt}>{formatDateTime(alert.openedAt)}</time>
                      <span className={alert.clearedAt ? undefined : 'event-level-warning'}>
                        {alert.clearedAt ? 'cleared' : 'open'}
                      </span>
                      <span>
                        {alert.message}
                        {alert.deliveryError ? ` (delivery failed: ${alert.deliveryError})` : ''}
                      </span>
                    </li>
                  ))}
                </ul>
              </>
            ) : null}
          </section>

          <section className="card" aria-labelledby="precheck-report-heading">
            <h2 id="precheck-report-heading" className="section-title">
              Precheck report
            </h2>
            {task.precheck.items.length === 0 ? (
              <p className="empty-inline">The precheck has not run.</p>
            ) : (
              <>
                <p className="muted">Success rate {task.precheck.successRate}%.</p>
                <table className="table" aria-label="Precheck report">
                  <tbody>
                    {task.precheck.items.map((item) => (
                      <tr key={item.key}>
                        <td>
                          {item.name}
                          {item.status !== 'pass' && item.message ? (
                            <div className="field-hint">{item.message}</div>
                          ) : null}
                        </td>
                        <td>
                          <span
                            className={`badge badge-${item.isIgnored ? 'ignored' : item.status}`}
                          >
                            {item.isIgnored ? 'Ignored' : precheckStatusLabels[item.status]}
                          </span>
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </>
            )}
          </section>
        </div>

        <ConfigurationSection name={task.name} config={task.config} />
      </div>
    </>
  );
}

function Metric({ label, value, testId }: { label: string; value: string; testId?: string }) {
  return (
    <div className="metric">
      <p className="metric-label">{label}</p>
      <p className="metric-value" data-testid={testId}>
        {value}
      </p>
    </div>
  );
}

/**
 * The configuration as saved, passwords shown only as "set", URLs as the API masks them, and
 * as JSON for the CLI.
 */
function ConfigurationSection({ name, config }: { name: string; config: PublicTaskConfig }) {
  const { source, destination } = config;
  const masked = (hasPassword: boolean) => (hasPassword ? '•••••••• (set)' : 'none');
  // The CLI's input: what POST /api/tasks takes, without passwords (add them to reuse it).
  const { hasPassword: _sourceHasPassword, ...sourceForCli } = source;
  const { hasPassword: _destinationHasPassword, schemaRegistry, ...destinationRest } = destination;
  const { hasClientKey, ...tlsForCli } = destination.tls;
  let registryForCli: object = schemaRegistry;
  if (schemaRegistry.enabled) {
    const { hasPassword: _registryHasPassword, ...registry } = schemaRegistry;
    registryForCli = registry;
  }
  const destinationForCli = {
    ...destinationRest,
    tls: tlsForCli,
    schemaRegistry: registryForCli,
  };
  const json = JSON.stringify(
    { ...config, name, source: sourceForCli, destination: destinationForCli },
    null,
    2,
  );
  return (
    <section className="card" aria-labelledby="config-heading">
      <div className="page-header" style={{ marginBottom: 8 }}>
        <h2 id="config-heading" className="section-title">
          Configuration
        </h2>
        <CopyButton text={json} label="Copy as JSON" />
      </div>
      <div className="two-columns">
        <dl className="config-list">
          <dt>Source</dt>
          <dd>
            {sourceTypeLabels[source.type]} {source.host}:{source.port}
          </dd>
          <dt>Source account</dt>
          <dd>{source.user}</dd>
          <dt>Source password</dt>
          <dd data-testid="config-source-password">{masked(source.hasPassword)}</dd>
          <dt>Source TLS</dt>
          <dd>{source.tls.enabled ? 'On' : 'Off'}</dd>
          {source.binlogStream ? (
            <>
              <dt>Binlog stream</dt>
              <dd>{source.binlogStream}</dd>
            </>
          ) : null}
          <dt>Kafka brokers</dt>
          <dd>
            {destination.hosts} (port {destination.port}), Kafka {destination.kafkaVersion}
          </dd>
          <dt>Encryption</dt>
          <dd>
            {kafkaEncryptionLabels[destination.encryption]}
            {destination.encryption === 'none' ? '' : ` as ${destination.user ?? ''}`}
          </dd>
          <dt>Kafka TLS</dt>
          <dd data-testid="config-kafka-tls">
            {destination.tls.enabled
              ? `On${destination.tls.clientCert ? `, client certificate, key ${masked(hasClientKey)}` : ''}`
              : 'Off'}
          </dd>
          <dt>Kafka password</dt>
          <dd>{masked(destination.hasPassword)}</dd>
          <dt>Topic</dt>
          <dd>{destination.topic}</dd>
          <dt>DDL topic</dt>
          <dd>{destination.ddlTopic ?? `${destination.topic} (same)`}</dd>
          <dt>Schema registry</dt>
          <dd data-testid="config-schema-registry">
            {schemaRegistry.enabled
              ? `${schemaRegistry.url}${schemaRegistry.user ? ` as ${schemaRegistry.user}, password ${masked(schemaRegistry.hasPassword)}` : ''}`
              : 'Not used'}
          </dd>
        </dl>
        <dl className="config-list">
          <dt>Stages</dt>
          <dd>
            {STAGES.filter((stage) => config.stages[stage])
              .map((stage) => stageLabels[stage])
              .join(', ')}
          </dd>
          <dt>Data format</dt>
          <dd>{dataFormatLabels[config.format]}</dd>
          {config.format === 'canal-json' ? (
            <>
              <dt>Canal JSON values</dt>
              <dd>{canalJsonValuesLabels[config.advanced.canalJsonValues]}</dd>
            </>
          ) : null}
          <dt>Partitions</dt>
          <dd>{partitionPolicyLabels[config.partitionPolicy]}</dd>
          <dt>Conflicting tables</dt>
          <dd>{conflictModeLabels[config.conflictMode]}</dd>
          <dt>Objects</dt>
          <dd>
            {config.objects
              .map((object) => {
                const label =
                  object.kind === 'database'
                    ? object.database
                    : `${object.database}.${object.table}`;
                const extras = [
                  object.rename ? `→ ${object.rename}` : null,
                  object.kind === 'table' && object.filter ? `WHERE ${object.filter}` : null,
                ].filter(Boolean);
                return extras.length > 0 ? `${label} (${extras.join('; ')})` : label;
              })
              .join(', ') || 'none'}
          </dd>
          <dt>Capitalization</dt>
          <dd>{capitalizationLabels[config.advanced.capitalization]}</dd>
          <dt>Retry time</dt>
          <dd>{config.advanced.retryMinutes} minutes</dd>
          <dt>Alerts</dt>
          <dd>
            {config.advanced.alerts.enabled
              ? `Latency over ${config.advanced.alerts.latencyThresholdSeconds} s → ${config.advanced.alerts.contacts.join(', ')}`
              : 'Off'}
          </dd>
        </dl>
      </div>
      <details style={{ marginTop: 12 }}>
        <summary>Show as JSON (for the CLI; passwords are left out, URL tokens masked)</summary>
        <pre className="config-json" tabIndex={0} aria-label="Task configuration as JSON">
          {json}
        </pre>
      </details>
    </section>
  );
}

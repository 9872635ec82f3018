import { STAGES, stageLabels as stageTitles, taskStatusLabels } from '@tidewater/config';
import type { TidewaterError } from '@tidewater/errors';
import type {
  ApiToken,
  DestinationConnectivity,
  FilterCheck,
  PrecheckItem,
  PrecheckReport,
  SourceConnectivity,
  SourceObjectTree,
  SystemHealth,
  TaskDetails,
  TaskSummary,
} from './api-types';

/** How the CLI prints for people: pure functions from API answers to plain text. */

const numberFormat = new Intl.NumberFormat('en-US');
const EMPTY = '-';

/** The stages' names inside a line of text: `Running · full data migration`. */
const stageLabels = Object.fromEntries(
  STAGES.map((stage) => [stage, stageTitles[stage].toLowerCase()]),
) as Record<(typeof STAGES)[number], string>;

export function formatError(error: TidewaterError): string {
  const lines = [`Error ${error.code}: ${error.message}`];
  const problems = error.details.problems;
  if (Array.isArray(problems)) {
    for (const problem of problems as Array<{ path?: unknown; message?: unknown }>) {
      const path = typeof problem.path === 'string' && problem.path ? problem.path : '(whole)';
      lines.push(`  ${path}: ${String(problem.message)}`);
    }
  }
  if (error.remedy) lines.push(`How to fix: ${error.remedy}`);
  return lines.join('\n');
}

export function formatCount(value: number | null | undefined): string {
  return value === null || value === undefined ? EMPTY : numberFormat.format(Math.round(value));
}

export function formatRate(value: number | null | undefined): string {
  if (value === null || value === undefined) return EMPTY;
  return value >= 100 ? numberFormat.format(Math.round(value)) : value.toFixed(1);
}

export function formatLatency(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return EMPTY;
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  if (ms < 120_000) return `${(ms / 1_000).toFixed(1)} s`;
  return `${Math.round(ms / 60_000)} min`;
}

export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined) return EMPTY;
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value >= 10 || unit === 0 ? Math.round(value) : value.toFixed(1)} ${units[unit]}`;
}

/** An API timestamp as `YYYY-MM-DD HH:MM:SS` in UTC. */
export function formatTimestamp(iso: string | null | undefined): string {
  return iso ? `${iso.slice(0, 10)} ${iso.slice(11, 19)}` : EMPTY;
}

export function formatStage(stage: string | null): string {
  if (stage === null) return EMPTY;
  return (stageLabels as Record<string, string>)[stage] ?? stage;
}

function formatStatus(task: Pick<TaskSummary, 'status' | 'stage' | 'retrying'>): string {
  const label = taskStatusLabels[task.status] ?? task.status;
  const retrying = task.retrying ? ' (retrying)' : '';
  return task.status === 'running' && task.stage
    ? `${label}${retrying} · ${formatStage(task.stage)}`
    : `${label}${retrying}`;
}

function formatPercent(percent: number | null): string {
  return percent === null ? EMPTY : `${percent}%`;
}

/** Columns padded to their widest cell; the last column is not padded. */
export function formatTable(header: string[], rows: string[][]): string {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  return [header, ...rows]
    .map((row) =>
      row
        .map((cell, column) =>
          column === row.length - 1 ? cell : cell.padEnd(widths[column] ?? 0),
        )
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export function formatTaskList(tasks: TaskSummary[]): string {
  if (tasks.length === 0) return 'No tasks. Create one with: tidewater create -f task.yaml';
  return formatTable(
    ['ID', 'NAME', 'STATUS', 'PROGRESS', 'RECORDS/S', 'CREATED (UTC)'],
    tasks.map((task) => [
      task.id,
      task.name,
      formatStatus(task),
      formatPercent(task.progress.percent),
      formatRate(task.metrics?.recordsPerSecond),
      formatTimestamp(task.createdAt),
    ]),
  );
}

const PRECHECK_MARKS: Record<PrecheckItem['status'], string> = {
  pending: '[ .... ]',
  running: '[ .... ]',
  pass: '[ pass ]',
  warning: '[ warn ]',
  fail: '[ FAIL ]',
};

export function formatPrecheckItem(item: PrecheckItem, taskId: string): string {
  const mark = item.status === 'fail' && item.isIgnored ? '[ignored]' : PRECHECK_MARKS[item.status];
  const lines = [`${mark.padEnd(9)} ${item.name}${item.message ? `: ${item.message}` : ''}`];
  const indent = ' '.repeat(10);
  if ((item.status === 'fail' || item.status === 'warning') && item.remedy) {
    lines.push(`${indent}How to fix: ${item.remedy}`);
  }
  if (item.status === 'fail' && item.isIgnorable && !item.isIgnored) {
    lines.push(`${indent}May be ignored: tidewater ignore ${taskId} ${item.key}`);
  }
  return lines.join('\n');
}

export function formatPrecheckSummary(report: PrecheckReport): string {
  if (report.items.length === 0) return 'Precheck: not run yet.';
  const failed = report.items.filter((item) => item.status === 'fail' && !item.isIgnored).length;
  const ignored = report.items.filter((item) => item.status === 'fail' && item.isIgnored).length;
  const parts = [
    `${report.successRate}% success`,
    `${report.items.length} items`,
    ...(failed > 0 ? [`${failed} failed`] : []),
    ...(ignored > 0 ? [`${ignored} ignored`] : []),
  ];
  return `Precheck: ${parts.join(', ')}${report.isComplete ? '' : ' (running)'}`;
}

export function formatPrecheck(report: PrecheckReport, taskId: string): string {
  return [
    formatPrecheckSummary(report),
    ...report.items.map((item) => formatPrecheckItem(item, taskId)),
  ].join('\n');
}

/** The block of key facts `show` and `status` start with. */
function formatFacts(facts: Array<[string, string]>): string {
  const width = Math.max(...facts.map(([label]) => label.length)) + 1;
  return facts.map(([label, value]) => `  ${`${label}:`.padEnd(width)} ${value}`).join('\n');
}

function progressText(task: TaskSummary): string {
  const { percent, rowsDone, rowsEstimated } = task.progress;
  if (percent === null) return EMPTY;
  return `${percent}% (${formatCount(rowsDone)} of ~${formatCount(rowsEstimated)} rows)`;
}

function throughputText(task: TaskSummary): string {
  if (!task.metrics) return EMPTY;
  return `${formatRate(task.metrics.recordsPerSecond)} records/s, ${formatBytes(task.metrics.bytesPerSecond)}/s, latency ${formatLatency(task.metrics.latencyMs)}`;
}

export function formatTaskDetails(task: TaskDetails, recentEvents = 10): string {
  const { config } = task;
  const stages = STAGES.filter((stage) => config.stages[stage])
    .map((stage) => stageLabels[stage])
    .join(', ');
  const facts: Array<[string, string]> = [
    ['Status', formatStatus(task)],
    ...(task.statusReason ? [['Reason', task.statusReason] as [string, string]] : []),
    ...(task.retrying
      ? [
          [
            'Retrying',
            `since ${formatTimestamp(task.retrying.since)}: ${task.retrying.lastError}`,
          ] as [string, string],
        ]
      : []),
    ['Source', `${config.source.type} ${config.source.host}:${config.source.port}`],
    [
      'Destination',
      `${config.destination.hosts} (port ${config.destination.port}), topic ${config.destination.topic}`,
    ],
    ['Stages', stages],
    ['Format', config.format],
    ['Instance class', config.instanceClass],
    ...(task.termsAcceptance
      ? [
          [
            'Terms',
            `accepted by ${task.termsAcceptance.by}, ${formatTimestamp(task.termsAcceptance.at)} UTC`,
          ] as [string, string],
        ]
      : []),
    ['Progress', progressText(task)],
    ['Throughput', throughputText(task)],
    ['Actions', task.actions.length > 0 ? task.actions.join(', ') : EMPTY],
    ['Created', `${formatTimestamp(task.createdAt)} UTC`],
  ];
  const sections = [`Task ${task.name} (${task.id})`, formatFacts(facts)];
  for (const warning of task.warnings) sections.push(`Warning: ${warning}`);

  if (task.tables.length > 0) {
    sections.push(
      `\nTables (${task.tables.length}):\n${indent(
        formatTable(
          ['TABLE', 'ROWS', 'ESTIMATED', 'PERCENT', 'DONE'],
          task.tables.map((table) => [
            `${table.database}.${table.table}`,
            formatCount(table.rowsDone),
            formatCount(table.rowsEstimated),
            table.isDone
              ? '100%'
              : table.rowsEstimated > 0
                ? `${Math.min(99, Math.floor((table.rowsDone / table.rowsEstimated) * 100))}%`
                : EMPTY,
            table.isDone ? 'yes' : 'no',
          ]),
        ),
      )}`,
    );
  }

  sections.push(`\n${formatPrecheck(task.precheck, task.id)}`);

  const openAlerts = task.alerts.filter((alert) => alert.clearedAt === null);
  if (openAlerts.length > 0) {
    sections.push(
      `\nOpen alerts (${openAlerts.length}):\n${openAlerts
        .map((alert) => `  ${formatTimestamp(alert.openedAt)}  ${alert.kind}  ${alert.message}`)
        .join('\n')}`,
    );
  }

  const events = task.events.slice(-recentEvents);
  if (events.length > 0) {
    sections.push(
      `\nRecent events (UTC):\n${events
        .map(
          (event) => `  ${formatTimestamp(event.at)}  ${event.level.padEnd(7)}  ${event.message}`,
        )
        .join('\n')}`,
    );
  }
  return sections.join('\n');
}

/** One line of `status`: what an operator glances at while a task runs. */
export function formatStatusLine(task: TaskSummary, now: Date): string {
  const time = now.toTimeString().slice(0, 8);
  const parts = [time, formatStatus(task)];
  if (task.progress.percent !== null) {
    parts.push(
      `${task.progress.percent}%`,
      `${formatCount(task.progress.rowsDone)}/${formatCount(task.progress.rowsEstimated)} rows`,
    );
  }
  if (task.metrics) {
    parts.push(
      `${formatRate(task.metrics.recordsPerSecond)} records/s`,
      `latency ${formatLatency(task.metrics.latencyMs)}`,
    );
  }
  if (task.retrying) parts.push(`last error: ${task.retrying.lastError}`);
  if (task.statusReason) parts.push(`reason: ${task.statusReason}`);
  return parts.join('  ');
}

export function formatSourceConnectivity(result: SourceConnectivity): string {
  if (!result.isReachable) return formatConnectivityFailure('source', result.error);
  return [
    `Source reachable: ${result.server.description || `${result.server.flavour} ${result.server.version}`}`,
    `  Tidewater connects from ${result.clientAddress} (allow it in the source's firewall).`,
  ].join('\n');
}

export function formatDestinationConnectivity(result: DestinationConnectivity): string {
  if (!result.isReachable) return formatConnectivityFailure('destination', result.error);
  const lines = [`Kafka reachable: broker version ${result.brokerVersion}`];
  if (result.schemaRegistry) {
    lines.push(
      `  Schema registry: ${result.schemaRegistry.isReachable ? 'reachable' : 'NOT reachable'}, ${result.schemaRegistry.message}`,
    );
  }
  lines.push(
    result.topics.length === 0
      ? '  No topics yet.'
      : `  Topics (${result.topics.length}):\n${indent(
          formatTable(
            ['TOPIC', 'PARTITIONS'],
            result.topics.map((topic) => [topic.name, String(topic.partitions)]),
          ),
          4,
        )}`,
  );
  return lines.join('\n');
}

function formatConnectivityFailure(
  side: 'source' | 'destination',
  error: { code: string; message: string; remedy: string },
): string {
  return [
    `The ${side} is not reachable.`,
    `Error ${error.code}: ${error.message}`,
    ...(error.remedy ? [`How to fix: ${error.remedy}`] : []),
  ].join('\n');
}

function indent(text: string, spaces = 2): string {
  const pad = ' '.repeat(spaces);
  return text
    .split('\n')
    .map((line) => pad + line)
    .join('\n');
}

export function formatSourceObjects(tree: SourceObjectTree): string {
  const rows = tree.databases.flatMap((database) =>
    database.tables.map((table) => [
      database.name,
      table.name,
      table.type,
      formatCount(table.estimatedRows),
      formatBytes(table.dataBytes),
    ]),
  );
  const empty = tree.databases.filter((database) => database.tables.length === 0);
  const lines: string[] = [];
  if (rows.length > 0) {
    lines.push(formatTable(['DATABASE', 'TABLE', 'TYPE', '~ROWS', 'SIZE'], rows));
  }
  if (empty.length > 0) {
    lines.push(`Databases without tables: ${empty.map((database) => database.name).join(', ')}`);
  }
  return lines.length > 0 ? lines.join('\n') : 'The source has no databases this account can read.';
}

export function formatFilterCheck(check: FilterCheck, table: string): string {
  if (check.isValid) {
    return check.sql === null
      ? `No filter: every row of ${table} is migrated.`
      : `The filter is valid on ${table}; Tidewater runs it as:\n  WHERE ${check.sql}`;
  }
  const error = check.error;
  return [
    `The filter is not valid on ${table}.`,
    ...(error
      ? [
          `Error ${error.code}: ${error.message}`,
          ...(error.remedy ? [`How to fix: ${error.remedy}`] : []),
        ]
      : []),
  ].join('\n');
}

export function formatApiTokens(tokens: ApiToken[]): string {
  if (tokens.length === 0) return 'No API tokens. Create one with: tidewater tokens create <name>';
  return formatTable(
    ['ID', 'NAME', 'PREFIX', 'CREATED (UTC)', 'LAST USED (UTC)', 'EXPIRES (UTC)'],
    tokens.map((token) => [
      token.id,
      token.name,
      `${token.prefix}…`,
      formatTimestamp(token.createdAt),
      formatTimestamp(token.lastUsedAt),
      formatTimestamp(token.expiresAt),
    ]),
  );
}

export function formatSystemHealth(health: SystemHealth): string {
  return [
    health.isHealthy ? 'Every service is up.' : 'A service is DOWN.',
    formatTable(
      ['SERVICE', 'STATE', 'LATENCY', 'ENDPOINT', 'DETAIL'],
      health.services.map((service) => [
        service.name,
        service.isUp ? 'up' : 'DOWN',
        formatLatency(service.latencyMs),
        service.endpoint,
        service.detail,
      ]),
    ),
  ].join('\n');
}

import { destinationConnectionSchema, sourceSchema, taskConfigSchema } from '@tidewater/config';
import { taskConfigPatchSchema } from '@tidewater/config/api';
import { isTidewaterError, TidewaterError } from '@tidewater/errors';
import { createApiClient, type ApiClient } from './api-client';
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
import { parseInvocation, usageText, type Command, type Invocation } from './arguments';
import { loadConfigFile } from './config-file';
import { EXIT_CODES, exitCodeFor, INTERRUPTED } from './exit-codes';
import {
  formatApiTokens,
  formatDestinationConnectivity,
  formatError,
  formatFilterCheck,
  formatSourceObjects,
  formatSystemHealth,
  formatPrecheckItem,
  formatPrecheckSummary,
  formatSourceConnectivity,
  formatStatusLine,
  formatTaskDetails,
  formatTaskList,
  formatTimestamp,
} from './output';

/** What a command needs from the world; the tests pass their own. */
export interface Runtime {
  env: Record<string, string | undefined>;
  /** Writes a line (or lines) to standard output. */
  stdout(text: string): void;
  stderr(text: string): void;
  /** Asks a yes/no question on the terminal; null when there is no terminal to ask on. */
  confirm(question: string): Promise<boolean | null>;
  /** Aborted by Ctrl-C: requests and waits end. */
  signal: AbortSignal;
  /** Resolves after `ms`, rejects when `signal` aborts. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
  now(): Date;
  fetch?: typeof fetch;
}

export const STATUS_REFRESH_MS = 2_000;
export const PRECHECK_POLL_MS = 1_000;

/** Runs one command line; returns the exit code. Errors are printed, never thrown. */
export async function runCli(argv: readonly string[], runtime: Runtime): Promise<number> {
  let isJson = argv.includes('--json');
  try {
    const invocation = parseInvocation(argv, runtime.env);
    isJson = invocation.options.isJson;
    return await runCommand(invocation, runtime);
  } catch (error) {
    const failure = asCliError(error, runtime.signal);
    runtime.stderr(
      isJson ? JSON.stringify({ error: failure.toJSON() }, null, 2) : formatError(failure),
    );
    return exitCodeFor(failure);
  }
}

async function runCommand({ command, options }: Invocation, runtime: Runtime): Promise<number> {
  if (command.name === 'help') {
    if (!command.isRequested) {
      runtime.stderr(usageText());
      return EXIT_CODES.invalidInput;
    }
    runtime.stdout(usageText(command.topic));
    return EXIT_CODES.ok;
  }
  const api = createApiClient({
    url: options.url,
    token: options.token,
    signal: runtime.signal,
    fetch: runtime.fetch,
  });
  const context: CommandContext = {
    api,
    runtime,
    isJson: options.isJson,
    print: (value, text) =>
      runtime.stdout(options.isJson ? JSON.stringify(value, null, 2) : text()),
  };
  return runTaskCommand(command, context);
}

interface CommandContext {
  api: ApiClient;
  runtime: Runtime;
  isJson: boolean;
  /** Prints `value` as JSON with --json, else the text. */
  print(value: unknown, text: () => string): void;
}

async function runTaskCommand(
  command: Exclude<Command, { name: 'help' }>,
  context: CommandContext,
): Promise<number> {
  const { api, print } = context;
  switch (command.name) {
    case 'create': {
      const config = await loadConfigFile(command.file, taskConfigSchema);
      const answer = await api.post<{ task: TaskSummary }>('api/tasks', config);
      print(answer, () => describeCreated(answer.task));
      return EXIT_CODES.ok;
    }
    case 'list': {
      const query = new URLSearchParams();
      if (command.status) query.set('status', command.status);
      if (command.search) query.set('search', command.search);
      const answer = await api.get<{ tasks: TaskSummary[] }>(
        `api/tasks${query.size > 0 ? `?${query}` : ''}`,
      );
      print(answer, () => formatTaskList(answer.tasks));
      return EXIT_CODES.ok;
    }
    case 'show': {
      const answer = await api.get<{ task: TaskDetails }>(taskPath(command.id));
      print(answer, () => formatTaskDetails(answer.task));
      return EXIT_CODES.ok;
    }
    case 'precheck':
      return runPrecheck(command.id, command.isWaiting, context);
    case 'ignore': {
      const answer = await api.post<{ precheck: PrecheckReport }>(
        `${taskPath(command.id)}/precheck/items/${encodeURIComponent(command.itemKey)}/ignore`,
        { isIgnored: !command.isUndo },
      );
      print(answer, () => {
        const item = answer.precheck.items.find((candidate) => candidate.key === command.itemKey);
        const name = item ? `"${item.name}"` : command.itemKey;
        return `${command.isUndo ? 'No longer ignoring' : 'Ignored'} ${name}.\n${formatPrecheckSummary(answer.precheck)}`;
      });
      return EXIT_CODES.ok;
    }
    case 'start': {
      if (!command.isTermsAccepted && !(await confirmTerms(command.id, context))) {
        context.runtime.stderr('Not started: the terms were not accepted.');
        return EXIT_CODES.other;
      }
      const answer = await api.post<{ task: TaskSummary }>(`${taskPath(command.id)}/start`, {
        instanceClass: command.instanceClass,
        acceptTerms: true,
      });
      print(
        answer,
        () =>
          `Started task ${answer.task.name} (${answer.task.id}) with instance class ${command.instanceClass}.\nFollow it with: tidewater status ${answer.task.id} --watch`,
      );
      return EXIT_CODES.ok;
    }
    case 'status':
      return command.isWatching
        ? watchStatus(command.id, context)
        : printStatus(command.id, context);
    case 'pause':
    case 'resume':
    case 'stop':
      return runAction(command.id, command.name, undefined, context);
    case 'restart':
      return runAction(command.id, 'restart', { fromScratch: command.isFromScratch }, context);
    case 'release': {
      if (!command.isConfirmed) {
        const { task } = await api.get<{ task: TaskSummary }>(taskPath(command.id));
        const answer = await context.runtime.confirm(
          `Release task ${task.name} (${task.id})? Its worker stops and the task cannot be started again. [y/N] `,
        );
        if (answer === null) {
          throw new TidewaterError(
            'CONFIRMATION_REQUIRED',
            'Releasing a task needs a confirmation, and there is no terminal to ask on.',
            { category: 'invalid_input', remedy: 'Add --yes to release without asking.' },
          );
        }
        if (!answer) {
          context.runtime.stderr('Not released.');
          return EXIT_CODES.other;
        }
      }
      return runAction(command.id, 'release', undefined, context);
    }
    case 'test-source': {
      const source = await loadConfigFile(command.file, sourceSchema);
      const result = await api.post<SourceConnectivity>('api/connectivity/source', source);
      print(result, () => formatSourceConnectivity(result));
      return result.isReachable ? EXIT_CODES.ok : EXIT_CODES.unavailable;
    }
    case 'test-destination': {
      const destination = await loadConfigFile(command.file, destinationConnectionSchema);
      const result = await api.post<DestinationConnectivity>(
        'api/connectivity/destination',
        destination,
      );
      print(result, () => formatDestinationConnectivity(result));
      return result.isReachable ? EXIT_CODES.ok : EXIT_CODES.unavailable;
    }
    case 'edit': {
      // Checked against the patch's schema, sent as written: an absent field keeps its value.
      const changes = await loadConfigFile(command.file, taskConfigPatchSchema);
      const answer = await api.patch<{ task: TaskSummary }>(taskPath(command.id), changes);
      print(answer, () => describeEdited(answer.task));
      return EXIT_CODES.ok;
    }
    case 'objects': {
      const tree = await api.get<SourceObjectTree>(`${taskPath(command.id)}/source-objects`);
      print(tree, () => formatSourceObjects(tree));
      return EXIT_CODES.ok;
    }
    case 'check-filter': {
      const { database, table, filter } = command;
      const check = await api.post<FilterCheck>(`${taskPath(command.id)}/filters`, {
        database,
        table,
        filter,
      });
      print(check, () => formatFilterCheck(check, `${database}.${table}`));
      return check.isValid ? EXIT_CODES.ok : EXIT_CODES.invalidInput;
    }
    case 'tokens':
      return runTokens(command, context);
    case 'health': {
      const health = await api.get<SystemHealth>('api/system/health');
      print(health, () => formatSystemHealth(health));
      return health.isHealthy ? EXIT_CODES.ok : EXIT_CODES.unavailable;
    }
  }
}

async function runTokens(
  command: Extract<Command, { name: 'tokens' }>,
  { api, print }: CommandContext,
): Promise<number> {
  switch (command.action) {
    case 'list': {
      const answer = await api.get<{ tokens: ApiToken[] }>('api/auth/tokens');
      print(answer, () => formatApiTokens(answer.tokens));
      return EXIT_CODES.ok;
    }
    case 'create': {
      const answer = await api.post<{ token: string; apiToken: ApiToken }>('api/auth/tokens', {
        name: command.tokenName,
        ...(command.expiresInDays === null ? {} : { expiresInDays: command.expiresInDays }),
      });
      print(answer, () =>
        [
          `Created API token ${answer.apiToken.name} (${answer.apiToken.id}), valid until ${formatTimestamp(answer.apiToken.expiresAt)} UTC.`,
          'Its secret, shown this once (keep it like a password; use it as TIDEWATER_TOKEN):',
          answer.token,
        ].join('\n'),
      );
      return EXIT_CODES.ok;
    }
    case 'revoke': {
      const answer = await api.delete<{ isRevoked: true }>(
        `api/auth/tokens/${encodeURIComponent(command.tokenId)}`,
      );
      print(answer, () => `Revoked API token ${command.tokenId}.`);
      return EXIT_CODES.ok;
    }
  }
}

/**
 * Asks the operator to accept the terms of service, as the console's checkbox does; the API
 * records who accepted them and when. Without a terminal to ask on, --accept-terms is needed.
 */
async function confirmTerms(id: string, context: CommandContext): Promise<boolean> {
  const { task } = await context.api.get<{ task: TaskSummary }>(taskPath(id));
  const answer = await context.runtime.confirm(
    [
      `Starting task ${task.name} (${task.id}) reads the selected objects and the binary log of the source`,
      'and writes messages to the destination topic until you stop or release it.',
      'Do you accept the Tidewater Terms of Service? [y/N] ',
    ].join('\n'),
  );
  if (answer === null) {
    throw new TidewaterError(
      'TERMS_NOT_ACCEPTED',
      'Starting a task needs the Terms of Service accepted, and there is no terminal to ask on.',
      {
        category: 'invalid_input',
        remedy: 'Add --accept-terms to accept the Tidewater Terms of Service without being asked.',
      },
    );
  }
  return answer;
}

function taskPath(id: string): string {
  return `api/tasks/${encodeURIComponent(id)}`;
}

function describeCreated(task: TaskSummary): string {
  const lines = [`Created task ${task.name} (${task.id}).`];
  for (const warning of task.warnings) lines.push(`Warning: ${warning}`);
  lines.push(
    task.config.objects.length === 0
      ? 'No objects are selected yet: add "objects" to the task before its precheck.'
      : `Next: tidewater precheck ${task.id} --wait`,
  );
  return lines.join('\n');
}

function describeEdited(task: TaskSummary): string {
  const lines = [`Changed task ${task.name} (${task.id}); it is ${task.status} now.`];
  for (const warning of task.warnings) lines.push(`Warning: ${warning}`);
  lines.push(`Next: tidewater precheck ${task.id} --wait`);
  return lines.join('\n');
}

const ACTION_RESULTS = {
  pause: 'Paused',
  resume: 'Resumed',
  stop: 'Stopped',
  restart: 'Restarted',
  release: 'Released',
} as const;

async function runAction(
  id: string,
  action: keyof typeof ACTION_RESULTS,
  body: unknown,
  context: CommandContext,
): Promise<number> {
  const answer = await context.api.post<{ task: TaskSummary }>(`${taskPath(id)}/${action}`, body);
  context.print(
    answer,
    () => `${ACTION_RESULTS[action]} task ${answer.task.name} (${answer.task.id}).`,
  );
  return EXIT_CODES.ok;
}

/**
 * Runs the precheck; with `isWaiting`, follows it to the end, printing each item as it
 * finishes. Items of the previous run stay readable until the worker resets them, so the
 * items count as this run's once one of them is pending again or the task has left
 * `prechecking`.
 */
async function runPrecheck(
  id: string,
  isWaiting: boolean,
  context: CommandContext,
): Promise<number> {
  const { api, runtime, isJson } = context;
  const queued = await api.post<{ precheck: PrecheckReport }>(`${taskPath(id)}/precheck`);
  if (!isWaiting) {
    context.print(
      queued,
      () => `Precheck queued for task ${id}.\nFollow it with: tidewater show ${id}`,
    );
    return EXIT_CODES.ok;
  }
  if (!isJson) runtime.stdout(`Precheck of task ${id}:`);
  const printed = new Set<string>();
  let isThisRun = false;
  for (;;) {
    const { task } = await api.get<{ task: TaskDetails }>(taskPath(id));
    const report = task.precheck;
    isThisRun ||=
      task.status !== 'prechecking' ||
      report.items.some((item) => item.status === 'pending' || item.status === 'running');
    if (isThisRun && !isJson) {
      for (const item of finishedItems(report.items)) {
        if (printed.has(item.key)) continue;
        printed.add(item.key);
        runtime.stdout(formatPrecheckItem(item, id));
      }
    }
    if (task.status !== 'prechecking') {
      const isPassed = report.isComplete && report.successRate === 100;
      context.print(
        {
          task: { id: task.id, status: task.status, statusReason: task.statusReason },
          precheck: report,
        },
        () => describePrecheckEnd(task, isPassed),
      );
      return isPassed ? EXIT_CODES.ok : EXIT_CODES.precheckNotPassed;
    }
    await runtime.sleep(PRECHECK_POLL_MS, runtime.signal);
  }
}

function finishedItems(items: PrecheckItem[]): PrecheckItem[] {
  return items
    .filter((item) => item.status !== 'pending' && item.status !== 'running')
    .sort((a, b) => a.position - b.position);
}

function describePrecheckEnd(task: TaskDetails, isPassed: boolean): string {
  const summary = formatPrecheckSummary(task.precheck);
  if (isPassed) {
    return `${summary}\nPassed. Start it with: tidewater start ${task.id} --class <instance class>`;
  }
  const lines = [summary];
  if (task.precheck.items.length === 0 && task.statusReason) lines.push(task.statusReason);
  lines.push(
    task.status === 'precheck_failed'
      ? 'Not passed: fix the failed items (or ignore those that may be ignored) and run the precheck again.'
      : `The task is now ${task.status}; the precheck did not finish.`,
  );
  return lines.join('\n');
}

async function printStatus(id: string, context: CommandContext): Promise<number> {
  const { task } = await context.api.get<{ task: TaskDetails }>(taskPath(id));
  context.print(statusSnapshot(task), () =>
    [`Task ${task.name} (${task.id})`, formatStatusLine(task, context.runtime.now())].join('\n'),
  );
  return EXIT_CODES.ok;
}

/**
 * A line every STATUS_REFRESH_MS until Ctrl-C, or until the task is completed or released.
 * With --json, one JSON object per line. A console that is briefly unreachable is reported
 * and watched on; any other error ends the watch.
 */
async function watchStatus(id: string, context: CommandContext): Promise<number> {
  const { api, runtime, isJson } = context;
  let hasHeader = false;
  try {
    for (;;) {
      try {
        const { task } = await api.get<{ task: TaskDetails }>(taskPath(id));
        if (isJson) {
          runtime.stdout(JSON.stringify(statusSnapshot(task)));
        } else {
          if (!hasHeader)
            runtime.stdout(`Task ${task.name} (${task.id}); Ctrl-C to stop watching.`);
          hasHeader = true;
          runtime.stdout(formatStatusLine(task, runtime.now()));
        }
        if (task.status === 'completed' || task.status === 'released') return EXIT_CODES.ok;
      } catch (error) {
        if (!isTidewaterError(error) || error.category !== 'unavailable') throw error;
        runtime.stderr(`${runtime.now().toTimeString().slice(0, 8)}  ${formatError(error)}`);
      }
      await runtime.sleep(STATUS_REFRESH_MS, runtime.signal);
    }
  } catch (error) {
    // Ctrl-C is how a watch ends.
    if (runtime.signal.aborted) return EXIT_CODES.ok;
    throw error;
  }
}

function statusSnapshot(task: TaskSummary) {
  return {
    id: task.id,
    name: task.name,
    status: task.status,
    statusReason: task.statusReason,
    stage: task.stage,
    progress: task.progress,
    metrics: task.metrics,
    retrying: task.retrying,
  };
}

/** Whatever ended a command, as the one error type; nothing else reaches the terminal. */
function asCliError(error: unknown, signal: AbortSignal): TidewaterError {
  if (isTidewaterError(error)) return error;
  if (signal.aborted) {
    return new TidewaterError(INTERRUPTED, 'Interrupted.', {
      category: 'internal',
      remedy: 'Run the command again to finish it.',
      cause: error,
    });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new TidewaterError('CLI_INTERNAL', `Unexpected error: ${message}`, {
    category: 'internal',
    remedy: 'Run the command again; if it repeats, report it with the command line you ran.',
    cause: error,
  });
}

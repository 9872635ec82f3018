import { parseArgs } from 'node:util';
import {
  INSTANCE_CLASSES,
  TASK_STATUSES,
  type InstanceClass,
  type TaskStatus,
} from '@tidewater/config';
import { API_TOKEN_LIFETIMES } from '@tidewater/config/api';
import { TidewaterError } from '@tidewater/errors';

/** The command line, parsed and checked into one of the commands the CLI runs. */

export const DEFAULT_URL = 'http://localhost:3000';

export type Command =
  /** `isRequested`: asked for (help, --help) rather than shown because no command was given. */
  | { name: 'help'; topic: string | null; isRequested: boolean }
  | { name: 'create'; file: string }
  | { name: 'list'; status: TaskStatus | null; search: string | null }
  | { name: 'show'; id: string }
  | { name: 'precheck'; id: string; isWaiting: boolean }
  | { name: 'ignore'; id: string; itemKey: string; isUndo: boolean }
  /** `isTermsAccepted`: --accept-terms; without it the CLI asks on the terminal. */
  | { name: 'start'; id: string; instanceClass: InstanceClass; isTermsAccepted: boolean }
  | { name: 'status'; id: string; isWatching: boolean }
  | { name: 'pause' | 'resume' | 'stop'; id: string }
  | { name: 'release'; id: string; isConfirmed: boolean }
  | { name: 'restart'; id: string; isFromScratch: boolean }
  | { name: 'test-source' | 'test-destination'; file: string }
  /** `file`: the fields to change, as PATCH /api/tasks/:id takes them. */
  | { name: 'edit'; id: string; file: string }
  | { name: 'objects'; id: string }
  | { name: 'check-filter'; id: string; database: string; table: string; filter: string }
  | { name: 'tokens'; action: 'list' }
  | { name: 'tokens'; action: 'create'; tokenName: string; expiresInDays: number | null }
  | { name: 'tokens'; action: 'revoke'; tokenId: string }
  | { name: 'health' };

export type CommandName = Command['name'];

export interface GlobalOptions {
  url: string;
  /** Sent as `Authorization: Bearer <token>`; never printed. */
  token: string | null;
  isJson: boolean;
}

export interface Invocation {
  command: Command;
  options: GlobalOptions;
}

const OPTIONS = {
  url: { type: 'string' },
  token: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  file: { type: 'string', short: 'f' },
  status: { type: 'string' },
  search: { type: 'string' },
  wait: { type: 'boolean' },
  undo: { type: 'boolean' },
  class: { type: 'string' },
  watch: { type: 'boolean' },
  yes: { type: 'boolean', short: 'y' },
  'from-scratch': { type: 'boolean' },
  'accept-terms': { type: 'boolean' },
  days: { type: 'string' },
} as const;

type OptionName = keyof typeof OPTIONS;

const GLOBAL_OPTIONS: readonly OptionName[] = ['url', 'token', 'json', 'help'];

/** Each command's usage line, and the options it takes besides the global ones. */
export const COMMANDS: Record<
  Exclude<CommandName, 'help'>,
  { usage: string; summary: string; options: readonly OptionName[] }
> = {
  create: {
    usage: 'tidewater create -f <task.json|task.yaml>',
    summary: 'Save a new task from a JSON or YAML file.',
    options: ['file'],
  },
  list: {
    usage: 'tidewater list [--status <status>] [--search <text>]',
    summary: 'List tasks with their progress (released ones only with --status released).',
    options: ['status', 'search'],
  },
  show: {
    usage: 'tidewater show <id>',
    summary: 'A task with its stages, table progress, precheck and recent events.',
    options: [],
  },
  precheck: {
    usage: 'tidewater precheck <id> [--wait]',
    summary: 'Run the precheck; with --wait, print items as they finish (exit 0 only at 100%).',
    options: ['wait'],
  },
  ignore: {
    usage: 'tidewater ignore <id> <itemKey> [--undo]',
    summary: 'Accept a failed precheck item that may be ignored (--undo takes it back).',
    options: ['undo'],
  },
  start: {
    usage: `tidewater start <id> --class ${INSTANCE_CLASSES.join('|')} [--accept-terms]`,
    summary:
      'Start a task whose precheck passed, with an instance class; accepts the Terms of Service (asks unless --accept-terms).',
    options: ['class', 'accept-terms'],
  },
  status: {
    usage: 'tidewater status <id> [--watch]',
    summary: 'Stage, percent, rows, records/s and latency; --watch refreshes every 2 s.',
    options: ['watch'],
  },
  pause: { usage: 'tidewater pause <id>', summary: 'Pause a running task.', options: [] },
  resume: { usage: 'tidewater resume <id>', summary: 'Resume a paused task.', options: [] },
  stop: {
    usage: 'tidewater stop <id>',
    summary: 'End incremental migration; the task is completed.',
    options: [],
  },
  release: {
    usage: 'tidewater release <id> [--yes]',
    summary: 'Release a task for good (asks for confirmation unless --yes).',
    options: ['yes'],
  },
  restart: {
    usage: 'tidewater restart <id> [--from-scratch]',
    summary: 'Restart a failed task from its checkpoint, or from a fresh snapshot.',
    options: ['from-scratch'],
  },
  'test-source': {
    usage: 'tidewater test-source -f <source.json|source.yaml>',
    summary: 'Try connecting to a source database.',
    options: ['file'],
  },
  'test-destination': {
    usage: 'tidewater test-destination -f <destination.json|destination.yaml>',
    summary: 'Try connecting to Kafka; lists its topics.',
    options: ['file'],
  },
  edit: {
    usage: 'tidewater edit <id> -f <changes.json|changes.yaml>',
    summary:
      'Change a task before it starts: the file holds the fields to change (source and destination merge; absent passwords are kept).',
    options: ['file'],
  },
  objects: {
    usage: 'tidewater objects <id>',
    summary: "The databases and tables of a task's source, with estimated rows and sizes.",
    options: [],
  },
  'check-filter': {
    usage: 'tidewater check-filter <id> <database> <table> <filter>',
    summary: 'Check a WHERE filter against the real table (exit 2 when it is not valid).',
    options: [],
  },
  tokens: {
    usage: `tidewater tokens list | tokens create <name> [--days ${API_TOKEN_LIFETIMES.join('|')}|<1-365>] | tokens revoke <tokenId>`,
    summary: 'Your API tokens: list them, create one (its secret is printed once), revoke one.',
    options: ['days'],
  },
  health: {
    usage: 'tidewater health',
    summary: 'Probe every service Tidewater depends on (exit 6 when one is down).',
    options: [],
  },
};

export function parseInvocation(
  argv: readonly string[],
  env: Record<string, string | undefined> = {},
): Invocation {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    throw usageError(error instanceof Error ? error.message : String(error), null);
  }
  const { values, positionals } = parsed;
  const options: GlobalOptions = {
    url: values.url ?? env.TIDEWATER_URL ?? DEFAULT_URL,
    token: values.token ?? (env.TIDEWATER_TOKEN || null),
    isJson: values.json ?? false,
  };
  const [name, ...operands] = positionals;
  if (name === undefined || name === 'help' || values.help) {
    const topic = name === 'help' ? (operands[0] ?? null) : (name ?? null);
    const isRequested = name !== undefined || values.help === true;
    return { command: { name: 'help', topic, isRequested }, options };
  }
  if (!isCommandName(name)) {
    throw usageError(`There is no command "${name}".`, null);
  }
  const spec = COMMANDS[name];
  for (const option of Object.keys(values) as OptionName[]) {
    if (!GLOBAL_OPTIONS.includes(option) && !spec.options.includes(option)) {
      throw usageError(`The ${name} command has no --${option} option.`, name);
    }
  }
  return { command: buildCommand(name, operands, values), options };
}

function buildCommand(
  name: Exclude<CommandName, 'help'>,
  operands: string[],
  values: { [K in OptionName]?: string | boolean },
): Command {
  switch (name) {
    case 'create':
    case 'test-source':
    case 'test-destination':
      expectOperands(name, operands, []);
      return { name, file: requireFile(name, values.file) };
    case 'list': {
      expectOperands(name, operands, []);
      const status = typeof values.status === 'string' ? values.status : null;
      if (status !== null && !(TASK_STATUSES as readonly string[]).includes(status)) {
        throw usageError(
          `"${status}" is not a task status; use one of ${TASK_STATUSES.join(', ')}.`,
          name,
        );
      }
      const search = typeof values.search === 'string' ? values.search.trim() : '';
      return { name, status: status as TaskStatus | null, search: search || null };
    }
    case 'show':
    case 'pause':
    case 'resume':
    case 'stop': {
      const [id] = expectOperands(name, operands, ['id']);
      return { name, id };
    }
    case 'precheck': {
      const [id] = expectOperands(name, operands, ['id']);
      return { name, id, isWaiting: values.wait === true };
    }
    case 'ignore': {
      const [id, itemKey] = expectOperands(name, operands, ['id', 'itemKey']);
      return { name, id, itemKey, isUndo: values.undo === true };
    }
    case 'start': {
      const [id] = expectOperands(name, operands, ['id']);
      const instanceClass = values.class;
      if (typeof instanceClass !== 'string') {
        throw usageError(
          `Choose an instance class with --class (${INSTANCE_CLASSES.join(', ')}).`,
          name,
        );
      }
      if (!(INSTANCE_CLASSES as readonly string[]).includes(instanceClass)) {
        throw usageError(
          `"${instanceClass}" is not an instance class; use one of ${INSTANCE_CLASSES.join(', ')}.`,
          name,
        );
      }
      return {
        name,
        id,
        instanceClass: instanceClass as InstanceClass,
        isTermsAccepted: values['accept-terms'] === true,
      };
    }
    case 'status': {
      const [id] = expectOperands(name, operands, ['id']);
      return { name, id, isWatching: values.watch === true };
    }
    case 'release': {
      const [id] = expectOperands(name, operands, ['id']);
      return { name, id, isConfirmed: values.yes === true };
    }
    case 'restart': {
      const [id] = expectOperands(name, operands, ['id']);
      return { name, id, isFromScratch: values['from-scratch'] === true };
    }
    case 'edit': {
      const [id] = expectOperands(name, operands, ['id']);
      return { name, id, file: requireFile(name, values.file) };
    }
    case 'objects': {
      const [id] = expectOperands(name, operands, ['id']);
      return { name, id };
    }
    case 'check-filter': {
      const [id, database, table] = expectOperands(name, operands.slice(0, 3), [
        'id',
        'database',
        'table',
      ]);
      // An empty filter is a question too (it selects every row), so only its absence is wrong.
      const filter = operands[3];
      if (filter === undefined) throw usageError('The check-filter command needs <filter>.', name);
      if (operands.length > 4) {
        throw usageError(
          `Unexpected argument "${operands[4]}": quote the filter as one argument.`,
          name,
        );
      }
      return { name, id, database, table, filter };
    }
    case 'tokens':
      return buildTokensCommand(operands, values.days);
    case 'health':
      expectOperands(name, operands, []);
      return { name };
  }
}

function buildTokensCommand(operands: string[], days: string | boolean | undefined): Command {
  const [action, ...rest] = operands;
  if (days !== undefined && action !== 'create') {
    throw usageError('Only "tokens create" takes --days.', 'tokens');
  }
  switch (action) {
    case 'list':
      expectOperands('tokens', rest, []);
      return { name: 'tokens', action };
    case 'create': {
      const [tokenName] = expectOperands('tokens', rest, ['name']);
      let expiresInDays: number | null = null;
      if (typeof days === 'string') {
        expiresInDays = Number(days);
        if (!/^\d+$/.test(days.trim()) || expiresInDays < 1 || expiresInDays > 365) {
          throw usageError(
            `--days is a whole number of days from 1 to 365, not "${days}".`,
            'tokens',
          );
        }
      }
      return { name: 'tokens', action, tokenName, expiresInDays };
    }
    case 'revoke': {
      const [tokenId] = expectOperands('tokens', rest, ['tokenId']);
      return { name: 'tokens', action, tokenId };
    }
    default:
      throw usageError(
        action === undefined
          ? 'The tokens command needs list, create or revoke.'
          : `"${action}" is not a tokens action; use list, create or revoke.`,
        'tokens',
      );
  }
}

function isCommandName(name: string): name is Exclude<CommandName, 'help'> {
  return Object.hasOwn(COMMANDS, name);
}

/** Exactly the named operands, each non-empty. */
function expectOperands<const N extends readonly string[]>(
  command: Exclude<CommandName, 'help'>,
  operands: string[],
  names: N,
): { [K in keyof N]: string } {
  const missing = names.slice(operands.length);
  if (missing.length > 0) {
    throw usageError(`The ${command} command needs <${missing.join('> <')}>.`, command);
  }
  if (operands.length > names.length) {
    throw usageError(
      `Unexpected argument "${operands[names.length]}" for the ${command} command.`,
      command,
    );
  }
  const empty = names.find((_, index) => operands[index]?.trim() === '');
  if (empty) throw usageError(`<${empty}> cannot be empty.`, command);
  return operands as unknown as { [K in keyof N]: string };
}

function requireFile(command: Exclude<CommandName, 'help'>, file: string | boolean | undefined) {
  if (typeof file !== 'string' || file.trim() === '') {
    throw usageError(`The ${command} command reads a file: pass it with -f <file>.`, command);
  }
  return file;
}

export function usageError(message: string, command: Exclude<CommandName, 'help'> | null) {
  return new TidewaterError('USAGE', message, {
    category: 'invalid_input',
    remedy: command
      ? `Usage: ${COMMANDS[command].usage}`
      : 'Run "tidewater help" for the commands and their options.',
  });
}

export function usageText(topic: string | null = null): string {
  if (topic !== null && isCommandName(topic)) {
    const spec = COMMANDS[topic];
    return `${spec.summary}\n\nUsage: ${spec.usage}\n\n${GLOBAL_HELP}`;
  }
  const width = Math.max(...Object.keys(COMMANDS).map((name) => name.length));
  const lines = Object.entries(COMMANDS).map(
    ([name, spec]) => `  ${name.padEnd(width)}  ${spec.summary}`,
  );
  return [
    'tidewater: manage Tidewater migration tasks through the HTTP API.',
    '',
    'Usage: tidewater <command> [arguments] [options]',
    '',
    'Commands:',
    ...lines,
    '',
    GLOBAL_HELP,
    '',
    'Run "tidewater help <command>" for a command\'s usage.',
  ].join('\n');
}

const GLOBAL_HELP = [
  'Options for every command:',
  `  --url <url>      The console's address (default: $TIDEWATER_URL or ${DEFAULT_URL})`,
  '  --token <token>  An API token from the Account page (default: $TIDEWATER_TOKEN)',
  "  --json           Print the API's JSON instead of text",
  '  -h, --help       Show help',
].join('\n');

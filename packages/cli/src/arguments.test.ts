import { describe, expect, it } from 'vitest';
import { isTidewaterError } from '@tidewater/errors';
import { DEFAULT_URL, parseInvocation, usageText } from './arguments';

function usageFailure(argv: string[]) {
  try {
    parseInvocation(argv);
  } catch (error) {
    if (isTidewaterError(error)) return error;
    throw error;
  }
  throw new Error(`parsed ${argv.join(' ')} without an error`);
}

describe('parseInvocation', () => {
  it('reads the URL and token from the environment unless given on the command line', () => {
    const env = { TIDEWATER_URL: 'http://console:3000', TIDEWATER_TOKEN: 'tw_secret' };
    expect(parseInvocation(['list'], env).options).toEqual({
      url: 'http://console:3000',
      token: 'tw_secret',
      isJson: false,
    });
    expect(
      parseInvocation(['--url', 'http://other:4000', 'list', '--token', 't2', '--json'], env)
        .options,
    ).toEqual({ url: 'http://other:4000', token: 't2', isJson: true });
    expect(parseInvocation(['list'], {}).options).toEqual({
      url: DEFAULT_URL,
      token: null,
      isJson: false,
    });
  });

  it('parses every command into its typed form', () => {
    const command = (argv: string[]) => parseInvocation(argv).command;
    expect(command(['create', '-f', 'task.yaml'])).toEqual({ name: 'create', file: 'task.yaml' });
    expect(command(['list', '--status', 'running', '--search', ' shop '])).toEqual({
      name: 'list',
      status: 'running',
      search: 'shop',
    });
    expect(command(['list'])).toEqual({ name: 'list', status: null, search: null });
    expect(command(['show', 'id-1'])).toEqual({ name: 'show', id: 'id-1' });
    expect(command(['precheck', 'id-1', '--wait'])).toEqual({
      name: 'precheck',
      id: 'id-1',
      isWaiting: true,
    });
    expect(command(['ignore', 'id-1', 'source.binlog_format'])).toEqual({
      name: 'ignore',
      id: 'id-1',
      itemKey: 'source.binlog_format',
      isUndo: false,
    });
    expect(command(['start', 'id-1', '--class', '2xlarge'])).toEqual({
      name: 'start',
      id: 'id-1',
      instanceClass: '2xlarge',
      isTermsAccepted: false,
    });
    expect(command(['start', 'id-1', '--class', 'small', '--accept-terms'])).toEqual({
      name: 'start',
      id: 'id-1',
      instanceClass: 'small',
      isTermsAccepted: true,
    });
    expect(command(['status', 'id-1', '--watch'])).toEqual({
      name: 'status',
      id: 'id-1',
      isWatching: true,
    });
    expect(command(['pause', 'id-1'])).toEqual({ name: 'pause', id: 'id-1' });
    expect(command(['release', 'id-1', '-y'])).toEqual({
      name: 'release',
      id: 'id-1',
      isConfirmed: true,
    });
    expect(command(['restart', 'id-1', '--from-scratch'])).toEqual({
      name: 'restart',
      id: 'id-1',
      isFromScratch: true,
    });
    expect(command(['test-destination', '--file', 'kafka.json'])).toEqual({
      name: 'test-destination',
      file: 'kafka.json',
    });
  });

  it('parses the commands for the rest of the console: edit, objects, filters, tokens, health', () => {
    const command = (argv: string[]) => parseInvocation(argv).command;
    expect(command(['edit', 'id-1', '-f', 'changes.yaml'])).toEqual({
      name: 'edit',
      id: 'id-1',
      file: 'changes.yaml',
    });
    expect(command(['objects', 'id-1'])).toEqual({ name: 'objects', id: 'id-1' });
    expect(command(['check-filter', 'id-1', 'shop', 'orders', "status = 'paid'"])).toEqual({
      name: 'check-filter',
      id: 'id-1',
      database: 'shop',
      table: 'orders',
      filter: "status = 'paid'",
    });
    expect(command(['check-filter', 'id-1', 'shop', 'orders', ''])).toMatchObject({ filter: '' });
    expect(command(['tokens', 'list'])).toEqual({ name: 'tokens', action: 'list' });
    expect(command(['tokens', 'create', 'ci'])).toEqual({
      name: 'tokens',
      action: 'create',
      tokenName: 'ci',
      expiresInDays: null,
    });
    expect(command(['tokens', 'create', 'ci', '--days', '30'])).toMatchObject({
      expiresInDays: 30,
    });
    expect(command(['tokens', 'revoke', 'tok-1'])).toEqual({
      name: 'tokens',
      action: 'revoke',
      tokenId: 'tok-1',
    });
    expect(command(['health'])).toEqual({ name: 'health' });
  });

  it('refuses malformed edit, filter and token command lines with their usage', () => {
    expect(usageFailure(['edit', 'id-1']).message).toMatch(/reads a file: pass it with -f/);
    expect(usageFailure(['check-filter', 'id-1', 'shop', 'orders']).message).toBe(
      'The check-filter command needs <filter>.',
    );
    expect(usageFailure(['check-filter', 'id-1', 'shop', 'orders', 'id', '>', '1']).message).toBe(
      'Unexpected argument ">": quote the filter as one argument.',
    );
    expect(usageFailure(['tokens']).message).toBe(
      'The tokens command needs list, create or revoke.',
    );
    expect(usageFailure(['tokens', 'rotate']).message).toBe(
      '"rotate" is not a tokens action; use list, create or revoke.',
    );
    expect(usageFailure(['tokens', 'create']).message).toBe('The tokens command needs <name>.');
    for (const days of ['0', '366', '7.5', 'week']) {
      expect(usageFailure(['tokens', 'create', 'ci', '--days', days]).message).toBe(
        `--days is a whole number of days from 1 to 365, not "${days}".`,
      );
    }
    expect(usageFailure(['tokens', 'list', '--days', '7']).message).toBe(
      'Only "tokens create" takes --days.',
    );
    expect(usageFailure(['health', 'now']).message).toBe(
      'Unexpected argument "now" for the health command.',
    );
  });

  it('treats no command as a usage error and help as a request', () => {
    expect(parseInvocation([]).command).toEqual({ name: 'help', topic: null, isRequested: false });
    expect(parseInvocation(['help', 'start']).command).toEqual({
      name: 'help',
      topic: 'start',
      isRequested: true,
    });
    expect(parseInvocation(['start', '--help']).command).toEqual({
      name: 'help',
      topic: 'start',
      isRequested: true,
    });
  });

  it('refuses unknown commands, options and missing operands with the usage line', () => {
    expect(usageFailure(['launch']).message).toBe('There is no command "launch".');
    expect(usageFailure(['list', '--colour']).message).toMatch(/Unknown option '--colour'/);
    const wrongOption = usageFailure(['show', 'id-1', '--wait']);
    expect(wrongOption.message).toBe('The show command has no --wait option.');
    expect(wrongOption.remedy).toBe('Usage: tidewater show <id>');
    expect(usageFailure(['ignore', 'id-1']).message).toBe('The ignore command needs <itemKey>.');
    expect(usageFailure(['show', 'a', 'b']).message).toBe(
      'Unexpected argument "b" for the show command.',
    );
    expect(usageFailure(['create']).message).toMatch(/reads a file: pass it with -f/);
    for (const failure of [usageFailure(['launch']), usageFailure(['create'])]) {
      expect(failure.code).toBe('USAGE');
      expect(failure.category).toBe('invalid_input');
    }
  });

  it('checks the instance class and the status filter against the configuration', () => {
    expect(usageFailure(['start', 'id-1']).message).toMatch(/Choose an instance class/);
    expect(usageFailure(['start', 'id-1', '--class', 'huge']).message).toBe(
      '"huge" is not an instance class; use one of small, medium, large, xlarge, 2xlarge, unlimited.',
    );
    expect(usageFailure(['list', '--status', 'done']).message).toMatch(
      /^"done" is not a task status; use one of created, /,
    );
  });
});

describe('usageText', () => {
  it('lists every command, and one command with its usage', () => {
    const all = usageText();
    for (const name of ['create', 'list', 'precheck', 'status', 'release', 'test-source']) {
      expect(all).toContain(`  ${name} `);
    }
    expect(usageText('restart')).toContain('Usage: tidewater restart <id> [--from-scratch]');
  });
});

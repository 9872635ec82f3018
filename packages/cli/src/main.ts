import { createInterface } from 'node:readline/promises';
import { setTimeout as delay } from 'node:timers/promises';
import { runCli, type Runtime } from './commands';

/** The `tidewater` process: real streams, Ctrl-C as an abort signal, the exit code set once. */

const interrupt = new AbortController();
process.once('SIGINT', () => interrupt.abort());

const runtime: Runtime = {
  env: process.env,
  stdout: (text) => process.stdout.write(`${text}\n`),
  stderr: (text) => process.stderr.write(`${text}\n`),
  confirm: async (question) => {
    if (!process.stdin.isTTY) return null;
    const terminal = createInterface({ input: process.stdin, output: process.stderr });
    try {
      const answer = await terminal.question(question, { signal: interrupt.signal });
      return /^y(es)?$/i.test(answer.trim());
    } finally {
      terminal.close();
    }
  },
  signal: interrupt.signal,
  sleep: (ms, signal) => delay(ms, undefined, { signal }),
  now: () => new Date(),
};

process.exitCode = await runCli(process.argv.slice(2), runtime);

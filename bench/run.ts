/**
 * `npm run bench [-- section ...]` (or `-- --only section[,section]`): brings the stack up, runs
 * the sections in `bench/sections/` (all, or the ones named) one after another, and writes
 * `bench/report.json` and `bench/report.md`.
 *
 * Environment: BENCH_RUNS (measured runs per figure, default 3).
 */
import { readdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { isTidewaterError } from '@tidewater/errors';
import type { ServiceName } from '@tidewater/stack';
import { ensureStackUp, stackEndpoints } from '@tidewater/stack';

import type { Figure } from './figures';
import type { BenchReport } from './report';
import { describeMachine, renderMarkdown } from './report';
import type { BenchSection } from './section';

const benchDir = fileURLToPath(new URL('.', import.meta.url));
const repoRoot = join(benchDir, '..');
const sectionsDir = join(benchDir, 'sections');

function log(message: string): void {
  process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${message}\n`);
}

function discoverSections(): string[] {
  return readdirSync(sectionsDir)
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts'))
    .map((file) => basename(file, '.ts'))
    .sort();
}

async function loadSection(name: string): Promise<BenchSection> {
  const module: { default?: BenchSection } = await import(
    pathToFileURL(join(sectionsDir, `${name}.ts`)).href
  );
  if (module.default === undefined || typeof module.default.run !== 'function') {
    throw new Error(`bench/sections/${name}.ts must default-export defineSection({...})`);
  }
  return module.default;
}

function readRuns(): number {
  const runs = Number(process.env.BENCH_RUNS ?? '3');
  if (!Number.isInteger(runs) || runs < 1) throw new Error('BENCH_RUNS must be a positive integer');
  return runs;
}

/** Section names from the arguments: bare names, `--only a,b` and `--only=a,b` alike. */
function requestedSections(argv: readonly string[]): string[] {
  const names: string[] = [];
  for (let index = 0; index < argv.length; index += 1) {
    const argument = argv[index] as string;
    if (argument === '--only') {
      const value = argv[index + 1];
      if (value === undefined) throw new Error('--only needs a section name');
      names.push(...value.split(','));
      index += 1;
    } else if (argument.startsWith('--only=')) {
      names.push(...argument.slice('--only='.length).split(','));
    } else if (argument.startsWith('-')) {
      throw new Error(`Unknown option ${argument}; usage: npm run bench -- [--only] [section ...]`);
    } else {
      names.push(argument);
    }
  }
  return names.map((name) => name.trim()).filter((name) => name !== '');
}

async function main(requested: string[]): Promise<void> {
  const available = discoverSections();
  const unknown = requested.filter((name) => !available.includes(name));
  if (unknown.length > 0) {
    throw new Error(`Unknown section(s) ${unknown.join(', ')}; available: ${available.join(', ')}`);
  }
  const names = requested.length > 0 ? requested : available;
  const sections = await Promise.all(
    names.map(async (name) => ({ name, section: await loadSection(name) })),
  );

  const services = [...new Set(sections.flatMap(({ section }) => section.services))];
  log(`bringing up ${services.join(', ') || 'nothing'}`);
  await ensureStackUp(services as ServiceName[]);

  const runs = readRuns();
  // Before the first section: the load then is other work, not ours.
  const machine = describeMachine(repoRoot);
  const figures: Figure[] = [];
  for (const { name, section } of sections) {
    log(`section ${name}: ${section.title}`);
    const started = Date.now();
    const produced = await section.run({
      section: name,
      endpoints: stackEndpoints,
      runs,
      log: (message) => log(`  ${name}: ${message}`),
    });
    figures.push(...produced);
    log(`section ${name} done in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  }

  const report: BenchReport = {
    machine,
    generatedAt: new Date().toISOString(),
    sections: sections.map(({ name, section }) => ({
      name,
      title: section.title,
      description: section.description,
    })),
    figures,
  };
  writeFileSync(join(benchDir, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
  const markdown = renderMarkdown(report);
  writeFileSync(join(benchDir, 'report.md'), markdown);
  process.stdout.write(markdown);
  log('wrote bench/report.json and bench/report.md');
}

main(requestedSections(process.argv.slice(2))).catch((error: unknown) => {
  if (isTidewaterError(error)) {
    console.error(`${error.code}: ${error.message}\nRemedy: ${error.remedy}`);
  } else {
    console.error(error);
  }
  process.exitCode = 1;
});

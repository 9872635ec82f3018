import { execFileSync } from 'node:child_process';
import { cpus, freemem, loadavg, release, totalmem } from 'node:os';

import type { Figure } from './figures';
import { figureKey } from './figures';

export interface Machine {
  cores: number;
  cpuModel: string;
  memoryGiB: number;
  freeMemoryGiB: number;
  /** 1-minute load average when the run started: other work on the machine skews figures. */
  loadAverage: number;
  node: string;
  os: string;
  /** The commit measured, with `+dirty` when the work tree had changes. */
  commit: string;
}

export interface BenchReport {
  machine: Machine;
  generatedAt: string;
  sections: { name: string; title: string; description: string }[];
  figures: Figure[];
}

function gitCommit(cwd: string): string {
  try {
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd }).toString().trim();
    const dirty = execFileSync('git', ['status', '--porcelain'], { cwd }).toString().trim();
    return dirty === '' ? commit : `${commit}+dirty`;
  } catch (error) {
    return `unknown (${error instanceof Error ? error.message.split('\n')[0] : String(error)})`;
  }
}

const gib = 1024 ** 3;

export function describeMachine(repoRoot: string): Machine {
  const processors = cpus();
  return {
    cores: processors.length,
    cpuModel: processors[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round((totalmem() / gib) * 10) / 10,
    freeMemoryGiB: Math.round((freemem() / gib) * 10) / 10,
    loadAverage: Math.round((loadavg()[0] ?? 0) * 100) / 100,
    node: process.version,
    os: `${process.platform} ${release()}`,
    commit: gitCommit(repoRoot),
  };
}

/** 1234567.8 → "1,234,568"; small values keep two significant decimals. */
export function formatNumber(value: number): string {
  if (Math.abs(value) >= 100) return Math.round(value).toLocaleString('en-US');
  return value.toLocaleString('en-US', { maximumSignificantDigits: 3 });
}

export function renderMarkdown(report: BenchReport): string {
  const { machine } = report;
  const byKey = new Map(report.figures.map((figure) => [figureKey(figure), figure]));
  const lines = [
    '# Tidewater bench',
    '',
    `Generated ${report.generatedAt} at commit ${machine.commit}.`,
    '',
    `Machine: ${machine.cores} cores (${machine.cpuModel}), ${machine.memoryGiB} GiB memory, ` +
      `Node ${machine.node}, ${machine.os}; load average ${machine.loadAverage} at the start.`,
    '',
    'Each figure is the median of its runs; min and max show the spread. A ratio compares a ' +
      "figure's median with the median of the figure named beside it.",
  ];
  for (const section of report.sections) {
    const figures = report.figures.filter((figure) => figure.section === section.name);
    lines.push('', `## ${section.title} (\`${section.name}\`)`, '', section.description, '');
    lines.push('| Figure | Median | Unit | Min | Max | Runs | Ratio |');
    lines.push('| --- | ---: | --- | ---: | ---: | ---: | --- |');
    for (const figure of figures) {
      const baseline = figure.ratioTo === undefined ? undefined : byKey.get(figure.ratioTo);
      const ratio =
        baseline === undefined || baseline.median === 0
          ? ''
          : `${(figure.median / baseline.median).toFixed(2)}× of ${baseline.name}`;
      lines.push(
        `| ${figure.name} | ${formatNumber(figure.median)} | ${figure.unit} | ${formatNumber(figure.min)} | ` +
          `${formatNumber(figure.max)} | ${figure.runs} | ${ratio} |`,
      );
    }
    const notes = figures.filter((figure) => figure.note !== undefined);
    if (notes.length > 0) {
      lines.push('');
      for (const figure of notes) lines.push(`- ${figure.name}: ${figure.note}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

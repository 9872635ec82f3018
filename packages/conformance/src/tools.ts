/**
 * The Java side of the conformance suites: builds the Maven project in `java/` once (classes in
 * `java/target/classes`, the jars it needs copied to `java/target/lib`, everything downloaded
 * cached in `~/.m2` as the stack does for Kafka) and runs its programs. A build stamp holds a
 * hash of the pom and the sources, so an edit rebuilds and an unchanged tree costs one hash.
 */
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  accessSync,
  constants,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { delimiter, join, relative } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { TidewaterError } from '@tidewater/errors';

const execFileAsync = promisify(execFile);

export const javaProjectDir = fileURLToPath(new URL('../java/', import.meta.url));
const targetDir = join(javaProjectDir, 'target');
const classesDir = join(targetDir, 'classes');
const libDir = join(targetDir, 'lib');
const stampFile = join(targetDir, 'tools.stamp');
const lockDir = join(targetDir, 'build.lock');
export const mavenLog = join(targetDir, 'maven.log');

const installRemedy =
  'Install a JDK 17 and Maven (Debian/Ubuntu: `apt-get install -y openjdk-17-jdk-headless maven`); Maven must reach Maven Central (proxy settings in ~/.m2/settings.xml).';

function findProgram(name: string): string {
  for (const directory of (process.env.PATH ?? '').split(delimiter)) {
    if (directory === '') continue;
    const candidate = join(directory, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch (error) {
      if (!(error instanceof Error && 'code' in error)) throw error;
    }
  }
  throw new TidewaterError(
    'CONFORMANCE_TOOLS_MISSING',
    `The conformance suites run Canal, Flink and Avro on Java, and \`${name}\` is not installed. ${installRemedy}`,
    { category: 'unavailable', remedy: installRemedy, details: { program: name } },
  );
}

/** The Java major version `java -version` reports (`17.0.15` → 17, `1.8.0` → 8). */
export function javaMajorVersion(versionOutput: string): number | undefined {
  const match = /version "(\d+)(?:\.(\d+))?/.exec(versionOutput);
  if (!match) return undefined;
  const first = Number(match[1]);
  return first === 1 ? Number(match[2]) : first;
}

function checkJava(java: string): void {
  const result = spawnSync(java, ['-version'], { encoding: 'utf8' });
  const major = javaMajorVersion(`${result.stderr}${result.stdout}`);
  if (major === undefined || major < 17) {
    throw new TidewaterError(
      'CONFORMANCE_TOOLS_MISSING',
      `The conformance tools need Java 17 or newer; \`java -version\` says: ${result.stderr.split('\n')[0] ?? 'nothing'}. ${installRemedy}`,
      { category: 'unavailable', remedy: installRemedy },
    );
  }
}

function filesUnder(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true })
    .flatMap((entry) =>
      entry.isDirectory() ? filesUnder(join(directory, entry.name)) : [join(directory, entry.name)],
    )
    .sort();
}

/** What the build depends on: the pom and every source and resource file. */
function sourceHash(): string {
  const hash = createHash('sha256');
  for (const file of [
    join(javaProjectDir, 'pom.xml'),
    ...filesUnder(join(javaProjectDir, 'src')),
  ]) {
    hash
      .update(relative(javaProjectDir, file))
      .update('\0')
      .update(readFileSync(file))
      .update('\0');
  }
  return hash.digest('hex');
}

function isBuilt(hash: string): boolean {
  return existsSync(stampFile) && readFileSync(stampFile, 'utf8').trim() === hash;
}

function isLive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    if (error instanceof Error && 'code' in error && error.code === 'ESRCH') return false;
    throw error;
  }
}

/** One build at a time across processes: a lock directory naming its owner's pid. */
async function withBuildLock<T>(work: () => Promise<T>): Promise<T> {
  mkdirSync(targetDir, { recursive: true });
  const deadline = Date.now() + 20 * 60_000;
  for (;;) {
    try {
      mkdirSync(lockDir);
      writeFileSync(join(lockDir, 'pid'), String(process.pid));
      break;
    } catch (error) {
      if (!(error instanceof Error && 'code' in error && error.code === 'EEXIST')) throw error;
      const owner = Number(
        existsSync(join(lockDir, 'pid')) ? readFileSync(join(lockDir, 'pid'), 'utf8') : NaN,
      );
      const age = Date.now() - statSync(lockDir).mtimeMs;
      if (
        (Number.isInteger(owner) && !isLive(owner)) ||
        (!Number.isInteger(owner) && age > 10_000)
      ) {
        rmSync(lockDir, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) {
        throw new TidewaterError(
          'CONFORMANCE_BUILD_FAILED',
          `Another process (pid ${owner}) has been building the conformance tools for 20 minutes.`,
          { category: 'unavailable', remedy: `Wait for it, or delete ${lockDir} if it is gone.` },
        );
      }
      await sleep(500);
    }
  }
  try {
    return await work();
  } finally {
    rmSync(lockDir, { recursive: true, force: true });
  }
}

/** The line of Maven's output that says what went wrong. */
function mavenError(output: string): string {
  const lines = output
    .replaceAll(new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g'), '')
    .split('\n')
    .map((line) => line.trim());
  return (
    lines.find((line) => line.startsWith('[ERROR]') && line.length > 8)?.slice(8) ??
    'mvn failed without an error line'
  );
}

export interface BuildReport {
  /** False when the stamp matched and nothing ran. */
  isBuilt: boolean;
  durationMs: number;
}

/**
 * Builds the tools unless the stamp says the classes and jars match the sources. The first
 * build downloads Canal, Flink's format and Avro with their dependencies into ~/.m2.
 */
export async function ensureConformanceTools(): Promise<BuildReport> {
  const started = Date.now();
  const java = findProgram('java');
  checkJava(java);
  const hash = sourceHash();
  if (isBuilt(hash)) return { isBuilt: false, durationMs: Date.now() - started };
  findProgram('javac');
  const mvn = findProgram('mvn');
  return withBuildLock(async () => {
    if (isBuilt(hash)) return { isBuilt: false, durationMs: Date.now() - started };
    rmSync(stampFile, { force: true });
    rmSync(libDir, { recursive: true, force: true });
    rmSync(classesDir, { recursive: true, force: true });
    try {
      const { stdout, stderr } = await execFileAsync(
        mvn,
        [
          '-B',
          '-q',
          'compile',
          'dependency:copy-dependencies',
          `-DoutputDirectory=${libDir}`,
          '-DincludeScope=runtime',
        ],
        { cwd: javaProjectDir, maxBuffer: 64 * 1024 * 1024 },
      );
      writeFileSync(mavenLog, stdout + stderr);
    } catch (error) {
      const output =
        error instanceof Error && 'stdout' in error
          ? `${String(error.stdout)}${'stderr' in error ? String(error.stderr) : ''}`
          : String(error);
      writeFileSync(mavenLog, output);
      throw new TidewaterError(
        'CONFORMANCE_BUILD_FAILED',
        `Building the conformance tools with Maven failed: ${mavenError(output)} (full output in ${mavenLog}).`,
        { category: 'unavailable', isRetryable: true, remedy: installRemedy, cause: error },
      );
    }
    writeFileSync(stampFile, `${hash}\n`);
    return { isBuilt: true, durationMs: Date.now() - started };
  });
}

export type ToolName = 'canal-dump' | 'flink-canal-read' | 'avro-read';

const mainClasses: Record<ToolName, string> = {
  'canal-dump': 'tidewater.conformance.CanalDump',
  'flink-canal-read': 'tidewater.conformance.FlinkCanalRead',
  'avro-read': 'tidewater.conformance.AvroRead',
};

/** Starts a tool; stdout and stderr are pipes the caller reads. */
export function spawnTool(tool: ToolName, args: string[]): ChildProcess {
  if (!existsSync(stampFile)) {
    throw new TidewaterError(
      'CONFORMANCE_TOOLS_MISSING',
      'The conformance tools are not built: call ensureConformanceTools() first (the vitest global setup of the conformance project does).',
      {
        category: 'internal',
        remedy: 'Run the suites through vitest, or call ensureConformanceTools().',
      },
    );
  }
  return spawn(
    findProgram('java'),
    [
      '-Xmx512m',
      '-XX:+UseSerialGC',
      '-XX:TieredStopAtLevel=1',
      '-cp',
      `${classesDir}:${join(libDir, '*')}`,
      mainClasses[tool],
      ...args,
    ],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
}

export interface ToolResult {
  stdout: string;
  stderr: string;
}

/** Runs a tool to its end; a non-zero exit or the timeout is an error carrying stderr's tail. */
export async function runTool(
  tool: ToolName,
  args: string[],
  timeoutMs = 120_000,
): Promise<ToolResult> {
  const child = spawnTool(tool, args);
  child.stdin?.end();
  return collect(tool, child, timeoutMs);
}

/** Waits for a started tool to exit and returns its output. */
export function collect(
  tool: ToolName,
  child: ChildProcess,
  timeoutMs: number,
): Promise<ToolResult> {
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  child.stdout?.on('data', (chunk: Buffer) => stdout.push(chunk));
  child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${tool} did not finish within ${timeoutMs} ms.\n${tail(stderr)}`));
    }, timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      const result = {
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
      };
      if (code === 0) resolve(result);
      else reject(new Error(`${tool} exited with code ${code}.\n${tail(stderr)}`));
    });
  });
}

function tail(chunks: Buffer[], lines = 30): string {
  return Buffer.concat(chunks).toString('utf8').split('\n').slice(-lines).join('\n');
}

import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { TidewaterError } from '@tidewater/errors';

import type { StackEndpoints } from './endpoints';
import { findExecutable } from './executables';
import { tailOf } from './log-tail';
import { displayPath, registryDir } from './paths';
import { probeRegistry } from './probes';
import type { ManagedProcess } from './process-control';
import { readLivePid, spawnDetached, stopProcess } from './process-control';
import { waitUntilUp } from './wait';

/**
 * The schema registry: Apicurio Registry 3.0, whose Confluent-compatible API
 * (`/apis/ccompat/v7`) is what DTS Avro producers talk to. Maven Central publishes it as a
 * Quarkus application zip (`apicurio-registry-app-<v>-all.zip`: a runner jar plus lib/); the
 * `.jar` without classifier is only the application's classes and does not run on its own.
 * Storage is the default in-memory H2 database, so a restart starts empty.
 */

const execFileAsync = promisify(execFile);

export const registryVersion = '3.0.9';

const files = {
  download: join(registryDir, 'download'),
  dist: join(registryDir, 'dist'),
  complete: join(registryDir, 'dist', '.complete'),
  runner: join(registryDir, 'dist', `apicurio-registry-app-${registryVersion}-runner.jar`),
  log: join(registryDir, 'registry.log'),
  pid: join(registryDir, 'registry.pid'),
  mavenLog: join(registryDir, 'maven.log'),
};

export const registryProcess: ManagedProcess = { pidFile: files.pid, marker: files.runner };

const javaRemedy =
  'Install a JDK 17 and Maven: `apt-get install -y openjdk-17-jdk-headless maven` (Debian/Ubuntu).';

function outputOf(error: unknown): string {
  if (error instanceof Error && 'stdout' in error) {
    return `${String(error.stdout)}${'stderr' in error ? String(error.stderr) : ''}`;
  }
  return String(error);
}

/** Downloads and unpacks the distribution once. */
async function ensureRegistryDistribution(): Promise<void> {
  if (
    existsSync(files.complete) &&
    readFileSync(files.complete, 'utf8').trim() === registryVersion
  ) {
    return;
  }
  const mvn = findExecutable(['mvn'], javaRemedy);
  // Maven runs in a scratch folder: the plugin leaves its marker files there.
  mkdirSync(files.download, { recursive: true });
  rmSync(files.dist, { recursive: true, force: true });
  const artifact = `io.apicurio:apicurio-registry-app:${registryVersion}:zip:all`;
  try {
    const { stdout, stderr } = await execFileAsync(
      mvn,
      [
        '-q',
        '-B',
        // Maven unpacks the archive itself: no unzip program needed.
        'dependency:unpack',
        `-Dartifact=${artifact}`,
        `-DoutputDirectory=${files.dist}`,
      ],
      { cwd: files.download, maxBuffer: 64 * 1024 * 1024 },
    );
    writeFileSync(files.mavenLog, stdout + stderr);
  } catch (error) {
    writeFileSync(files.mavenLog, outputOf(error));
    throw new TidewaterError(
      'STACK_REGISTRY_DOWNLOAD_FAILED',
      `Could not download Apicurio Registry ${registryVersion} (${artifact}) through Maven.`,
      {
        category: 'unavailable',
        isRetryable: true,
        remedy: `Check that Maven Central is reachable and read ${displayPath(files.mavenLog)}.`,
        cause: error,
      },
    );
  }
  if (!existsSync(files.runner)) {
    throw new TidewaterError(
      'STACK_REGISTRY_DOWNLOAD_FAILED',
      `The Apicurio Registry ${registryVersion} archive has no runner jar.`,
      {
        category: 'internal',
        remedy: `Delete ${displayPath(registryDir)} and run \`npm run stack -- up registry\` again.`,
      },
    );
  }
  rmSync(files.download, { recursive: true, force: true });
  writeFileSync(files.complete, `${registryVersion}\n`);
}

export async function startRegistry(endpoint: StackEndpoints['registry']): Promise<void> {
  await ensureRegistryDistribution();
  let pid = readLivePid(registryProcess);
  if (pid === undefined) {
    const url = new URL(endpoint.url);
    const java = findExecutable(['java'], javaRemedy);
    pid = spawnDetached({
      ...registryProcess,
      command: java,
      args: [
        '-Xmx512m',
        '-Djava.awt.headless=true',
        '-Dquarkus.http.host=127.0.0.1',
        `-Dquarkus.http.port=${url.port || '80'}`,
        // The access log line per request drowns the startup messages a failure needs.
        '-Dquarkus.http.access-log.enabled=false',
        '-jar',
        files.runner,
      ],
      logFile: files.log,
      cwd: registryDir,
    });
  }
  const startedPid = pid;
  const ready = await waitUntilUp(() => probeRegistry(endpoint), {
    timeoutMs: 120_000,
    giveUpIf: () =>
      readLivePid(registryProcess) === startedPid ? undefined : 'the registry process exited',
  });
  if (!ready.isUp) {
    throw new TidewaterError(
      'STACK_REGISTRY_NOT_STARTED',
      `Apicurio Registry did not come up (${ready.gaveUpBecause ?? ready.detail}). Last lines of ${displayPath(files.log)}:\n${tailOf(files.log, 15)}`,
      {
        category: 'unavailable',
        isRetryable: true,
        remedy: `Read ${displayPath(files.log)}; check that port 8081 is free (\`ss -ltnp\`).`,
      },
    );
  }
}

export async function stopRegistry(): Promise<boolean> {
  return stopProcess(registryProcess, 20_000);
}

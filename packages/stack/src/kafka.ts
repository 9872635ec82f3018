import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { TidewaterError } from '@tidewater/errors';

import type { StackEndpoints } from './endpoints';
import { findExecutable } from './executables';
import { tailOf } from './log-tail';
import { displayPath, kafkaDir } from './paths';
import { ensureKafkaTls, kafkaTlsFiles } from './kafka-tls';
import { probeKafka, probeKafkaListener } from './probes';
import type { ManagedProcess } from './process-control';
import { readLivePid, spawnDetached, stopProcess } from './process-control';
import { waitUntilUp } from './wait';

/**
 * Apache Kafka 3.9 in KRaft mode, one process acting as broker and controller. The jars come
 * from Maven Central through a throwaway pom (`mvn dependency:copy-dependencies`), so the only
 * prerequisites are a JDK and Maven; kafka-tools rides along for the bench's
 * ProducerPerformance.
 */

const execFileAsync = promisify(execFile);

/** Tried in order: the newest 3.9 patch first. */
export const kafkaVersions = ['3.9.1', '3.9.0'] as const;

export const kafkaFiles = {
  pom: join(kafkaDir, 'pom.xml'),
  libs: join(kafkaDir, 'libs'),
  /** Written after a complete download; names the version the jars belong to. */
  libsComplete: join(kafkaDir, 'libs', '.complete'),
  config: join(kafkaDir, 'server.properties'),
  log4j: join(kafkaDir, 'log4j.properties'),
  data: join(kafkaDir, 'data'),
  clusterId: join(kafkaDir, 'cluster-id'),
  log: join(kafkaDir, 'kafka.log'),
  stdout: join(kafkaDir, 'kafka.out'),
  pid: join(kafkaDir, 'kafka.pid'),
  mavenLog: join(kafkaDir, 'maven.log'),
};

export const kafkaProcess: ManagedProcess = {
  pidFile: kafkaFiles.pid,
  marker: kafkaFiles.config,
};

const javaRemedy =
  'Install a JDK 17 and Maven: `apt-get install -y openjdk-17-jdk-headless maven` (Debian/Ubuntu).';

export function renderKafkaPom(version: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<!-- Written by the stack's up command: only used to download Kafka's jars into libs/. -->
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>tidewater.stack</groupId>
  <artifactId>kafka-distribution</artifactId>
  <version>${version}</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>org.apache.kafka</groupId>
      <artifactId>kafka_2.13</artifactId>
      <version>${version}</version>
    </dependency>
    <dependency>
      <groupId>org.apache.kafka</groupId>
      <artifactId>kafka-tools</artifactId>
      <version>${version}</version>
    </dependency>
    <!-- Kafka 3.9 logs through slf4j 1.7; without a binding it logs nothing at all. -->
    <dependency>
      <groupId>org.slf4j</groupId>
      <artifactId>slf4j-reload4j</artifactId>
      <version>1.7.36</version>
    </dependency>
  </dependencies>
</project>
`;
}

/** The SASL mechanisms the SASL_PLAINTEXT and SASL_SSL listeners offer, as Kafka names them. */
export const stackSaslMechanisms = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'] as const;

function saslListenerProperties(listener: string, sasl: StackEndpoints['kafka']['sasl']): string {
  // PLAIN checks passwords against its JAAS configuration, so that one password is in this
  // file (mode 0600); SCRAM credentials live in the cluster metadata.
  const plainUsers = `user_${sasl.username}="${sasl.password}"`;
  return [
    `listener.name.${listener}.sasl.enabled.mechanisms=${stackSaslMechanisms.join(',')}`,
    `listener.name.${listener}.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required ${plainUsers};`,
    `listener.name.${listener}.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;`,
    `listener.name.${listener}.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;`,
  ].join('\n');
}

export function renderServerProperties(options: {
  endpoint: StackEndpoints['kafka'];
  dataDir: string;
  tls: { keystore: string; truststore: string };
}): string {
  const plainPort = portOf(options.endpoint.brokers[0]);
  const saslPort = portOf(options.endpoint.saslBrokers[0]);
  const sslPort = portOf(options.endpoint.sslBrokers[0]);
  const saslSslPort = portOf(options.endpoint.saslSslBrokers[0]);
  const controllerPort = options.endpoint.controllerPort;
  const listeners = [
    `PLAINTEXT://127.0.0.1:${plainPort}`,
    `SASL_PLAINTEXT://127.0.0.1:${saslPort}`,
    `SSL://127.0.0.1:${sslPort}`,
    `SASL_SSL://127.0.0.1:${saslSslPort}`,
  ].join(',');
  return `# Written by \`npm run stack -- up\`; edits are overwritten.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:${controllerPort}
controller.listener.names=CONTROLLER

listeners=${listeners},CONTROLLER://127.0.0.1:${controllerPort}
advertised.listeners=${listeners}
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT,SSL:SSL,SASL_SSL:SASL_SSL,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT

# SASL: every mechanism on both SASL listeners; the SCRAM users are added when the storage is
# formatted (and on start when missing).
sasl.enabled.mechanisms=${stackSaslMechanisms.join(',')}
${saslListenerProperties('sasl_plaintext', options.endpoint.sasl)}
${saslListenerProperties('sasl_ssl', options.endpoint.sasl)}

# TLS from PEM files the stack generates (CA, broker and client certificates); the SSL
# listener requires a client certificate signed by that CA, SASL_SSL does not.
ssl.keystore.type=PEM
ssl.keystore.location=${options.tls.keystore}
ssl.truststore.type=PEM
ssl.truststore.location=${options.tls.truststore}
listener.name.ssl.ssl.client.auth=required
listener.name.sasl_ssl.ssl.client.auth=none

log.dirs=${options.dataDir}
num.partitions=1
# Tests and tasks create their topics explicitly; a typo must not create one silently.
auto.create.topics.enable=false
delete.topic.enable=true
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
log.retention.hours=168
log.segment.bytes=268435456
`;
}

export function renderLog4jProperties(logFile: string): string {
  return `# Written by \`npm run stack -- up\`.
log4j.rootLogger=INFO, file
log4j.appender.file=org.apache.log4j.RollingFileAppender
log4j.appender.file.File=${logFile}
log4j.appender.file.MaxFileSize=20MB
log4j.appender.file.MaxBackupIndex=3
log4j.appender.file.layout=org.apache.log4j.PatternLayout
log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka.request.logger=WARN
log4j.logger.kafka.log.LogCleaner=WARN
log4j.logger.state.change.logger=WARN
log4j.logger.org.apache.kafka.controller=INFO
`;
}

function portOf(address: string | undefined): number {
  const port = Number(address?.split(':').pop());
  if (!Number.isInteger(port) || port <= 0) {
    throw new TidewaterError('STACK_ENV_INVALID', `"${address}" is not a host:port address.`, {
      category: 'invalid_input',
      remedy:
        'Set TIDEWATER_KAFKA_BROKERS, TIDEWATER_KAFKA_SASL_BROKERS, TIDEWATER_KAFKA_SSL_BROKERS and TIDEWATER_KAFKA_SASL_SSL_BROKERS as host:port lists.',
    });
  }
  return port;
}

function writeIfChanged(path: string, content: string, mode = 0o644): void {
  const current = existsSync(path) ? readFileSync(path, 'utf8') : '';
  if (current !== content) writeFileSync(path, content, { mode });
  chmodSync(path, mode);
}

/** The classpath of the downloaded distribution (server, tools, logging). */
export const kafkaClasspath = join(kafkaFiles.libs, '*');

/** Downloads the jars once; later calls return at once. Returns the version in libs/. */
export async function ensureKafkaJars(): Promise<string> {
  if (existsSync(kafkaFiles.libsComplete)) {
    return readFileSync(kafkaFiles.libsComplete, 'utf8').trim();
  }
  const mvn = findExecutable(['mvn'], javaRemedy);
  mkdirSync(kafkaDir, { recursive: true });
  const failures: string[] = [];
  for (const version of kafkaVersions) {
    writeFileSync(kafkaFiles.pom, renderKafkaPom(version));
    rmSync(kafkaFiles.libs, { recursive: true, force: true });
    try {
      const { stdout, stderr } = await execFileAsync(
        mvn,
        [
          '-q',
          '-B',
          '-f',
          kafkaFiles.pom,
          'dependency:copy-dependencies',
          `-DoutputDirectory=${kafkaFiles.libs}`,
        ],
        { cwd: kafkaDir, maxBuffer: 64 * 1024 * 1024 },
      );
      writeFileSync(kafkaFiles.mavenLog, stdout + stderr);
      const jars = readdirSync(kafkaFiles.libs);
      if (!jars.includes(`kafka_2.13-${version}.jar`)) {
        failures.push(`${version}: kafka_2.13-${version}.jar missing after download`);
        continue;
      }
      writeFileSync(kafkaFiles.libsComplete, `${version}\n`);
      return version;
    } catch (error) {
      const output =
        error instanceof Error && 'stdout' in error
          ? `${String(error.stdout)}${'stderr' in error ? String(error.stderr) : ''}`
          : String(error);
      writeFileSync(kafkaFiles.mavenLog, output);
      failures.push(`${version}: ${firstMavenError(output)}`);
    }
  }
  throw new TidewaterError(
    'STACK_KAFKA_DOWNLOAD_FAILED',
    `Could not download Apache Kafka through Maven (${failures.join('; ')}).`,
    {
      category: 'unavailable',
      isRetryable: true,
      remedy: `Check that Maven Central is reachable (proxy settings in ~/.m2/settings.xml) and read ${displayPath(kafkaFiles.mavenLog)}.`,
    },
  );
}

/** The line of Maven's output that says what went wrong, without colour codes. */
export function firstMavenError(output: string): string {
  const lines = output
    .replaceAll(new RegExp(`${String.fromCharCode(27)}?\\[[0-9;]*m`, 'g'), '')
    .split('\n')
    .map((line) => line.trim());
  const line =
    lines.find((candidate) => candidate.startsWith('[FATAL]')) ??
    lines.find(
      (candidate) => /^\[ERROR\] \S/.test(candidate) && !candidate.includes('[ERROR] [ERROR]'),
    );
  return line?.replace(/^\[(FATAL|ERROR)\]\s*/, '') ?? 'mvn failed without an error line';
}

function javaArgs(mainClass: string, args: string[], heap: string[]): string[] {
  return [
    ...heap,
    '-XX:+UseG1GC',
    '-XX:MaxGCPauseMillis=20',
    '-Djava.awt.headless=true',
    `-Dlog4j.configuration=file:${kafkaFiles.log4j}`,
    `-Dkafka.logs.dir=${kafkaDir}`,
    '-cp',
    kafkaClasspath,
    mainClass,
    ...args,
  ];
}

/**
 * Formats the storage once, with the SCRAM users in the initial metadata. Returns false when
 * it was formatted before.
 */
async function formatStorage(endpoint: StackEndpoints['kafka']): Promise<boolean> {
  if (existsSync(join(kafkaFiles.data, 'meta.properties'))) return false;
  const java = findExecutable(['java'], javaRemedy);
  if (!existsSync(kafkaFiles.clusterId)) {
    // A cluster id is 16 random bytes in URL-safe base64, as `kafka-storage random-uuid` prints.
    writeFileSync(kafkaFiles.clusterId, `${randomBytes(16).toString('base64url')}\n`);
  }
  const clusterId = readFileSync(kafkaFiles.clusterId, 'utf8').trim();
  const { username, password } = endpoint.sasl;
  try {
    await execFileAsync(
      java,
      javaArgs(
        'kafka.tools.StorageTool',
        [
          'format',
          '--cluster-id',
          clusterId,
          '--config',
          kafkaFiles.config,
          '--add-scram',
          `SCRAM-SHA-256=[name=${username},password=${password}]`,
          '--add-scram',
          `SCRAM-SHA-512=[name=${username},password=${password}]`,
        ],
        ['-Xmx256m'],
      ),
      { cwd: kafkaDir },
    );
    return true;
  } catch (error) {
    rmSync(kafkaFiles.data, { recursive: true, force: true });
    const output = error instanceof Error && 'stdout' in error ? String(error.stdout) : '';
    throw new TidewaterError(
      'STACK_KAFKA_FORMAT_FAILED',
      `Formatting the Kafka storage failed: ${output.trim().split('\n').pop() ?? 'no output'}.`,
      {
        category: 'internal',
        remedy: `Delete ${displayPath(kafkaDir)} and run \`npm run stack -- up kafka\` again.`,
        cause: error,
      },
    );
  }
}

/**
 * Adds the SCRAM-SHA-512 user to a cluster formatted before it was part of the stack (only
 * SCRAM-SHA-256 was added then): an upsert, so calling it twice is harmless.
 */
async function ensureScramUsers(endpoint: StackEndpoints['kafka']): Promise<void> {
  const { username, password } = endpoint.sasl;
  const login = await probeKafkaListener('SASL_PLAINTEXT SCRAM-SHA-512', endpoint.saslBrokers, {
    sasl: { mechanism: 'scram-sha-512', username, password },
  });
  if (login.isUp) return;
  const java = findExecutable(['java'], javaRemedy);
  await execFileAsync(
    java,
    javaArgs(
      'kafka.admin.ConfigCommand',
      [
        '--bootstrap-server',
        endpoint.brokers.join(','),
        '--alter',
        '--entity-type',
        'users',
        '--entity-name',
        username,
        '--add-config',
        // One mechanism per request: Kafka refuses two changes to one user at once.
        `SCRAM-SHA-512=[password=${password}]`,
      ],
      ['-Xmx256m'],
    ),
    { cwd: kafkaDir },
  );
}

export async function startKafka(endpoint: StackEndpoints['kafka']): Promise<void> {
  mkdirSync(kafkaDir, { recursive: true });
  const properties = renderServerProperties({
    endpoint,
    dataDir: kafkaFiles.data,
    tls: { keystore: kafkaTlsFiles.brokerKeystore, truststore: kafkaTlsFiles.ca },
  });
  let pid = readLivePid(kafkaProcess);
  if (pid !== undefined && readFileSync(kafkaFiles.config, 'utf8') !== properties) {
    // Restarting it here would cut off every client of a shared broker without warning.
    throw new TidewaterError(
      'STACK_KAFKA_OUTDATED',
      `Kafka (pid ${pid}) runs with another configuration than the stack writes now: an older version without every listener (PLAINTEXT, SASL_PLAINTEXT, SSL with client certificates, SASL_SSL), or other ports.`,
      {
        category: 'unavailable',
        remedy:
          'Restart it when nothing else uses it: `npm run stack -- down kafka && npm run stack -- up kafka` (topics and data are kept).',
      },
    );
  }
  await ensureKafkaJars();
  await ensureKafkaTls();
  writeIfChanged(kafkaFiles.config, properties, 0o600);
  writeIfChanged(kafkaFiles.log4j, renderLog4jProperties(kafkaFiles.log));
  const isNewlyFormatted = await formatStorage(endpoint);

  if (pid === undefined) {
    const java = findExecutable(['java'], javaRemedy);
    pid = spawnDetached({
      ...kafkaProcess,
      command: java,
      args: javaArgs('kafka.Kafka', [kafkaFiles.config], ['-Xms256m', '-Xmx1g']),
      logFile: kafkaFiles.stdout,
      cwd: kafkaDir,
    });
  }
  const startedPid = pid;
  const giveUpIf = () =>
    readLivePid(kafkaProcess) === startedPid ? undefined : 'the Kafka process exited';
  let ready = await waitUntilUp(() => probeKafkaListener('PLAINTEXT', endpoint.brokers), {
    timeoutMs: 90_000,
    giveUpIf,
  });
  if (ready.isUp) {
    if (!isNewlyFormatted) await ensureScramUsers(endpoint);
    ready = await waitUntilUp(() => probeKafka(endpoint), { timeoutMs: 30_000, giveUpIf });
  }
  if (!ready.isUp) {
    throw new TidewaterError(
      'STACK_KAFKA_NOT_STARTED',
      `Kafka did not come up (${ready.gaveUpBecause ?? ready.detail}). Last lines of ${displayPath(kafkaFiles.log)}:\n${tailOf(kafkaFiles.log, 15)}\n${tailOf(kafkaFiles.stdout, 5)}`,
      {
        category: 'unavailable',
        isRetryable: true,
        remedy: `Read ${displayPath(kafkaFiles.log)} and ${displayPath(kafkaFiles.stdout)}; check that ports 9092-9096 are free (\`ss -ltnp\`).`,
      },
    );
  }
}

export async function stopKafka(): Promise<boolean> {
  // A controlled shutdown of a single combined node takes a few seconds.
  return stopProcess(kafkaProcess, 30_000);
}

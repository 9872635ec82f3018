import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { TidewaterError } from '@tidewater/errors';

import { findExecutable } from './executables';
import { kafkaDir } from './paths';

/**
 * The TLS material of the stack's Kafka: a CA made for this stack, the broker's certificate
 * (for 127.0.0.1 and localhost) and a client certificate, all signed by that CA, in PEM. The
 * broker reads PEM directly (`ssl.keystore.type=PEM`, KIP-651), clients take the same files, so
 * no Java keystore is involved. Generated once, at the first start, under the git-ignored stack
 * folder; the keys never leave it.
 */

const execFileAsync = promisify(execFile);

export const kafkaTlsDir = join(kafkaDir, 'tls');

export const kafkaTlsFiles = {
  caKey: join(kafkaTlsDir, 'ca.key'),
  ca: join(kafkaTlsDir, 'ca.pem'),
  brokerKey: join(kafkaTlsDir, 'broker.key'),
  brokerCert: join(kafkaTlsDir, 'broker.pem'),
  /** The broker's key and certificate chain in one file: Kafka's PEM keystore. */
  brokerKeystore: join(kafkaTlsDir, 'broker-keystore.pem'),
  clientKey: join(kafkaTlsDir, 'client.key'),
  clientCert: join(kafkaTlsDir, 'client.pem'),
  /** Written last: the set is complete. */
  complete: join(kafkaTlsDir, '.complete'),
};

const days = '3650';

async function openssl(args: string[]): Promise<void> {
  const binary = findExecutable(
    ['openssl'],
    'Install OpenSSL: `apt-get install -y openssl` (Debian/Ubuntu).',
  );
  try {
    await execFileAsync(binary, args, { cwd: kafkaTlsDir });
  } catch (error) {
    const stderr = error instanceof Error && 'stderr' in error ? String(error.stderr).trim() : '';
    throw new TidewaterError(
      'STACK_KAFKA_TLS_FAILED',
      `Generating Kafka's test certificates failed (openssl ${args[0]}): ${stderr.split('\n').pop() ?? 'no output'}.`,
      {
        category: 'internal',
        remedy:
          'Check that `openssl version` works (OpenSSL 1.1.1 or later), then run `npm run stack -- up kafka` again.',
        cause: error,
      },
    );
  }
}

/** A key and a certificate signing request, then the certificate signed by the stack's CA. */
async function signedCertificate(options: {
  key: string;
  cert: string;
  subject: string;
  extensions: string;
}): Promise<void> {
  const csr = `${options.cert}.csr`;
  const extensionsFile = `${options.cert}.ext`;
  writeFileSync(extensionsFile, options.extensions);
  await openssl([
    'req',
    '-new',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    options.key,
    '-out',
    csr,
    '-subj',
    options.subject,
  ]);
  await openssl([
    'x509',
    '-req',
    '-in',
    csr,
    '-CA',
    kafkaTlsFiles.ca,
    '-CAkey',
    kafkaTlsFiles.caKey,
    '-CAcreateserial',
    '-out',
    options.cert,
    '-days',
    days,
    '-sha256',
    '-extfile',
    extensionsFile,
  ]);
  rmSync(csr, { force: true });
  rmSync(extensionsFile, { force: true });
}

/** Creates the CA, broker and client certificates unless a complete set exists. */
export async function ensureKafkaTls(): Promise<void> {
  if (existsSync(kafkaTlsFiles.complete)) return;
  rmSync(kafkaTlsDir, { recursive: true, force: true });
  mkdirSync(kafkaTlsDir, { recursive: true, mode: 0o700 });
  await openssl([
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    kafkaTlsFiles.caKey,
    '-out',
    kafkaTlsFiles.ca,
    '-days',
    days,
    '-sha256',
    '-subj',
    '/CN=Tidewater stack test CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  await signedCertificate({
    key: kafkaTlsFiles.brokerKey,
    cert: kafkaTlsFiles.brokerCert,
    subject: '/CN=localhost',
    extensions:
      'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n',
  });
  await signedCertificate({
    key: kafkaTlsFiles.clientKey,
    cert: kafkaTlsFiles.clientCert,
    subject: '/CN=tidewater',
    extensions: 'extendedKeyUsage=clientAuth\nbasicConstraints=CA:FALSE\n',
  });
  writeFileSync(
    kafkaTlsFiles.brokerKeystore,
    [kafkaTlsFiles.brokerKey, kafkaTlsFiles.brokerCert, kafkaTlsFiles.ca]
      .map((file) => readFileSync(file, 'utf8').trim())
      .join('\n') + '\n',
    { mode: 0o600 },
  );
  for (const key of [kafkaTlsFiles.caKey, kafkaTlsFiles.brokerKey, kafkaTlsFiles.clientKey]) {
    chmodSync(key, 0o600);
  }
  writeFileSync(kafkaTlsFiles.complete, 'ca broker client\n');
}

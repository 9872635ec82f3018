/**
 * Which MySQL-compatible server the source is, from `SELECT VERSION()` and
 * `@@version_comment`. The flavour decides the binlog dialect (GTID kind, event set), the
 * privilege names and the precheck rules, so it is read once at connect and carried along.
 */

import { TidewaterError } from '@tidewater/errors';

export type SourceFlavour = 'mysql' | 'mariadb' | 'polardbx';

export interface ServerInfo {
  flavour: SourceFlavour;
  /** The product's own version: MySQL `8.0.36`, MariaDB `10.11.6`, PolarDB-X TDDL `5.4.19`. */
  version: string;
  major: number;
  minor: number;
  patch: number;
  /** `SELECT VERSION()` as the server printed it. */
  versionString: string;
  versionComment: string | null;
  /** Null when supported; otherwise what is unsupported, in the operator's words. */
  unsupportedReason: string | null;
}

/** What this release supports, shown in messages and the precheck item. */
export const SUPPORTED_SERVERS = 'MySQL 5.7 or 8.0, MariaDB 10.1 to 11.x, or PolarDB-X 2.0';

const NUMERIC_VERSION = /^(\d+)\.(\d+)\.(\d+)/;
// PolarDB-X 2.0 reports a MySQL 5.6 protocol version followed by its TDDL engine version,
// e.g. `5.6.29-TDDL-5.4.19-20240927` (PolarDB-X docs, "SELECT VERSION()").
const POLARDBX_VERSION = /-TDDL-(\d+)\.(\d+)\.(\d+)/i;

/**
 * Reads flavour and version from the version string (and comment, which some MariaDB builds
 * need). Pure, so every flavour is covered by unit tests without its server.
 */
export function detectServer(versionString: string, versionComment: string | null): ServerInfo {
  const polardbx = POLARDBX_VERSION.exec(versionString);
  if (polardbx !== null) {
    const [major, minor, patch] = numbersOf(polardbx);
    const info = base('polardbx', major, minor, patch, versionString, versionComment);
    // TDDL 5.4.x is the engine of PolarDB-X 2.0 (and of late PolarDB-X 1.0 instances, whose
    // binlog we also only read through the same global binlog); older engines have no global
    // binlog to stream from.
    if (!(major === 5 && minor === 4)) {
      info.unsupportedReason = `PolarDB-X with TDDL engine ${info.version} is not supported; ${SUPPORTED_SERVERS} is.`;
    }
    return info;
  }

  // MariaDB used to prefix `5.5.5-` in the handshake for old clients; VERSION() normally has
  // no prefix, but proxies sometimes pass the handshake string on.
  const stripped = versionString.replace(/^5\.5\.5-/, '');
  const numeric = NUMERIC_VERSION.exec(stripped);
  const isMariaDb =
    /mariadb/i.test(versionString) || (versionComment !== null && /mariadb/i.test(versionComment));
  if (numeric === null) {
    const info = base(isMariaDb ? 'mariadb' : 'mysql', 0, 0, 0, versionString, versionComment);
    info.unsupportedReason = `The server reports version "${versionString}", which is not a MySQL-compatible version string.`;
    return info;
  }
  const [major, minor, patch] = numbersOf(numeric);

  if (isMariaDb) {
    const info = base('mariadb', major, minor, patch, versionString, versionComment);
    const isSupported = (major === 10 && minor >= 1) || major === 11;
    if (!isSupported) {
      info.unsupportedReason = `MariaDB ${info.version} is not supported; ${SUPPORTED_SERVERS} is.`;
    }
    return info;
  }

  const info = base('mysql', major, minor, patch, versionString, versionComment);
  const isSupported = major === 5 ? minor === 7 : major === 8 && minor === 0;
  if (!isSupported) {
    info.unsupportedReason = `MySQL ${info.version} is not supported; ${SUPPORTED_SERVERS} is.`;
  }
  return info;
}

/** Throws `SOURCE_UNSUPPORTED_SERVER` when the detected server is not one we support. */
export function assertSupportedServer(server: ServerInfo): void {
  if (server.unsupportedReason === null) return;
  throw new TidewaterError('SOURCE_UNSUPPORTED_SERVER', server.unsupportedReason, {
    category: 'unsupported',
    remedy: `Point the task at ${SUPPORTED_SERVERS}.`,
    details: { versionString: server.versionString, flavour: server.flavour },
  });
}

/** A name for messages: `MariaDB 10.11.6`, `MySQL 8.0.36`, `PolarDB-X (TDDL 5.4.19)`. */
export function describeServer(server: ServerInfo): string {
  switch (server.flavour) {
    case 'mysql':
      return `MySQL ${server.version}`;
    case 'mariadb':
      return `MariaDB ${server.version}`;
    case 'polardbx':
      return `PolarDB-X (TDDL ${server.version})`;
  }
}

function numbersOf(match: RegExpExecArray): [number, number, number] {
  return [Number(match[1]), Number(match[2]), Number(match[3])];
}

function base(
  flavour: SourceFlavour,
  major: number,
  minor: number,
  patch: number,
  versionString: string,
  versionComment: string | null,
): ServerInfo {
  return {
    flavour,
    version: `${major}.${minor}.${patch}`,
    major,
    minor,
    patch,
    versionString,
    versionComment,
    unsupportedReason: null,
  };
}

import { describe, expect, it } from 'vitest';
import { detectServer } from './flavour';
import {
  checkBinlogCompression,
  checkBinlogFormat,
  checkBinlogRetention,
  checkBinlogRowImage,
  checkBinlogRowValueOptions,
  checkLogBin,
  checkReplicationClient,
  checkReplicationSlave,
  checkServerId,
  checkVersion,
  retentionSecondsOf,
  type BinlogSettings,
} from './precheck';
import { parseGrantLine, type EffectiveGrants } from './precheck-grants';

const good: BinlogSettings = {
  logBin: true,
  binlogFormat: 'ROW',
  binlogRowImage: 'FULL',
  expireLogsDays: 7,
  binlogExpireLogsSeconds: 604800,
  serverId: 1,
  binlogTransactionCompression: null,
  binlogRowValueOptions: null,
  logBinCompress: null,
};
const mariadb = detectServer('10.11.6-MariaDB', null);
const mysql8 = detectServer('8.0.36', null);
const polardbx = detectServer('5.6.29-TDDL-5.4.19-1', null);

function grantsOf(
  lines: string[],
  inactive: Array<{ role: string; lines: string[] }> = [],
): EffectiveGrants {
  return {
    grants: lines.map(parseGrantLine),
    inactiveRoles: inactive.map(({ role, lines: roleLines }) => ({
      role,
      grants: roleLines.map(parseGrantLine),
    })),
    lines,
  };
}

describe('binlog setting checks', () => {
  it('passes a source set up for row-based capture', () => {
    for (const check of [checkLogBin, checkBinlogFormat, checkBinlogRowImage, checkServerId]) {
      expect(check(good).status).toBe('pass');
    }
    expect(checkBinlogRetention(good, mariadb)).toMatchObject({
      status: 'pass',
      message: 'Binlogs are kept for 168 h.',
    });
  });

  it.each([
    [checkLogBin, { logBin: false }, 'fail', /log_bin=OFF/],
    [checkBinlogFormat, { binlogFormat: 'STATEMENT' }, 'fail', /binlog_format is STATEMENT/],
    [checkBinlogFormat, { binlogFormat: 'MIXED' }, 'fail', /binlog_format is MIXED/],
    [checkBinlogRowImage, { binlogRowImage: 'MINIMAL' }, 'fail', /MINIMAL/],
    [checkServerId, { serverId: 0 }, 'fail', /server_id is 0/],
    [checkBinlogFormat, { binlogFormat: null }, 'warning', /could not be read/],
  ] as const)('%o with %o is %s', (check, change, status, message) => {
    const result = check({ ...good, ...change });
    expect(result.status).toBe(status);
    expect(result.message).toMatch(message);
    expect(result.remedy).not.toBeNull();
  });

  it.each([
    [{ expireLogsDays: 0, binlogExpireLogsSeconds: 3600 }, 3600],
    [{ expireLogsDays: 2, binlogExpireLogsSeconds: 0 }, 172800],
    [{ expireLogsDays: 0.5, binlogExpireLogsSeconds: null }, 43200],
    [{ expireLogsDays: 0, binlogExpireLogsSeconds: 0 }, 0],
    [{ expireLogsDays: null, binlogExpireLogsSeconds: null }, null],
  ])('reads retention from %o as %s seconds', (change, seconds) => {
    expect(retentionSecondsOf({ ...good, ...change })).toBe(seconds);
  });

  it('warns when binlogs are kept for less than a day', () => {
    const result = checkBinlogRetention(
      { ...good, expireLogsDays: 0, binlogExpireLogsSeconds: 7200 },
      mysql8,
    );
    expect(result).toMatchObject({
      status: 'warning',
      message: expect.stringMatching(/2 h, less than 24 h/),
    });
  });

  it('reports an unsupported version', () => {
    expect(checkVersion(detectServer('5.6.51', null)).status).toBe('fail');
    expect(checkVersion(polardbx).status).toBe('pass');
  });
});

describe('binlog feature checks', () => {
  const compressed = { ...good, binlogTransactionCompression: true };

  it('passes zstd-compressed MySQL binlogs: node:zlib decompresses them', () => {
    expect(checkBinlogCompression(compressed, mysql8)).toMatchObject({
      id: 'binlog_compression',
      status: 'pass',
      message: 'binlog_transaction_compression is ON: zstd transaction payloads are decompressed.',
    });
  });

  it('passes uncompressed MySQL binlogs and servers without the setting', () => {
    const off = { ...good, binlogTransactionCompression: false };
    expect(checkBinlogCompression(off, mysql8)).toMatchObject({
      status: 'pass',
      message: 'binlog_transaction_compression is OFF.',
    });
    expect(checkBinlogCompression(good, polardbx).status).toBe('pass');
  });

  it("passes MariaDB's log_bin_compress, on or off", () => {
    for (const logBinCompress of [true, false]) {
      expect(checkBinlogCompression({ ...good, logBinCompress }, mariadb)).toMatchObject({
        status: 'pass',
        message: expect.stringContaining(logBinCompress ? 'log_bin_compress is ON' : 'OFF'),
      });
    }
  });

  it('passes PARTIAL_JSON and empty binlog_row_value_options, fails a value it cannot read', () => {
    for (const value of [null, '', 'PARTIAL_JSON']) {
      expect(checkBinlogRowValueOptions({ ...good, binlogRowValueOptions: value }).status).toBe(
        'pass',
      );
    }
    expect(
      checkBinlogRowValueOptions({ ...good, binlogRowValueOptions: 'PARTIAL_GEOMETRY' }),
    ).toMatchObject({ status: 'fail', remedy: expect.stringContaining('PARTIAL_JSON') });
  });
});

describe('replication privilege checks', () => {
  it('accepts ALL PRIVILEGES on *.*', () => {
    const grants = grantsOf(['GRANT ALL PRIVILEGES ON *.* TO `root`@`localhost`']);
    expect(checkReplicationSlave(grants).status).toBe('pass');
    expect(checkReplicationClient(grants, mysql8).status).toBe('pass');
  });

  it("accepts MariaDB's BINLOG MONITOR as REPLICATION CLIENT, and SUPER where it still implies it", () => {
    expect(
      checkReplicationClient(grantsOf(['GRANT BINLOG MONITOR ON *.* TO `u`@`%`']), mariadb).status,
    ).toBe('pass');
    expect(
      checkReplicationClient(grantsOf(['GRANT SUPER ON *.* TO `u`@`%`']), mariadb).status,
    ).toBe('pass');
    expect(
      checkReplicationClient(
        grantsOf(['GRANT SUPER ON *.* TO `u`@`%`']),
        detectServer('11.4.2-MariaDB', null),
      ).status,
    ).toBe('fail');
  });

  it('fails a database-level grant of a global privilege, saying it must be on *.*', () => {
    const result = checkReplicationSlave(
      grantsOf(['GRANT REPLICATION SLAVE ON `shop`.* TO `u`@`%`']),
    );
    expect(result).toMatchObject({ status: 'fail', remedy: expect.stringMatching(/ON \*\.\*/) });
  });

  it('names a role that has the privilege but is not active at login', () => {
    const result = checkReplicationSlave(
      grantsOf(
        ['GRANT `repl` TO `u`@`%`'],
        [{ role: 'repl', lines: ['GRANT REPLICATION SLAVE ON *.* TO `repl`'] }],
      ),
    );
    expect(result).toMatchObject({ status: 'fail', message: expect.stringMatching(/role repl/) });
    expect(result.remedy).toMatch(/SET DEFAULT ROLE repl/);
  });

  it('never shows the password hash in details', () => {
    const result = checkReplicationSlave(
      grantsOf([
        "GRANT USAGE ON *.* TO `u`@`%` IDENTIFIED BY PASSWORD '*D821809F681A40A6E379B50D0463EFAE20BDD122'",
      ]),
    );
    expect(JSON.stringify(result)).not.toContain('D821809F');
  });
});

import { describe, expect, it } from 'vitest';
import { assertSupportedServer, describeServer, detectServer } from './flavour';

describe('detectServer', () => {
  it.each([
    ['8.0.36', null, 'mysql', '8.0.36', true],
    ['8.0.36-0ubuntu0.22.04.1', null, 'mysql', '8.0.36', true],
    ['5.7.44-log', 'MySQL Community Server (GPL)', 'mysql', '5.7.44', true],
    ['5.6.51', null, 'mysql', '5.6.51', false],
    ['8.4.2', null, 'mysql', '8.4.2', false],
    ['10.11.6-MariaDB-0+deb12u1-log', 'Debian 12', 'mariadb', '10.11.6', true],
    ['5.5.5-10.6.12-MariaDB', null, 'mariadb', '10.6.12', true],
    ['11.4.2-MariaDB', null, 'mariadb', '11.4.2', true],
    ['10.0.38-MariaDB', null, 'mariadb', '10.0.38', false],
    ['5.5.68-MariaDB', 'MariaDB Server', 'mariadb', '5.5.68', false],
    ['10.5.8', 'mariadb.org binary distribution', 'mariadb', '10.5.8', true],
    ['5.6.29-TDDL-5.4.19-20240927', null, 'polardbx', '5.4.19', true],
    ['5.6.29-TDDL-5.4.13-16504348', 'PolarDB-X', 'polardbx', '5.4.13', true],
    ['5.6.29-TDDL-5.1.28-1320920', null, 'polardbx', '5.1.28', false],
    ['PostgreSQL 16', null, 'mysql', '0.0.0', false],
  ] as const)(
    '%s is %s %s (supported: %s)',
    (versionString, comment, flavour, version, isSupported) => {
      const server = detectServer(versionString, comment);
      expect(server.flavour).toBe(flavour);
      expect(server.version).toBe(version);
      expect(server.unsupportedReason === null).toBe(isSupported);
    },
  );

  it('rejects an unsupported server with SOURCE_UNSUPPORTED_SERVER and names what is supported', () => {
    const server = detectServer('5.6.51', null);
    expect(() => assertSupportedServer(server)).toThrow(
      expect.objectContaining({
        code: 'SOURCE_UNSUPPORTED_SERVER',
        message: expect.stringMatching(/MySQL 5\.6\.51 is not supported/),
        remedy: expect.stringMatching(/MySQL 5\.7 or 8\.0/),
      }),
    );
  });

  it('describes each flavour for messages', () => {
    expect(describeServer(detectServer('5.6.29-TDDL-5.4.19-1', null))).toBe(
      'PolarDB-X (TDDL 5.4.19)',
    );
    expect(describeServer(detectServer('10.11.6-MariaDB', null))).toBe('MariaDB 10.11.6');
  });
});

import { describe, expect, it } from 'vitest';
import { hasGlobalPrivilege, matchesDatabasePattern, parseGrantLine } from './precheck-grants';

describe('parseGrantLine', () => {
  it.each([
    [
      'GRANT ALL PRIVILEGES ON *.* TO `root`@`localhost` WITH GRANT OPTION',
      { kind: 'privileges', privileges: ['ALL'], columnPrivileges: [], level: { kind: 'global' } },
    ],
    [
      "GRANT SELECT, RELOAD, REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO 'repl'@'%'",
      {
        kind: 'privileges',
        privileges: ['SELECT', 'RELOAD', 'REPLICATION SLAVE', 'REPLICATION CLIENT'],
        columnPrivileges: [],
        level: { kind: 'global' },
      },
    ],
    [
      "GRANT BINLOG MONITOR ON *.* TO `twu`@`%` IDENTIFIED BY PASSWORD '*D821809F681A40A6E379B50D0463EFAE20BDD122'",
      {
        kind: 'privileges',
        privileges: ['BINLOG MONITOR'],
        columnPrivileges: [],
        level: { kind: 'global' },
      },
    ],
    [
      'GRANT BINLOG_ADMIN,REPLICATION_SLAVE_ADMIN ON *.* TO `u`@`%`',
      {
        kind: 'privileges',
        privileges: ['BINLOG_ADMIN', 'REPLICATION_SLAVE_ADMIN'],
        columnPrivileges: [],
        level: { kind: 'global' },
      },
    ],
    [
      'GRANT SELECT ON `tw\\_x%`.* TO `twu`@`%`',
      {
        kind: 'privileges',
        privileges: ['SELECT'],
        columnPrivileges: [],
        level: { kind: 'database', pattern: 'tw\\_x%' },
      },
    ],
    [
      'GRANT SELECT (`a`, `b`), INSERT ON `shop`.`or``ders` TO `u`@`%`',
      {
        kind: 'privileges',
        privileges: ['INSERT'],
        columnPrivileges: ['SELECT'],
        level: { kind: 'table', database: 'shop', table: 'or`ders' },
      },
    ],
    [
      'GRANT EXECUTE ON PROCEDURE `shop`.`p` TO `u`@`%`',
      {
        kind: 'privileges',
        privileges: ['EXECUTE'],
        columnPrivileges: [],
        level: { kind: 'routine' },
      },
    ],
    ['GRANT `twr` TO `twu`@`%`', { kind: 'roles', roles: ['twr'] }],
    [
      'GRANT `r1`@`%`,`r2`@`localhost` TO `u`@`%`',
      { kind: 'roles', roles: ['r1@%', 'r2@localhost'] },
    ],
    ['SET DEFAULT ROLE `twr` FOR `twu`@`%`', { kind: 'default-roles', roles: ['twr'] }],
    [
      'REVOKE SELECT ON `mysql`.* FROM `u`@`%`',
      { kind: 'revoke', privileges: ['SELECT'], level: { kind: 'database', pattern: 'mysql' } },
    ],
    ["GRANT PROXY ON ''@'' TO 'root'@'localhost' WITH GRANT OPTION", { kind: 'other' }],
  ])('reads %s', (line, expected) => {
    expect(parseGrantLine(line)).toMatchObject(expected);
  });
});

describe('grant checks', () => {
  it('finds a global privilege directly or through ALL, never through a database-level grant', () => {
    const grants = [
      parseGrantLine('GRANT REPLICATION SLAVE ON `shop`.* TO `u`@`%`'),
      parseGrantLine('GRANT SELECT ON *.* TO `u`@`%`'),
    ];
    expect(hasGlobalPrivilege(grants, ['REPLICATION SLAVE'])).toBe(false);
    expect(
      hasGlobalPrivilege([parseGrantLine('GRANT ALL ON *.* TO `u`@`%`')], ['REPLICATION SLAVE']),
    ).toBe(true);
  });

  it.each([
    ['tw\\_x%', 'tw_x1', true],
    ['tw\\_x%', 'twax1', false],
    ['tw_x%', 'twax1', true],
    ['shop', 'Shop', false],
    ['%', 'anything', true],
  ])('database pattern %s matches %s: %s', (pattern, name, matches) => {
    expect(matchesDatabasePattern(pattern, name)).toBe(matches);
  });
});

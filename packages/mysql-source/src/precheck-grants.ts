/**
 * What the source account may do, read from `SHOW GRANTS`.
 *
 * The lines differ by flavour: MySQL 8 grants roles (`GRANT `r`@`%` TO …`) whose privileges
 * only show with `SHOW GRANTS … USING r`, and can partially revoke (`REVOKE … ON db.* FROM …`);
 * MariaDB grants roles without a host, prints the active role's privileges with its own under
 * plain `SHOW GRANTS`, names REPLICATION CLIENT "BINLOG MONITOR" (10.5.2+), and needs a default
 * role (`SET DEFAULT ROLE`) for a role to be active in a new session such as ours. Database
 * names in database-level grants are patterns (`%`, `_`, `\_`).
 */

import type { Connection, RowDataPacket } from 'mysql2/promise';
import type { ServerInfo } from './flavour';

export type GrantLevel =
  | { kind: 'global' }
  | { kind: 'database'; pattern: string }
  | { kind: 'table'; database: string; table: string }
  | { kind: 'routine' };

export type ParsedGrant =
  | {
      kind: 'privileges';
      /** Upper-case privilege names; `ALL` for ALL [PRIVILEGES]. Column-level ones excluded. */
      privileges: string[];
      /** Privileges granted on some columns only. */
      columnPrivileges: string[];
      level: GrantLevel;
    }
  | { kind: 'revoke'; privileges: string[]; level: GrantLevel }
  | { kind: 'roles'; roles: string[] }
  | { kind: 'default-roles'; roles: string[] }
  | { kind: 'other'; text: string };

interface Token {
  text: string;
  /** True for backtick- or quote-delimited names: never keywords. */
  isQuoted: boolean;
}

function tokenize(line: string): Token[] {
  const tokens: Token[] = [];
  let index = 0;
  while (index < line.length) {
    const char = line[index] as string;
    if (/\s/.test(char)) {
      index += 1;
    } else if (char === '`' || char === "'" || char === '"') {
      let text = '';
      index += 1;
      while (index < line.length) {
        const current = line[index] as string;
        if (current === char && line[index + 1] === char) {
          text += char;
          index += 2;
        } else if (current === char) {
          index += 1;
          break;
        } else if (current === '\\' && char !== '`' && index + 1 < line.length) {
          text += line[index + 1] as string;
          index += 2;
        } else {
          text += current;
          index += 1;
        }
      }
      tokens.push({ text, isQuoted: true });
    } else if ('(),.@*'.includes(char)) {
      tokens.push({ text: char, isQuoted: false });
      index += 1;
    } else {
      let text = '';
      while (index < line.length && !/[\s(),.@*`'"]/.test(line[index] as string)) {
        text += line[index] as string;
        index += 1;
      }
      tokens.push({ text, isQuoted: false });
    }
  }
  return tokens;
}

const isWord = (token: Token | undefined, word: string): boolean =>
  token !== undefined && !token.isQuoted && token.text.toUpperCase() === word;

/** Parses one line of `SHOW GRANTS` output. */
export function parseGrantLine(line: string): ParsedGrant {
  const tokens = tokenize(line.trim());
  if (isWord(tokens[0], 'SET') && isWord(tokens[1], 'DEFAULT') && isWord(tokens[2], 'ROLE')) {
    const forIndex = tokens.findIndex((token) => isWord(token, 'FOR'));
    return {
      kind: 'default-roles',
      roles: roleNames(tokens.slice(3, forIndex < 0 ? undefined : forIndex)),
    };
  }
  const isGrant = isWord(tokens[0], 'GRANT');
  const isRevoke = isWord(tokens[0], 'REVOKE');
  if (!isGrant && !isRevoke) return { kind: 'other', text: line };

  // Privileges (or roles) run up to a top-level ON (privileges) or TO/FROM (roles).
  let depth = 0;
  let end = 1;
  for (; end < tokens.length; end += 1) {
    const token = tokens[end] as Token;
    if (token.text === '(' && !token.isQuoted) depth += 1;
    else if (token.text === ')' && !token.isQuoted) depth -= 1;
    else if (depth === 0 && (isWord(token, 'ON') || isWord(token, 'TO') || isWord(token, 'FROM')))
      break;
  }
  const head = tokens.slice(1, end);
  if (!isWord(tokens[end], 'ON')) {
    return isGrant ? { kind: 'roles', roles: roleNames(head) } : { kind: 'other', text: line };
  }
  const { privileges, columnPrivileges } = privilegeNames(head);
  const level = grantLevel(tokens.slice(end + 1));
  if (isRevoke) return { kind: 'revoke', privileges, level };
  if (privileges.length === 1 && privileges[0] === 'PROXY') return { kind: 'other', text: line };
  return { kind: 'privileges', privileges, columnPrivileges, level };
}

function privilegeNames(tokens: Token[]): { privileges: string[]; columnPrivileges: string[] } {
  const privileges: string[] = [];
  const columnPrivileges: string[] = [];
  let words: string[] = [];
  let hasColumns = false;
  const flush = (): void => {
    if (words.length === 0) return;
    let name = words.join(' ').toUpperCase();
    if (name === 'ALL PRIVILEGES') name = 'ALL';
    (hasColumns ? columnPrivileges : privileges).push(name);
    words = [];
    hasColumns = false;
  };
  let depth = 0;
  for (const token of tokens) {
    if (token.text === '(' && !token.isQuoted) {
      depth += 1;
      hasColumns = true;
    } else if (token.text === ')' && !token.isQuoted) {
      depth -= 1;
    } else if (depth > 0) {
      continue;
    } else if (token.text === ',' && !token.isQuoted) {
      flush();
    } else {
      words.push(token.text);
    }
  }
  flush();
  return { privileges, columnPrivileges };
}

function grantLevel(tokens: Token[]): GrantLevel {
  let rest = tokens;
  if (isWord(rest[0], 'PROCEDURE') || isWord(rest[0], 'FUNCTION') || isWord(rest[0], 'PACKAGE')) {
    return { kind: 'routine' };
  }
  if (isWord(rest[0], 'TABLE')) rest = rest.slice(1);
  const [first, dot, second] = rest;
  if (first?.text === '*' && !first.isQuoted) {
    return dot?.text === '.' ? { kind: 'global' } : { kind: 'database', pattern: '' };
  }
  if (first === undefined || dot?.text !== '.' || second === undefined) {
    return { kind: 'table', database: '', table: first?.text ?? '' };
  }
  if (second.text === '*' && !second.isQuoted) return { kind: 'database', pattern: first.text };
  return { kind: 'table', database: first.text, table: second.text };
}

/** `r1`@`%`, `r2` → ['r1', 'r2'] (the host of a MySQL role kept as `r1@%`). */
function roleNames(tokens: Token[]): string[] {
  const roles: string[] = [];
  let current = '';
  for (let index = 0; index < tokens.length; index += 1) {
    const token = tokens[index] as Token;
    if (token.text === ',' && !token.isQuoted) {
      if (current !== '') roles.push(current);
      current = '';
    } else if (token.text === '@' && !token.isQuoted) {
      current += `@${tokens[index + 1]?.text ?? ''}`;
      index += 1;
    } else if (!(isWord(token, 'NONE') || isWord(token, 'ALL'))) {
      current += token.text;
    }
  }
  if (current !== '') roles.push(current);
  return roles;
}

/** Does a database-level grant pattern (`%`, `_`, `\_`) match the name? Case-sensitive. */
export function matchesDatabasePattern(pattern: string, name: string): boolean {
  let regex = '^';
  for (let index = 0; index < pattern.length; index += 1) {
    const char = pattern[index] as string;
    if (char === '\\' && index + 1 < pattern.length) {
      regex += escapeRegex(pattern[index + 1] as string);
      index += 1;
    } else if (char === '%') {
      regex += '.*';
    } else if (char === '_') {
      regex += '.';
    } else {
      regex += escapeRegex(char);
    }
  }
  return new RegExp(`${regex}$`, 'su').test(name);
}

function escapeRegex(char: string): string {
  return char.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

export interface EffectiveGrants {
  /** Privileges the source session has: its own, its active roles', PUBLIC's (MariaDB). */
  grants: ParsedGrant[];
  /** Roles granted but not active in a new session, with their grants when readable. */
  inactiveRoles: Array<{ role: string; grants: ParsedGrant[] }>;
  /** The raw lines, for the precheck's details. */
  lines: string[];
}

/** Reads the session's effective grants, active roles included (see the file comment). */
export async function readEffectiveGrants(
  connection: Connection,
  server: ServerInfo,
): Promise<EffectiveGrants> {
  let lines = await showGrants(connection, 'SHOW GRANTS');
  let activeRoles: string[] = [];
  if (server.flavour === 'mariadb') {
    // MariaDB's SHOW GRANTS already includes the active role's privileges.
    const [rows] = await connection.query<RowDataPacket[]>('SELECT CURRENT_ROLE() AS role');
    const role: unknown = rows[0]?.role;
    activeRoles = role === null || role === undefined ? [] : [String(role)];
  } else if (server.flavour === 'mysql' && server.major >= 8) {
    const [rows] = await connection.query<RowDataPacket[]>('SELECT CURRENT_ROLE() AS roles');
    const active = String(rows[0]?.roles ?? 'NONE');
    activeRoles = parseRoleList(active);
    // CURRENT_ROLE() prints the active roles quoted by the server: `r1`@`%`,`r2`@`%`.
    if (activeRoles.length > 0) {
      lines = await showGrants(connection, `SHOW GRANTS FOR CURRENT_USER() USING ${active}`);
    }
  }
  const grants = lines.map(parseGrantLine);
  const granted = grants.flatMap((grant) => (grant.kind === 'roles' ? grant.roles : []));
  const inactiveRoles: EffectiveGrants['inactiveRoles'] = [];
  for (const role of granted.filter((name) => !activeRoles.includes(name))) {
    let roleGrants: ParsedGrant[] = [];
    if (server.flavour === 'mariadb') {
      roleGrants = (await readMariaDbRoleGrants(connection, role, activeRoles[0] ?? null)).map(
        parseGrantLine,
      );
    }
    inactiveRoles.push({ role, grants: roleGrants });
  }
  return { grants, inactiveRoles, lines };
}

/**
 * A MariaDB role's grants. `SHOW GRANTS FOR role` needs SELECT on mysql.*, which a source
 * account rarely has; the account may however enable any role granted to it, so the role is
 * switched on for one `SHOW GRANTS` and the session's role put back.
 */
async function readMariaDbRoleGrants(
  connection: Connection,
  role: string,
  activeRole: string | null,
): Promise<string[]> {
  try {
    return await showGrants(connection, `SHOW GRANTS FOR ${quoteRole(role)}`);
  } catch (error) {
    if ((error as { errno?: number }).errno !== 1044) throw error;
  }
  await connection.query(`SET ROLE ${quoteRole(role)}`);
  try {
    return await showGrants(connection, 'SHOW GRANTS');
  } finally {
    await connection.query(`SET ROLE ${activeRole === null ? 'NONE' : quoteRole(activeRole)}`);
  }
}

async function showGrants(connection: Connection, sql: string): Promise<string[]> {
  const [rows] = await connection.query({ sql, rowsAsArray: true });
  return (rows as unknown as unknown[][]).map((row) => String(row[0]));
}

function parseRoleList(text: string): string[] {
  if (text === 'NONE' || text === '') return [];
  return roleNames(tokenize(text));
}

function quoteRole(role: string): string {
  const [name, host] = role.split('@') as [string, string | undefined];
  const quoted = '`' + name.replaceAll('`', '``') + '`';
  return host === undefined ? quoted : `${quoted}@\`${host.replaceAll('`', '``')}\``;
}

/** Is `privilege` granted on every database and table (`*.*`), directly or by ALL? */
export function hasGlobalPrivilege(
  grants: readonly ParsedGrant[],
  privileges: readonly string[],
): boolean {
  return grants.some(
    (grant) =>
      grant.kind === 'privileges' &&
      grant.level.kind === 'global' &&
      grant.privileges.some((name) => name === 'ALL' || privileges.includes(name)),
  );
}

import { randomBytes, scryptSync } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createDatabase,
  createOperatorRepository,
  ensureAdminOperator,
  hashPassword,
  migrateDatabase,
  verifyPassword,
  type Database,
} from '../src/index';

/** Operators, sessions and API tokens against a fresh database of their own. */

const baseUrl = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/tidewater';
const name = `tidewater_operators_${randomBytes(4).toString('hex')}`;
const url = Object.assign(new URL(baseUrl), { pathname: `/${name}` }).toString();
let db: Database;

beforeAll(async () => {
  await migrateDatabase(url);
  db = createDatabase(url);
});

afterAll(async () => {
  await db?.$disconnect();
  const admin = new pg.Client({
    connectionString: Object.assign(new URL(baseUrl), { pathname: '/postgres' }).toString(),
  });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await admin.end();
});

describe('operators', () => {
  it('stores passwords as salted scrypt hashes (N=2^17, r=8, p=1) with their parameters, and verifies them', async () => {
    const first = await hashPassword('correct horse battery');
    const second = await hashPassword('correct horse battery');
    expect(first).toMatch(/^scrypt\$131072\$8\$1\$[\w-]+\$[\w-]+$/);
    expect(first).not.toBe(second);
    expect(await verifyPassword('correct horse battery', first)).toBe(true);
    expect(await verifyPassword('correct horse batterY', first)).toBe(false);
    expect(await verifyPassword('anything', 'md5$abc')).toBe(false);
  });

  it('creates admin once, with the given password or a random one', async () => {
    const created = await ensureAdminOperator(db, { password: 'first-admin-pw' });
    expect(created).toEqual({
      isCreated: true,
      username: 'admin',
      password: 'first-admin-pw',
      isGenerated: false,
    });
    const again = await ensureAdminOperator(db, { password: 'other-admin-pw' });
    expect(again.isCreated).toBe(false);
    const operators = createOperatorRepository(db);
    expect(await operators.verifyCredentials('admin', 'first-admin-pw')).not.toBeNull();
    expect(await operators.verifyCredentials('admin', 'other-admin-pw')).toBeNull();
    expect(await operators.verifyCredentials('nobody', 'first-admin-pw')).toBeNull();
    const stored = await db.operator.findUniqueOrThrow({ where: { username: 'admin' } });
    expect(stored.passwordHash).not.toContain('first-admin-pw');
  });

  it('keeps only the hash of a session token, and ends the session on sign-out', async () => {
    const operators = createOperatorRepository(db);
    const operator = await operators.createOperator(
      `op-${randomBytes(3).toString('hex')}`,
      'a-long-password',
    );
    const { token } = await operators.createSession(operator.id, { userAgent: 'test' });
    expect(await db.session.count({ where: { id: token } })).toBe(0);
    expect((await operators.readSession(token))?.operator.username).toBe(operator.username);
    expect(await operators.readSession(`${token}x`)).toBeNull();
    await operators.deleteSession(token);
    expect(await operators.readSession(token)).toBeNull();
  });

  it('replaces a hash made with older scrypt parameters at the next right sign-in only', async () => {
    const operators = createOperatorRepository(db);
    const operator = await operators.createOperator(
      `op-${randomBytes(3).toString('hex')}`,
      'placeholder-password',
    );
    const salt = randomBytes(16);
    const key = scryptSync('an-old-password', salt, 64, {
      N: 2 ** 15,
      r: 8,
      p: 1,
      maxmem: 2 ** 26,
    });
    const old = `scrypt$32768$8$1$${salt.toString('base64url')}$${key.toString('base64url')}`;
    await db.operator.update({ where: { id: operator.id }, data: { passwordHash: old } });
    const stored = async () =>
      (await db.operator.findUniqueOrThrow({ where: { id: operator.id } })).passwordHash;

    expect(await operators.verifyCredentials(operator.username, 'a-wrong-password')).toBeNull();
    expect(await stored()).toBe(old);
    expect(await operators.verifyCredentials(operator.username, 'an-old-password')).not.toBeNull();
    expect(await stored()).toMatch(/^scrypt\$131072\$8\$1\$/);
    expect(await verifyPassword('an-old-password', await stored())).toBe(true);
  });

  it('changes a password only with the current one, and ends the other sessions', async () => {
    const operators = createOperatorRepository(db);
    const operator = await operators.createOperator(
      `op-${randomBytes(3).toString('hex')}`,
      'old-password-1',
    );
    const here = await operators.createSession(operator.id);
    const elsewhere = await operators.createSession(operator.id);
    await expect(
      operators.changePassword(operator.id, 'wrong-password', 'new-password-12'),
    ).rejects.toMatchObject({ code: 'PASSWORD_WRONG' });
    await expect(
      operators.changePassword(operator.id, 'old-password-1', 'short'),
    ).rejects.toMatchObject({
      code: 'PASSWORD_WEAK',
    });
    await operators.changePassword(operator.id, 'old-password-1', 'new-password-12', {
      keepSessionToken: here.token,
    });
    expect(await operators.readSession(here.token)).not.toBeNull();
    expect(await operators.readSession(elsewhere.token)).toBeNull();
    expect(await operators.verifyCredentials(operator.username, 'new-password-12')).not.toBeNull();
  });

  it('issues API tokens shown once, stored hashed, and revocable', async () => {
    const operators = createOperatorRepository(db);
    const operator = await operators.createOperator(
      `op-${randomBytes(3).toString('hex')}`,
      'a-long-password',
    );
    const { token, apiToken } = await operators.createApiToken(operator.id, 'ci');
    expect(token).toMatch(/^tw_[\w-]{43}$/);
    expect(token.startsWith(apiToken.prefix)).toBe(true);
    expect(await db.apiToken.count({ where: { tokenHash: token } })).toBe(0);
    expect(await operators.readApiToken(token)).toMatchObject({
      status: 'valid',
      operator: { id: operator.id },
    });
    expect(await operators.readApiToken('tw_not-a-token')).toEqual({ status: 'unknown' });
    expect((await operators.listApiTokens(operator.id)).map((item) => item.name)).toEqual(['ci']);
    await operators.revokeApiToken(operator.id, apiToken.id);
    expect(await operators.readApiToken(token)).toEqual({ status: 'unknown' });
    expect(await operators.listApiTokens(operator.id)).toEqual([]);
  });

  it('gives API tokens a lifetime of 1 to 365 days and refuses them after it', async () => {
    const operators = createOperatorRepository(db);
    const operator = await operators.createOperator(
      `op-${randomBytes(3).toString('hex')}`,
      'a-long-password',
    );
    const days = (iso: string) => (Date.parse(iso) - Date.now()) / 86_400_000;
    const standard = await operators.createApiToken(operator.id, 'standard');
    expect(days(standard.apiToken.expiresAt)).toBeCloseTo(90, 1);
    const week = await operators.createApiToken(operator.id, 'week', { expiresInDays: 7 });
    expect(days(week.apiToken.expiresAt)).toBeCloseTo(7, 1);
    for (const expiresInDays of [0, 366, 1.5]) {
      await expect(
        operators.createApiToken(operator.id, 'bad', { expiresInDays }),
      ).rejects.toMatchObject({ code: 'API_TOKEN_EXPIRY_INVALID' });
    }
    const past = new Date(Date.now() - 1000);
    await db.apiToken.update({ where: { id: week.apiToken.id }, data: { expiresAt: past } });
    expect(await operators.readApiToken(week.token)).toEqual({
      status: 'expired',
      expiredAt: past.toISOString(),
    });
    expect((await operators.readApiToken(standard.token)).status).toBe('valid');
  });

  it('revokes all of an operator’s API tokens when the password changes, and names the live ones', async () => {
    const operators = createOperatorRepository(db);
    const operator = await operators.createOperator(
      `op-${randomBytes(3).toString('hex')}`,
      'old-password-1',
    );
    const other = await operators.createOperator(
      `op-${randomBytes(3).toString('hex')}`,
      'old-password-1',
    );
    const ci = await operators.createApiToken(operator.id, 'ci');
    const laptop = await operators.createApiToken(operator.id, 'laptop');
    const theirs = await operators.createApiToken(other.id, 'theirs');
    const { revokedApiTokens } = await operators.changePassword(
      operator.id,
      'old-password-1',
      'new-password-12',
    );
    expect(revokedApiTokens.map((token) => token.name).sort()).toEqual(['ci', 'laptop']);
    expect(await operators.readApiToken(ci.token)).toEqual({ status: 'unknown' });
    expect(await operators.readApiToken(laptop.token)).toEqual({ status: 'unknown' });
    expect((await operators.readApiToken(theirs.token)).status).toBe('valid');
    expect(await operators.listApiTokens(operator.id)).toEqual([]);
  });
});

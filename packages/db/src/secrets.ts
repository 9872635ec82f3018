import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { TidewaterError } from '@tidewater/errors';

/**
 * Passwords at rest: AES-256-GCM with a random 96-bit nonce per value. A stored secret is the
 * string `v1:<nonce>:<ciphertext+tag>` (base64url parts), so the format can change later
 * without guessing. The key comes from TIDEWATER_SECRET_KEY (base64 or hex, 32 bytes) or a key
 * file, created with a random key and mode 0600 on first run.
 */

const VERSION = 'v1';

export interface SecretBox {
  seal(plaintext: string): string;
  open(sealed: string): string;
}

export function isSealedSecret(value: unknown): value is string {
  return typeof value === 'string' && value.startsWith(`${VERSION}:`);
}

export function createSecretBox(key: Buffer): SecretBox {
  if (key.length !== 32) {
    throw new TidewaterError('SECRET_KEY_INVALID', 'The secret key must be 32 bytes.', {
      category: 'invalid_input',
      remedy: 'Set TIDEWATER_SECRET_KEY to 32 random bytes in base64 (openssl rand -base64 32).',
    });
  }
  return {
    seal(plaintext) {
      const nonce = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, nonce);
      const body = Buffer.concat([
        cipher.update(plaintext, 'utf8'),
        cipher.final(),
        cipher.getAuthTag(),
      ]);
      return `${VERSION}:${nonce.toString('base64url')}:${body.toString('base64url')}`;
    },
    open(sealed) {
      const [version, nonceText, bodyText] = sealed.split(':');
      if (version !== VERSION || !nonceText || !bodyText) {
        throw secretUnreadable('it is not in the expected format');
      }
      const body = Buffer.from(bodyText, 'base64url');
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(nonceText, 'base64url'));
      decipher.setAuthTag(body.subarray(body.length - 16));
      try {
        return Buffer.concat([
          decipher.update(body.subarray(0, body.length - 16)),
          decipher.final(),
        ]).toString('utf8');
      } catch (error) {
        throw secretUnreadable('the key does not match the one it was sealed with', error);
      }
    },
  };
}

function secretUnreadable(why: string, cause?: unknown): TidewaterError {
  return new TidewaterError('SECRET_UNREADABLE', `A stored password cannot be decrypted: ${why}.`, {
    category: 'internal',
    remedy:
      'Start Tidewater with the secret key it used when the task was saved (TIDEWATER_SECRET_KEY or the key file), or enter the password again.',
    cause,
  });
}

/** Reads the key from the environment, or from the key file, creating the file when missing. */
export function loadSecretKey(options: { key?: string | undefined; keyFile: string }): Buffer {
  if (options.key) return decodeKey(options.key, 'TIDEWATER_SECRET_KEY');
  const file = path.resolve(options.keyFile);
  if (!existsSync(file)) {
    mkdirSync(path.dirname(file), { recursive: true });
    try {
      writeFileSync(file, `${randomBytes(32).toString('base64')}\n`, { flag: 'wx', mode: 0o600 });
    } catch (error) {
      // Another process created it first: use theirs.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    chmodSync(file, 0o600);
  }
  return decodeKey(readFileSync(file, 'utf8').trim(), `the key file ${options.keyFile}`);
}

function decodeKey(text: string, where: string): Buffer {
  const key = /^[0-9a-fA-F]{64}$/.test(text)
    ? Buffer.from(text, 'hex')
    : Buffer.from(text, 'base64');
  if (key.length !== 32) {
    throw new TidewaterError('SECRET_KEY_INVALID', `The secret key in ${where} is not 32 bytes.`, {
      category: 'invalid_input',
      remedy: 'Use 32 random bytes in base64 (openssl rand -base64 32) or 64 hex digits.',
    });
  }
  return key;
}

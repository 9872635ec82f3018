import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createSecretBox, isSealedSecret, loadSecretKey } from './secrets';

describe('secret box', () => {
  it('seals a password so that only the same key opens it', () => {
    const box = createSecretBox(randomBytes(32));
    const sealed = box.seal('p@ss wörd');
    expect(isSealedSecret(sealed)).toBe(true);
    expect(sealed).not.toContain('p@ss');
    expect(box.open(sealed)).toBe('p@ss wörd');
    expect(() => createSecretBox(randomBytes(32)).open(sealed)).toThrow(/cannot be decrypted/);
  });

  it('uses a fresh nonce for every value', () => {
    const box = createSecretBox(randomBytes(32));
    expect(box.seal('same')).not.toBe(box.seal('same'));
  });

  it('rejects tampered ciphertext', () => {
    const box = createSecretBox(randomBytes(32));
    const sealed = box.seal('secret');
    const tampered = sealed.slice(0, -2) + (sealed.endsWith('A') ? 'BB' : 'AA');
    expect(() => box.open(tampered)).toThrow(/cannot be decrypted/);
  });

  it('creates a private key file on first use and reads the same key afterwards', () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'tw-key-')), 'nested', 'secret.key');
    const first = loadSecretKey({ keyFile: file });
    expect(first).toHaveLength(32);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(loadSecretKey({ keyFile: file }).equals(first)).toBe(true);
    expect(readFileSync(file, 'utf8').trim()).toBe(first.toString('base64'));
  });

  it('rejects a key of the wrong length with a remedy', () => {
    expect(() => loadSecretKey({ key: 'c2hvcnQ=', keyFile: 'unused' })).toThrow(/not 32 bytes/);
  });
});

import { afterEach, describe, expect, it } from 'vitest';

import { ensureConformanceTools, javaMajorVersion } from './tools';

describe('javaMajorVersion', () => {
  it('reads the major version of old and new version strings', () => {
    expect(javaMajorVersion('openjdk version "17.0.15" 2025-04-15')).toBe(17);
    expect(javaMajorVersion('openjdk version "21" 2023-09-19')).toBe(21);
    expect(javaMajorVersion('java version "1.8.0_402"')).toBe(8);
    expect(javaMajorVersion('bash: java: command not found')).toBeUndefined();
  });
});

describe('ensureConformanceTools', () => {
  const path = process.env.PATH;
  afterEach(() => {
    process.env.PATH = path;
  });

  it('fails, naming what to install, when Java is not on the PATH', async () => {
    process.env.PATH = '/nonexistent';
    const failure = await ensureConformanceTools().then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toMatchObject({ code: 'CONFORMANCE_TOOLS_MISSING' });
    expect(String((failure as Error).message)).toMatch(/`java` is not installed/);
    expect(String((failure as Error).message)).toMatch(/openjdk-17-jdk-headless maven/);
  });
});

import { describe, expect, it } from 'vitest';
import { safeNextPath } from './safe-next';

describe('safeNextPath', () => {
  it('keeps a path on this site, with its query and fragment', () => {
    expect(safeNextPath('/system')).toBe('/system');
    expect(safeNextPath('/tasks?status=running&search=a%20b#top')).toBe(
      '/tasks?status=running&search=a%20b#top',
    );
    expect(safeNextPath('/tasks/new?draft=1&step=2')).toBe('/tasks/new?draft=1&step=2');
  });

  it('refuses anything a browser could read as another site', () => {
    const offSite = [
      '/\t/evil.example',
      '/\n/evil.example',
      '/\r\n/evil.example',
      '/\t\t/evil.example',
      '\t//evil.example',
      ' //evil.example',
      '//evil.example',
      '///evil.example',
      '/\\evil.example',
      '\\\\evil.example',
      '/\\/evil.example',
      'https:evil.example',
      'https://evil.example',
      'javascript:alert(1)',
      'evil.example',
      '/\u0000/evil.example',
      '/\u007f/evil.example',
      '',
      null,
      undefined,
    ];
    for (const value of offSite) expect([value, safeNextPath(value)]).toEqual([value, '/tasks']);
  });

  it('keeps percent-encoded characters encoded, so they stay inside the path', () => {
    expect(safeNextPath('/%09/evil.example')).toBe('/%09/evil.example');
    expect(safeNextPath('/%2F%2Fevil.example')).toBe('/%2F%2Fevil.example');
    expect(new URL(safeNextPath('/%5C%5Cevil.example'), 'https://console.example').host).toBe(
      'console.example',
    );
  });

  it('does not send the operator back to the sign-in page', () => {
    expect(safeNextPath('/sign-in?next=/system')).toBe('/tasks');
  });
});

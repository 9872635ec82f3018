import { describe, expect, it } from 'vitest';
import { readEnvironment } from './environment';

describe('TIDEWATER_TRUSTED_PROXIES', () => {
  it('trusts no proxy by default and reads a comma-separated list of addresses and ranges', () => {
    expect(readEnvironment({}).TIDEWATER_TRUSTED_PROXIES).toEqual([]);
    expect(
      readEnvironment({ TIDEWATER_TRUSTED_PROXIES: ' 127.0.0.2, 10.0.0.0/8 ,::1,fd00::/8' })
        .TIDEWATER_TRUSTED_PROXIES,
    ).toEqual(['127.0.0.2', '10.0.0.0/8', '::1', 'fd00::/8']);
  });

  it('refuses host names and malformed ranges, naming them', () => {
    expect(() => readEnvironment({ TIDEWATER_TRUSTED_PROXIES: '10.0.0.0/33,proxy.local' })).toThrow(
      /"10\.0\.0\.0\/33" is not an IP address.*"proxy\.local" is not an IP address/,
    );
  });
});

describe('operations settings', () => {
  it('logs at info, serves the worker on loopback port 9464, leaves /metrics open and runs the worker GC for throughput by default', () => {
    const environment = readEnvironment({});
    expect(environment.TIDEWATER_LOG_LEVEL).toBe('info');
    expect(environment.TIDEWATER_WORKER_HTTP_PORT).toBe(9464);
    expect(environment.TIDEWATER_WORKER_HTTP_HOST).toBe('127.0.0.1');
    expect(environment.TIDEWATER_METRICS_TOKEN).toBeUndefined();
    expect(environment.TIDEWATER_WORKER_GC).toBe('throughput');
    expect(readEnvironment({ TIDEWATER_WORKER_GC: 'memory' }).TIDEWATER_WORKER_GC).toBe('memory');
  });

  it('refuses an unknown log level or GC mode, a port out of range and a short metrics token, naming them', () => {
    expect(() => readEnvironment({ TIDEWATER_LOG_LEVEL: 'verbose' })).toThrow(
      /TIDEWATER_LOG_LEVEL: "verbose" is not a log level: use debug, info, warn or error/,
    );
    expect(() => readEnvironment({ TIDEWATER_WORKER_HTTP_PORT: '70000' })).toThrow(
      /TIDEWATER_WORKER_HTTP_PORT/,
    );
    expect(() => readEnvironment({ TIDEWATER_WORKER_GC: 'fast' })).toThrow(
      /TIDEWATER_WORKER_GC="fast" is not a mode: use throughput \(the default\) or memory/,
    );
    expect(() => readEnvironment({ TIDEWATER_METRICS_TOKEN: 'short' })).toThrow(
      /TIDEWATER_METRICS_TOKEN must be at least 16 characters/,
    );
  });
});

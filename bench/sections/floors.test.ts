import { describe, expect, it } from 'vitest';

import { parseProducerPerformance } from './floors';

describe('parseProducerPerformance', () => {
  it('reads the final summary line, not the progress lines', () => {
    const output = [
      '171906 records sent, 34381.2 records/sec (16.39 MB/sec), 1201.4 ms avg latency, 1811.0 ms max latency.',
      '1000000 records sent, 71762.3 records/sec (34.22 MB/sec), 793.12 ms avg latency, 1402.00 ms max latency, 771 ms 50th, 1154 ms 95th, 1301 ms 99th, 1389 ms 99.9th.',
    ].join('\n');
    expect(parseProducerPerformance(output)).toEqual({
      records: 1_000_000,
      recordsPerSecond: 71762.3,
      megabytesPerSecond: 34.22,
      averageLatencyMs: 793.12,
      maxLatencyMs: 1402,
    });
  });

  it('fails loudly when the tool printed no summary', () => {
    expect(() => parseProducerPerformance('Exception in thread "main"')).toThrow(/no summary/);
  });
});

import { describe, expect, it } from 'vitest';

import { median, summarize } from './figures';
import { renderMarkdown } from './report';
import type { BenchReport } from './report';

describe('median', () => {
  it('takes the middle sample of an odd count and the mean of the middle two of an even one', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('refuses an empty list rather than inventing a figure', () => {
    expect(() => median([])).toThrow(RangeError);
  });
});

describe('renderMarkdown', () => {
  it('prints one table per section and the ratio to the named baseline', () => {
    const floor = summarize('floors', 'producer', 'records/s', [100, 200, 300]);
    const engine = summarize('engine', 'snapshot to Kafka', 'records/s', [50, 100, 150], {
      ratioTo: 'floors/producer',
    });
    const report: BenchReport = {
      machine: {
        cores: 2,
        cpuModel: 'cpu',
        memoryGiB: 4,
        freeMemoryGiB: 2,
        loadAverage: 0.1,
        node: 'v20',
        os: 'linux',
        commit: 'abc',
      },
      generatedAt: '2025-01-01T00:00:00.000Z',
      sections: [
        { name: 'floors', title: 'Floors', description: 'd' },
        { name: 'engine', title: 'Engine', description: 'e' },
      ],
      figures: [floor, engine],
    };
    const markdown = renderMarkdown(report);
    expect(markdown).toContain('## Floors (`floors`)');
    expect(markdown).toContain('## Engine (`engine`)');
    expect(markdown).toContain(
      '| snapshot to Kafka | 100 | records/s | 50 | 150 | 3 | 0.50× of producer |',
    );
  });
});

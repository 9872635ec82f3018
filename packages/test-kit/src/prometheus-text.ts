import { createRequire } from 'node:module';

/**
 * Scraped Prometheus text, parsed by a third-party parser of the exposition format
 * (parse-prometheus-text-format, a port of the Python client's parser) rather than by the
 * code that wrote it.
 */
interface ParsedFamily {
  name: string;
  help: string;
  type: string;
  metrics: Array<{ value?: string; labels?: Record<string, string> }>;
}

const require = createRequire(import.meta.url);
const parse = require('parse-prometheus-text-format') as (text: string) => ParsedFamily[];

export interface Scrape {
  families: Map<string, ParsedFamily>;
  /** The value of the one sample of `name` whose labels include `labels`; undefined if none. */
  value(name: string, labels?: Record<string, string>): number | undefined;
}

export function parsePrometheusText(text: string): Scrape {
  const families = new Map(parse(text).map((family) => [family.name, family]));
  return {
    families,
    value(name, labels = {}) {
      const matches = (families.get(name)?.metrics ?? []).filter((sample) =>
        Object.entries(labels).every(([key, value]) => sample.labels?.[key] === value),
      );
      if (matches.length > 1) throw new Error(`${matches.length} samples of ${name} match`);
      return matches[0]?.value === undefined ? undefined : Number(matches[0].value);
    },
  };
}

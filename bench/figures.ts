/**
 * A figure is one measured quantity: several runs of the same measurement, summarised by the
 * median (robust against one slow run on a shared two-core machine) with min and max beside it.
 */

export interface Figure {
  section: string;
  name: string;
  unit: string;
  median: number;
  min: number;
  max: number;
  runs: number;
  samples: number[];
  /** `${section}/${name}` of another figure: the report shows median / its median. */
  ratioTo?: string;
  /** How it was measured, in one line (command, sizes). */
  note?: string;
}

export function median(samples: readonly number[]): number {
  if (samples.length === 0) throw new RangeError('median of no samples');
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

export function summarize(
  section: string,
  name: string,
  unit: string,
  samples: readonly number[],
  extra: Pick<Figure, 'ratioTo' | 'note'> = {},
): Figure {
  return {
    section,
    name,
    unit,
    median: median(samples),
    min: Math.min(...samples),
    max: Math.max(...samples),
    runs: samples.length,
    samples: [...samples],
    ...extra,
  };
}

export function figureKey(figure: Pick<Figure, 'section' | 'name'>): string {
  return `${figure.section}/${figure.name}`;
}

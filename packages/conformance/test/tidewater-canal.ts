/**
 * Tidewater's Canal JSON for a binlog range: the product's binlog stream from a start position
 * (with the schema history read at that position), each change event encoded by
 * `encodeCanalJson` with the options the Kafka sink's message builder passes, until the first
 * event after an end position that is only known later.
 */
import type { ChangeEvent } from '@tidewater/change-events';
import { encodeCanalJson } from '@tidewater/formats';
import {
  openBinlogStream,
  type BinlogStartPosition,
  type SerializedSchemaHistory,
} from '@tidewater/mysql-source';

import { SOURCE } from './source';

export interface BinlogPoint {
  file: string;
  pos: number;
}

/** File order by the numeric suffix, then position. */
export function compareBinlogPoints(a: BinlogPoint, b: BinlogPoint): number {
  const fileNumber = (file: string) => Number(file.slice(file.lastIndexOf('.') + 1));
  return fileNumber(a.file) - fileNumber(b.file) || a.pos - b.pos;
}

export interface TidewaterCanal {
  /** Where the range ends; set before anything after it is written. */
  setEnd(end: BinlogPoint): void;
  /** Every message for the events up to the end (positions are after the event), in order. */
  finish(timeoutMs?: number): Promise<string[]>;
  close(): void;
}

export async function startTidewaterCanal(options: {
  start: BinlogStartPosition;
  schemaHistory: SerializedSchemaHistory;
  database: string;
  timeZone: string;
}): Promise<TidewaterCanal> {
  const stream = await openBinlogStream({
    source: SOURCE,
    start: options.start,
    schemaHistory: options.schemaHistory,
    databases: [options.database],
    heartbeatIntervalMs: 1000,
  });
  const messages: string[] = [];
  let end: BinlogPoint | null = null;
  let id = 1;
  const isAfterEnd = (event: ChangeEvent) =>
    end !== null && event.position !== null && compareBinlogPoints(event.position, end) > 0;
  const reading = (async () => {
    for await (const event of stream) {
      if (isAfterEnd(event)) break;
      const value = encodeCanalJson(event, { id, ts: Date.now(), timeZone: options.timeZone });
      if (value !== null) {
        id += 1;
        messages.push(value.toString('utf8'));
      }
    }
  })();
  return {
    setEnd(point) {
      end = point;
    },
    async finish(timeoutMs = 120_000) {
      const point = end;
      if (point === null) throw new Error('setEnd() first');
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              new Error(
                `Tidewater's stream did not pass ${point.file}:${point.pos} within ${timeoutMs} ms`,
              ),
            ),
          timeoutMs,
        );
      });
      try {
        await Promise.race([reading, timeout]);
      } finally {
        clearTimeout(timer);
        stream.close();
      }
      return messages;
    },
    close: () => stream.close(),
  };
}

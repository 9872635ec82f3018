/**
 * The format interface the engine picks a format through: a change event in, the message
 * values it becomes out. Routing (topic, key, partition) and size limits are the caller's.
 */
import type { ChangeEvent } from '@tidewater/change-events';
import { encodeCanalJson } from './canal-json/canal-json';
import type { CopyValue } from './copy-value';
import type { CanalJsonValues } from './canal-json/canal-value';
import { encodeDtsAvro } from './dts-avro/dts-avro';

export type FormatName = 'canal-json' | 'dts-avro';

export interface FormatOptions {
  /** The source's time zone; TIMESTAMP values render in it (Canal JSON). */
  timeZone: string;
  /** `SELECT VERSION()` of the source (DTS Avro `source.version`). */
  sourceVersion: string;
  /** DTS Avro: also write BEGIN, COMMIT and HEARTBEAT records (off: DML and DDL only). */
  transactionRecords?: boolean;
  /** Canal JSON: Canal's value text (`canal`, the default) or Flink's (`CanalJsonValues`). */
  canalJsonValues?: CanalJsonValues;
  /** Where each value's bytes are copied (default: a new Buffer, `copyToNewBuffer`). */
  copyValue?: CopyValue;
}

export interface MessageFormat {
  readonly name: FormatName;
  /**
   * How a row event becomes messages: `event`, one message holding all its rows (Canal JSON's
   * FlatMessage has `data` and `old` arrays), or `row`, one message per row (a DTS record holds
   * one image).
   */
  readonly rowsPerMessage: 'event' | 'row';
  /**
   * The message values of `event`, the first numbered `firstId` and each next one the next id
   * (Canal `id`, DTS `Record.id`); `now` is Canal's `ts`. Empty for events the format does not
   * write (Canal: BEGIN, COMMIT, heartbeats).
   */
  encode(event: ChangeEvent, firstId: number, now: number): Buffer[];
}

const NONE: Buffer[] = [];

export function createFormat(name: FormatName, options: FormatOptions): MessageFormat {
  switch (name) {
    case 'canal-json': {
      const values = options.canalJsonValues ?? 'canal';
      return {
        name,
        rowsPerMessage: 'event',
        encode(event, firstId, now) {
          const value = encodeCanalJson(event, {
            id: firstId,
            ts: now,
            timeZone: options.timeZone,
            values,
            ...(options.copyValue ? { copyValue: options.copyValue } : {}),
          });
          return value === null ? NONE : [value];
        },
      };
    }
    case 'dts-avro':
      return {
        name,
        rowsPerMessage: 'row',
        encode(event, firstId) {
          const isMarker =
            event.kind === 'begin' || event.kind === 'commit' || event.kind === 'heartbeat';
          if (isMarker && options.transactionRecords !== true) return NONE;
          return encodeDtsAvro(event, {
            id: firstId,
            sourceVersion: options.sourceVersion,
            ...(options.copyValue ? { copyValue: options.copyValue } : {}),
          });
        },
      };
  }
}

import type { TaskConfig } from '@tidewater/config';
import { openKafkaSink, type KafkaLog } from '@tidewater/kafka-sink';
import type { SinkPort } from './ports';

/** The runner's sink: kafka-sink configured from the task. */
export async function createSinkPort(
  config: TaskConfig,
  source: { version: string; timeZone: string },
  log?: KafkaLog,
): Promise<SinkPort> {
  const sink = await openKafkaSink({
    destination: config.destination,
    format: config.format,
    partitionPolicy: config.partitionPolicy,
    mapping: config.objects,
    capitalization: config.advanced.capitalization,
    source,
    // Record ids only need to increase with the stream: a millisecond clock at open keeps
    // them increasing across restarts without persisting a serial.
    firstId: Date.now(),
    // Fail a delivery after about ten seconds of broker trouble instead of minutes: the runner
    // then reports "retrying" with the error and retries from the checkpoint with its own
    // backoff, for the task's retry window.
    limits: { retries: 5, maxRetryTimeMs: 2_000 },
    ...(log ? { log } : {}),
  });
  return {
    async deliver(events) {
      const report = await sink.deliver(events);
      return { messages: report.messages, bytes: report.bytes };
    },
    async publishSchemas(tables) {
      if (tables.length === 0) return;
      await sink.publishTableSchema(
        tables.map((table) => ({ schema: table.schema, createTable: table.createTable })),
      );
    },
    close: () => sink.close(),
  };
}

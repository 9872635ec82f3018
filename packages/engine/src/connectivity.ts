import type { RowDataPacket } from 'mysql2';
import {
  destinationConnectionSchema,
  sourceSchema,
  type DestinationConfig,
  type SourceConfig,
} from '@tidewater/config';
import { toTidewaterError, type TidewaterError } from '@tidewater/errors';
import {
  checkSchemaRegistry,
  describeBrokerVersion,
  listTopics,
  type TopicInfo,
} from '@tidewater/kafka-sink';
import { describeServer } from '@tidewater/mysql-source';
import { withSource } from './source-session';
import { invalidInput } from './validation';

/**
 * "Test Connectivity": each side is tried for real and answers with what the wizard shows —
 * the server found, or the error with its remedy. A failed test is a result (HTTP 200), not a
 * failed request; only an invalid body is a 400.
 */

type Failure = ReturnType<TidewaterError['toJSON']>;

export type SourceConnectivity =
  | {
      isReachable: true;
      server: { flavour: string; version: string; description: string };
      /** The address the source sees Tidewater connect from: allow it in the firewall. */
      clientAddress: string;
    }
  | { isReachable: false; error: Failure };

export type DestinationConnectivity =
  | {
      isReachable: true;
      brokerVersion: string;
      topics: TopicInfo[];
      schemaRegistry: { isReachable: boolean; message: string } | null;
    }
  | { isReachable: false; error: Failure };

export async function testSourceConnectivity(body: unknown): Promise<SourceConnectivity> {
  const parsed = sourceSchema.safeParse(body);
  if (!parsed.success) throw invalidInput(parsed.error);
  return probeSource(parsed.data);
}

export async function probeSource(source: SourceConfig): Promise<SourceConnectivity> {
  try {
    return await withSource(source, async (session) => {
      const [rows] =
        await session.connection.query<Array<{ user: string } & RowDataPacket>>(
          'SELECT USER() AS user',
        );
      const user = String(rows[0]?.user ?? '');
      return {
        isReachable: true as const,
        server: {
          flavour: session.server.flavour,
          version: session.server.version,
          description: describeServer(session.server),
        },
        clientAddress: user.slice(user.lastIndexOf('@') + 1),
      };
    });
  } catch (error) {
    return { isReachable: false, error: toTidewaterError(error).toJSON() };
  }
}

export async function testDestinationConnectivity(body: unknown): Promise<DestinationConnectivity> {
  const parsed = destinationConnectionSchema.safeParse(body);
  if (!parsed.success) throw invalidInput(parsed.error);
  return probeDestination(parsed.data);
}

export async function probeDestination(
  destination: Omit<DestinationConfig, 'topic' | 'ddlTopic'>,
): Promise<DestinationConnectivity> {
  try {
    const [brokerVersion, topics] = await Promise.all([
      describeBrokerVersion(destination),
      listTopics(destination),
    ]);
    let schemaRegistry: { isReachable: boolean; message: string } | null = null;
    if (destination.schemaRegistry.enabled) {
      try {
        await checkSchemaRegistry(destination.schemaRegistry.url);
        schemaRegistry = { isReachable: true, message: 'The schema registry answered.' };
      } catch (error) {
        const failure = toTidewaterError(error);
        schemaRegistry = { isReachable: false, message: `${failure.message} ${failure.remedy}` };
      }
    }
    return { isReachable: true, brokerVersion: brokerVersion.description, topics, schemaRegistry };
  } catch (error) {
    return { isReachable: false, error: toTidewaterError(error).toJSON() };
  }
}

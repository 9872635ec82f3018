import type { RowDataPacket } from 'mysql2';
import {
  destinationConnectionSchema,
  keepStoredSecrets,
  sourceSchema,
  type DestinationConnection,
  type SourceConfig,
} from '@tidewater/config';
import { TidewaterError, toTidewaterError } from '@tidewater/errors';
import { checkSchemaRegistry, describeBrokerVersion, listTopics } from '@tidewater/kafka-sink';
import { describeServer } from '@tidewater/mysql-source';
import type { DestinationConnectivity, SourceConnectivity } from '@tidewater/config/api';
import type { EngineContext } from './context';
import { withSource } from './source-session';
import { invalidInput } from './validation';

/**
 * "Test Connectivity": each side is tried for real and answers with what the wizard shows —
 * the server found, or the error with its remedy. A failed test is a result (HTTP 200), not a
 * failed request; only an invalid body is a 400.
 */

export type { DestinationConnectivity, SourceConnectivity };

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
  destination: DestinationConnection,
): Promise<DestinationConnectivity> {
  try {
    const [brokerVersion, topics] = await Promise.all([
      describeBrokerVersion(destination),
      listTopics(destination),
    ]);
    let schemaRegistry: { isReachable: boolean; message: string } | null = null;
    if (destination.schemaRegistry.enabled) {
      try {
        await checkSchemaRegistry(destination.schemaRegistry);
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

/**
 * "Test Connectivity" for a saved task: like the tests above, but a password left out means the
 * stored one, so an operator editing a task (whose passwords are never returned) need not type
 * it again. Only while the settings still point where it was saved (`keepStoredSecrets`):
 * another host, port, account or TLS setting needs the password again (PASSWORD_REQUIRED).
 */
export async function testStoredSourceConnectivity(
  context: EngineContext,
  id: string,
  body: unknown,
): Promise<SourceConnectivity> {
  const stored = await context.tasks.readTaskConfig(id);
  const parsed = sourceSchema.safeParse(requireObject(body));
  if (!parsed.success) throw invalidInput(parsed.error);
  const { source } = keepStoredSecrets(stored, { source: parsed.data }, 'side');
  return probeSource(source ?? parsed.data);
}

export async function testStoredDestinationConnectivity(
  context: EngineContext,
  id: string,
  body: unknown,
): Promise<DestinationConnectivity> {
  const stored = await context.tasks.readTaskConfig(id);
  const parsed = destinationConnectionSchema.safeParse(requireObject(body));
  if (!parsed.success) throw invalidInput(parsed.error);
  const { destination } = keepStoredSecrets(stored, { destination: parsed.data }, 'side');
  return probeDestination(destination ?? parsed.data);
}

function requireObject(body: unknown): object {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new TidewaterError('INVALID_INPUT', 'The request body must be a JSON object.', {
      category: 'invalid_input',
      remedy: 'Send the source or destination settings as a JSON object.',
    });
  }
  return body;
}

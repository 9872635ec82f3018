import { randomBytes } from 'node:crypto';

/**
 * A name no other test run uses: `prefix_` and 8 hex digits. Valid as a MariaDB database or
 * table name, a PostgreSQL database name and a queue prefix; `uniqueTopic` gives the Kafka form.
 */
export function uniqueName(prefix: string): string {
  return `${prefix}_${randomBytes(4).toString('hex')}`;
}

/** A Kafka topic name no other test run uses (dashes, as topic names usually are). */
export function uniqueTopic(prefix: string): string {
  return uniqueName(prefix).replaceAll('_', '-');
}

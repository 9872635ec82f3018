import type { Page } from 'playwright-core';
import type { SourceType } from '@tidewater/config';

/** Driving the task wizard's steps the way an operator does, shared by the wizard tests. */

export interface EndpointValues {
  name?: string;
  /** The declared database type; MariaDB (what the local stack runs) unless told. */
  sourceType?: SourceType;
  sourcePassword?: string;
  brokerHosts?: string;
  brokerPort?: string;
  topic: string;
}

/** The local stack's binlog-enabled MariaDB, with the account the stack creates for Tidewater. */
export const localSource = {
  host: '127.0.0.1',
  port: '3307',
  user: 'tidewater',
  password: 'tidewater',
};

export async function fillEndpoints(page: Page, values: EndpointValues): Promise<void> {
  if (values.name) await page.getByLabel('Task name').fill(values.name);
  await page.getByLabel('Database type').selectOption(values.sourceType ?? 'mariadb');
  const source = page.getByRole('region', { name: 'Source database' });
  await source.getByLabel('Host').fill(localSource.host);
  await source.getByLabel('Port').fill(localSource.port);
  await source.getByLabel('Database account').fill(localSource.user);
  await source.getByLabel('Database password').fill(values.sourcePassword ?? localSource.password);
  const destination = page.getByRole('region', { name: 'Destination: Apache Kafka' });
  await destination.getByLabel('Broker hosts').fill(values.brokerHosts ?? '127.0.0.1');
  await destination.getByLabel('Port').fill(values.brokerPort ?? '9092');
  await destination.getByRole('combobox', { name: 'Topic', exact: true }).fill(values.topic);
}

export async function testConnectivityAndProceed(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Test Connectivity and Proceed' }).click();
}

/** Moves tables (or whole databases) of the source tree to Selected Objects. */
export async function selectObjects(
  page: Page,
  database: string,
  tables: string[] | 'whole database',
): Promise<void> {
  const source = page.getByRole('region', { name: 'Source Objects' });
  const databaseItem = source.locator(`[data-database="${database}"]`);
  await databaseItem.waitFor({ timeout: 30_000 });
  if (tables === 'whole database') {
    await databaseItem.getByRole('checkbox', { name: database, exact: true }).check();
  } else {
    await databaseItem.getByRole('button', { name: `Expand ${database}` }).click();
    for (const table of tables) {
      await databaseItem.getByRole('checkbox', { name: table, exact: true }).check();
    }
  }
  await page.getByRole('button', { name: 'Add the checked objects to Selected Objects' }).click();
}

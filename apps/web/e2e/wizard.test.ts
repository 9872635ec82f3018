import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshot } from './browser';
import { api, baseUrl, closePage, expectAccessible, openPage, signIn } from './session';
import { createTopic, produce, uniqueTopic } from './kafka';
import { createEventsDatabase, dropDatabase } from './source';
import { fillEndpoints, selectObjects, testConnectivityAndProceed } from './wizard-steps';

/** The wizard's checks: connectivity failures stop step 1, filters are checked as typed. */

let browser: Browser;
const databases: string[] = [];

beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  for (const database of databases) await dropDatabase(database);
});

async function openWizard(): Promise<Page> {
  const page = await openPage(browser, { width: 1280, height: 800 });
  await signIn(page, '/tasks');
  await page.getByRole('link', { name: 'Create Task' }).first().click();
  await page.getByRole('heading', { name: 'Create Task' }).waitFor();
  await page.getByLabel('Task name').waitFor();
  return page;
}

describe('task wizard', () => {
  it('starts with PolarDB-X 2.0 and asks which binlog stream to follow, only for PolarDB-X', async () => {
    const page = await openWizard();
    const type = page.getByLabel('Database type');
    expect(await type.inputValue()).toBe('polardbx2');
    const source = page.getByRole('region', { name: 'Source database' });
    const stream = source.getByLabel('Binlog stream');
    await stream.fill('group1 stream');
    await stream.blur();
    await expect
      .poll(() => source.locator('[data-field-error]').first().textContent())
      .toMatch(/A binlog stream name uses only letters, digits and "_"/);
    await screenshot(page, 'wizard-binlog-stream', '01-invalid-stream');

    await stream.fill('group1_stream_0');
    expect(await source.locator('[data-field-error]').count()).toBe(0);
    // The stream is saved with the draft (the local MariaDB answers the connectivity test;
    // the precheck is what reads the stream's position).
    const name = `stream-${Date.now()}`;
    await fillEndpoints(page, { name, sourceType: 'polardbx2', topic: 'tidewater-e2e-stream' });
    await testConnectivityAndProceed(page);
    await page.waitForURL((url) => url.searchParams.get('step') === '2', { timeout: 60_000 });
    const draftId = new URL(page.url()).searchParams.get('draft');
    const saved = await api<{ task: { config: { source: Record<string, unknown> } } }>(
      `/api/tasks/${draftId}`,
    );
    expect(saved.body.task.config.source).toMatchObject({
      type: 'polardbx2',
      binlogStream: 'group1_stream_0',
    });

    // The task's details name the stream.
    await page.goto(`${baseUrl()}/tasks/${draftId}`);
    const streamTerm = page.locator('dt', { hasText: 'Binlog stream' });
    await streamTerm.waitFor();
    expect(await streamTerm.locator('xpath=following-sibling::dd[1]').textContent()).toBe(
      'group1_stream_0',
    );
    await screenshot(page, 'wizard-binlog-stream', '02-task-details');

    // Back on step 1 the field shows the saved stream; another type hides it.
    await page.goto(`${baseUrl()}/tasks/new?draft=${draftId}`);
    await expect.poll(() => stream.inputValue()).toBe('group1_stream_0');
    await screenshot(page, 'wizard-binlog-stream', '03-saved-stream');
    await type.selectOption('mariadb');
    await expect.poll(() => stream.count()).toBe(0);
    await screenshot(page, 'wizard-binlog-stream', '04-mariadb-has-no-streams');
    // Saved as MariaDB, the draft drops the stream it had (MariaDB would refuse one).
    await testConnectivityAndProceed(page);
    await page.waitForURL((url) => url.searchParams.get('step') === '2', { timeout: 60_000 });
    const changed = await api<{ task: { config: { source: Record<string, unknown> } } }>(
      `/api/tasks/${draftId}`,
    );
    expect(changed.body.task.config.source.type).toBe('mariadb');
    expect(changed.body.task.config.source).not.toHaveProperty('binlogStream');
    await closePage(page);
  });

  it('stops at step 1 with the error and its remedy for a wrong source password', async () => {
    const page = await openWizard();
    await expectAccessible(page, 'wizard step 1');
    await screenshot(page, 'wizard-wrong-password', '01-empty-form');
    // Submitting the empty form shows every required field's message inline.
    await testConnectivityAndProceed(page);
    await page.locator('[data-field-error]').first().waitFor();
    expect(await page.locator('[data-field-error]').count()).toBeGreaterThanOrEqual(3);
    await screenshot(page, 'wizard-wrong-password', '02-inline-errors');

    await fillEndpoints(page, {
      sourcePassword: 'not-the-password',
      topic: 'tidewater-e2e-unused',
    });
    await testConnectivityAndProceed(page);
    const source = page.getByTestId('connectivity-source');
    await source.waitFor();
    expect(await source.getAttribute('data-reachable')).toBe('false');
    await expect.poll(() => source.textContent()).toMatch(/Access denied/);
    await expect.poll(() => source.textContent()).toMatch(/How to fix:/);
    expect(await page.getByTestId('connectivity-destination').getAttribute('data-reachable')).toBe(
      'true',
    );
    await screenshot(page, 'wizard-wrong-password', '03-source-refused');
    expect(new URL(page.url()).searchParams.get('draft')).toBeNull();
    await expectAccessible(page, 'wizard step 1 with a failed test');
    await closePage(page);
  });

  it('stops at step 1 with the error and its remedy for an unreachable broker', async () => {
    const page = await openWizard();
    await fillEndpoints(page, {
      brokerHosts: '127.0.0.1',
      brokerPort: '1',
      topic: 'tidewater-e2e-unused',
    });
    await testConnectivityAndProceed(page);
    const destination = page.getByTestId('connectivity-destination');
    await destination.waitFor({ timeout: 60_000 });
    await expect
      .poll(() => destination.getAttribute('data-reachable'), { timeout: 60_000 })
      .toBe('false');
    await expect.poll(() => destination.textContent()).toMatch(/How to fix:/);
    expect(await page.getByTestId('connectivity-source').getAttribute('data-reachable')).toBe(
      'true',
    );
    // The security note names the address the source saw Tidewater connect from.
    expect(await page.getByTestId('client-address').textContent()).toMatch(
      /^(127\.0\.0\.1|localhost)$/,
    );
    await screenshot(page, 'wizard-unreachable-broker', '01-broker-refused');
    expect(new URL(page.url()).searchParams.get('draft')).toBeNull();
    await expect
      .poll(() => page.getByRole('heading', { name: 'Source database' }).isVisible())
      .toBe(true);
    await closePage(page);
  });

  it('rejects an invalid WHERE filter inline and accepts a valid one', async () => {
    const page = await openWizard();
    const name = `filter-${Date.now()}`;
    await fillEndpoints(page, { name, topic: 'tidewater-e2e-filter' });
    await testConnectivityAndProceed(page);
    await page.waitForURL((url) => url.searchParams.get('step') === '2', { timeout: 60_000 });
    await selectObjects(page, 'demo_shop', ['orders', 'customers']);
    const selected = page.getByRole('region', { name: 'Selected Objects' });
    const orders = selected.locator('[data-object="demo_shop.orders"]');
    await orders.waitFor();
    await screenshot(page, 'wizard-filter', '01-objects-selected');
    await expectAccessible(page, 'wizard step 2');

    // Keyboard users: the visible Edit button; mouse users: the context menu.
    await orders.click({ button: 'right' });
    await page.getByRole('menuitem', { name: 'Edit WHERE filter…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Edit demo_shop.orders' });
    await dialog.waitFor();
    const filter = dialog.getByLabel('WHERE filter');
    await filter.fill('no_such_column = 1');
    await dialog.locator('[data-filter-state="invalid"]').waitFor({ timeout: 20_000 });
    await expect
      .poll(() => dialog.locator('[data-field-error]').textContent())
      .toMatch(/no_such_column/);
    expect(await dialog.getByRole('button', { name: 'Save' }).isDisabled()).toBe(true);
    await screenshot(page, 'wizard-filter', '02-invalid-filter');

    await filter.fill("status = 'paid'");
    await dialog.locator('[data-filter-state="valid"]').waitFor({ timeout: 20_000 });
    await dialog.getByLabel('Name in the destination').fill('paid_orders');
    await screenshot(page, 'wizard-filter', '03-valid-filter');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => orders.textContent()).toMatch(/WHERE status = 'paid'/);
    await expect.poll(() => orders.textContent()).toMatch(/paid_orders/);

    // Batch Edit: a suffix on every table, previewed before it applies.
    await page.getByRole('button', { name: 'Batch Edit' }).click();
    const batch = page.getByRole('dialog', { name: 'Batch Edit: names in the destination' });
    await batch.getByLabel('Table name suffix').fill('_v2');
    await expect
      .poll(() => batch.locator('[data-preview-for="demo_shop.customers"]').textContent())
      .toBe('customers_v2');
    await screenshot(page, 'wizard-filter', '04-batch-preview');
    await batch.getByRole('button', { name: /Apply to 2 object/ }).click();
    await expect
      .poll(() => selected.locator('[data-object="demo_shop.customers"]').textContent())
      .toMatch(/customers_v2/);

    // Back keeps the input; a reload resumes the saved draft at the same step.
    await page.getByRole('button', { name: 'Back: Source and Destination' }).click();
    await expect.poll(() => page.getByLabel('Task name').inputValue()).toBe(name);
    expect(await page.getByLabel('Database password').getAttribute('placeholder')).toBe(
      'unchanged',
    );
    await testConnectivityAndProceed(page);
    await page.waitForURL((url) => url.searchParams.get('step') === '2', { timeout: 60_000 });
    // Batch rules apply to the source names, so applying them twice does not stack suffixes.
    await expect.poll(() => orders.textContent()).toMatch(/orders_v2/);
    await page.getByRole('button', { name: 'Next: Save Task Settings and Precheck' }).click();
    await page.waitForURL((url) => url.searchParams.get('step') === '3');
    await page.reload();
    await page.getByRole('table', { name: 'Precheck items' }).waitFor({ timeout: 30_000 });
    await page.getByRole('button', { name: 'Back: Objects and Advanced Settings' }).click();
    await expect
      .poll(() => selected.locator('[data-object="demo_shop.orders"]').textContent())
      .toMatch(/WHERE status = 'paid'/);
    await screenshot(page, 'wizard-filter', '05-resumed-after-reload');
    await closePage(page);
  });

  it('lets the operator ignore a failed ignorable precheck item after a warning about the risk', async () => {
    const database = await createEventsDatabase(5);
    databases.push(database);
    // A topic another pipeline already writes the same table to: a real misconfiguration.
    const topic = uniqueTopic('tw-e2e-conflict');
    await createTopic(topic, 1);
    await produce(topic, [
      JSON.stringify({
        database,
        table: 'events',
        type: 'INSERT',
        isDdl: false,
        data: [{ id: '1' }],
      }),
    ]);
    const page = await openWizard();
    await fillEndpoints(page, { topic });
    await testConnectivityAndProceed(page);
    await page.waitForURL((url) => url.searchParams.get('step') === '2', { timeout: 60_000 });
    await page.getByRole('radio', { name: 'Canal JSON' }).check();
    await selectObjects(page, database, ['events']);
    await page.getByRole('button', { name: 'Next: Save Task Settings and Precheck' }).click();
    await page.waitForURL((url) => url.searchParams.get('step') === '3');

    const conflicts = page.locator('[data-precheck-item="destination.conflicts"]');
    await conflicts.and(page.locator('[data-precheck-status="fail"]')).waitFor({ timeout: 90_000 });
    await page.getByText('Precheck finished with failed items').waitFor({ timeout: 60_000 });
    await expect.poll(() => conflicts.textContent()).toMatch(/already holds messages for/);
    expect(await page.getByRole('button', { name: 'Next: Purchase Instance' }).isDisabled()).toBe(
      true,
    );
    await screenshot(page, 'wizard-ignore', '01-conflict-found');

    await conflicts.getByRole('button', { name: /^Ignore/ }).click();
    const dialog = page.getByRole('dialog', { name: /^Ignore "/ });
    await dialog.waitFor();
    await expect.poll(() => dialog.textContent()).toMatch(/The risk:/);
    await screenshot(page, 'wizard-ignore', '02-risk-confirmation');
    await expectAccessible(page, 'the ignore confirmation');
    await dialog.getByRole('button', { name: 'Ignore and accept the risk' }).click();
    await conflicts.and(page.locator('[data-precheck-status="ignored"]')).waitFor();
    await expect.poll(() => page.getByTestId('precheck-success-rate').textContent()).toBe('100%');
    await expect
      .poll(() => page.getByRole('button', { name: 'Next: Purchase Instance' }).isEnabled())
      .toBe(true);
    await screenshot(page, 'wizard-ignore', '03-ignored-next-unlocked');
    await page.getByRole('button', { name: 'Next: Purchase Instance' }).click();
    await page.locator('[data-instance-class="unlimited"]').waitFor();
    await expectAccessible(page, 'the purchase step');
    await screenshot(page, 'wizard-ignore', '04-purchase-instance');
    await closePage(page);
  });
});

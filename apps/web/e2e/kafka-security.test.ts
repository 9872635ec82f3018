import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { stackEndpoints } from '@tidewater/stack';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshot } from './browser';
import { api, closePage, expectAccessible, openPage, signIn } from './session';
import { fillEndpoints, testConnectivityAndProceed } from './wizard-steps';

/**
 * The wizard's Kafka security settings against the stack's broker: a client certificate on the
 * listener that requires one (saved with its key, which is never shown again and must be pasted
 * again when the brokers change), SCRAM-SHA-512 over TLS, and a missing certificate refused
 * with its own message.
 */

const kafka = stackEndpoints.kafka;
const pem = (file: string) => readFileSync(file, 'utf8');
const ca = pem(kafka.tls.caFile);
const clientCert = pem(kafka.tls.clientCertFile);
const clientKey = pem(kafka.tls.clientKeyFile);

let browser: Browser;

beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

async function openWizard(): Promise<Page> {
  const page = await openPage(browser);
  await signIn(page, '/tasks/new');
  await page.getByLabel('Task name').waitFor();
  return page;
}

const destinationOf = (page: Page) =>
  page.getByRole('region', { name: 'Destination: Apache Kafka' });

async function turnOnTls(page: Page, options: { isClientCertificate: boolean }): Promise<void> {
  const destination = destinationOf(page);
  await destination.getByLabel('Encrypt the connection with TLS').check();
  await destination.getByLabel('CA certificate (PEM)').fill(ca);
  if (options.isClientCertificate) {
    await destination.getByLabel('Client certificate (PEM)').fill(clientCert);
    await destination.getByLabel('Client private key (PEM)').fill(clientKey);
  }
}

describe('Kafka security in the wizard', () => {
  it('connects with a client certificate, keeps the key secret, and asks for it again after the brokers change', async () => {
    const page = await openWizard();
    await fillEndpoints(page, {
      brokerHosts: kafka.sslBrokers.join(','),
      topic: 'tidewater-e2e-mtls',
    });
    await turnOnTls(page, { isClientCertificate: true });
    await screenshot(page, 'kafka-security', '01-client-certificate');
    await expectAccessible(page, 'wizard step 1 with a client certificate');
    await testConnectivityAndProceed(page);
    await page.waitForURL((url) => url.searchParams.get('step') === '2', { timeout: 60_000 });
    const id = new URL(page.url()).searchParams.get('draft')!;

    const saved = await api(`/api/tasks/${id}`);
    expect(JSON.stringify(saved.body)).not.toContain('PRIVATE KEY');
    expect(saved.body.task.config.destination.tls).toMatchObject({
      enabled: true,
      clientCert: clientCert.trim(),
      hasClientKey: true,
    });

    await page.goto(`${new URL(page.url()).origin}/tasks/new?draft=${id}&step=1`);
    const key = destinationOf(page).getByLabel('Client private key (PEM)');
    await expect.poll(() => key.getAttribute('placeholder')).toBe('unchanged');
    expect(await key.inputValue()).toBe('');
    await destinationOf(page).getByLabel('Broker hosts').fill(kafka.saslSslBrokers.join(','));
    await testConnectivityAndProceed(page);
    await expect.poll(() => key.getAttribute('aria-invalid')).toBe('true');
    await expect
      .poll(() => destinationOf(page).locator('[data-field-error]').first().textContent())
      .toMatch(/Enter the client key again: the brokers changed/);
    await screenshot(page, 'kafka-security', '02-key-needed-after-brokers-change');
    await closePage(page);
  });

  it('connects with SCRAM-SHA-512 over TLS', async () => {
    const page = await openWizard();
    await fillEndpoints(page, {
      brokerHosts: kafka.saslSslBrokers.join(','),
      topic: 'tidewater-e2e-sasl-ssl',
    });
    const destination = destinationOf(page);
    await destination.getByRole('radio', { name: 'SASL/SCRAM-SHA-512' }).check();
    await destination.getByLabel('Kafka account').fill(kafka.sasl.username);
    await destination.getByLabel('Kafka password').fill(kafka.sasl.password);
    await turnOnTls(page, { isClientCertificate: false });
    await testConnectivityAndProceed(page);
    await page.waitForURL((url) => url.searchParams.get('step') === '2', { timeout: 60_000 });
    await closePage(page);
  });

  it('says the listener requires a client certificate when none is given', async () => {
    const page = await openWizard();
    await fillEndpoints(page, {
      brokerHosts: kafka.sslBrokers.join(','),
      topic: 'tidewater-e2e-nocert',
    });
    await turnOnTls(page, { isClientCertificate: false });
    await testConnectivityAndProceed(page);
    const outcome = page.getByTestId('connectivity-destination');
    await expect
      .poll(() => outcome.getAttribute('data-reachable'), { timeout: 60_000 })
      .toBe('false');
    await expect
      .poll(() => outcome.textContent())
      .toMatch(/requires a client certificate, and none was given/);
    await screenshot(page, 'kafka-security', '03-client-certificate-required');
    await closePage(page);
  });
});

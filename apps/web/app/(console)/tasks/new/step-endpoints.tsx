'use client';

import Link from 'next/link';
import { useId, useState, type FormEvent } from 'react';
import {
  destinationSchema,
  KAFKA_ENCRYPTIONS,
  kafkaEncryptionHelp,
  KAFKA_VERSIONS,
  kafkaEncryptionLabels,
  SOURCE_TYPES,
  sourceSchema,
  sourceTypeLabels,
  taskConfigSchema,
} from '@tidewater/config';
import type { DestinationConnectivity, SourceConnectivity } from '@tidewater/engine';
import { ApiError, apiSend } from '@/lib/api-client';
import { issuesByPath } from '@/lib/form-errors';
import { ErrorCallout } from '@/components/error-callout';
import { CheckboxField, RadioGroup, SelectField, TextField } from '@/components/field';
import { prefixedIssues, useInlineErrors, type FieldErrors } from './field-errors';
import type { StepProps } from './step-props';
import {
  destinationInput,
  needsKafkaCredentials,
  sourceInput,
  type WizardForm,
} from './wizard-form';

type Outcome<T> = { kind: 'result'; value: T } | { kind: 'error'; error: ApiError };

function validateEndpoints(form: WizardForm): FieldErrors {
  const errors: FieldErrors = {};
  const name = taskConfigSchema.shape.name.safeParse(form.name);
  if (!name.success) errors.name = issuesByPath(name.error)[''] ?? 'Check the task name.';
  const source = sourceSchema.safeParse(sourceInput(form));
  if (!source.success) Object.assign(errors, prefixedIssues('source', source.error));
  const destination = destinationSchema.safeParse(destinationInput(form));
  if (!destination.success) Object.assign(errors, prefixedIssues('destination', destination.error));
  if (
    needsKafkaCredentials(form) &&
    form.destination.password === '' &&
    !form.destination.hasStoredPassword
  ) {
    errors['destination.password'] =
      `${kafkaEncryptionLabels[form.destination.encryption]} needs the Kafka password.`;
  }
  const tls = form.destination.tls;
  if (tls.enabled && tls.clientCert.trim() && !tls.clientKey.trim() && !tls.hasStoredClientKey) {
    errors['destination.tls.clientKey'] = 'Paste the private key of the client certificate.';
  }
  return errors;
}

export function StepEndpoints({
  form,
  setForm,
  errors,
  setErrors,
  saveError,
  save,
  goTo,
  draftId,
}: StepProps) {
  const topicsListId = useId();
  const [sourceOutcome, setSourceOutcome] = useState<Outcome<SourceConnectivity> | null>(null);
  const [destinationOutcome, setDestinationOutcome] =
    useState<Outcome<DestinationConnectivity> | null>(null);
  const [isBusy, setBusy] = useState<'testing' | 'saving' | 'topics' | null>(null);
  const clientErrors = validateEndpoints(form);
  const inline = useInlineErrors(clientErrors, errors);

  const topics =
    destinationOutcome?.kind === 'result' && destinationOutcome.value.isReachable
      ? destinationOutcome.value.topics
      : null;

  function update(path: string, change: (current: WizardForm) => WizardForm) {
    inline.edit(path);
    setForm((current) => (current ? change(current) : current));
  }
  const setSource = <K extends keyof WizardForm['source']>(
    key: K,
    value: WizardForm['source'][K],
  ) =>
    update(`source.${String(key)}`, (current) => ({
      ...current,
      source: { ...current.source, [key]: value },
    }));
  const setDestination = <K extends keyof WizardForm['destination']>(
    key: K,
    value: WizardForm['destination'][K],
  ) =>
    update(`destination.${String(key)}`, (current) => ({
      ...current,
      destination: { ...current.destination, [key]: value },
    }));
  const setRegistry = (change: Partial<WizardForm['destination']['schemaRegistry']>) =>
    update(`destination.schemaRegistry.${Object.keys(change)[0] ?? 'url'}`, (current) => ({
      ...current,
      destination: {
        ...current.destination,
        schemaRegistry: { ...current.destination.schemaRegistry, ...change },
      },
    }));
  const fieldProps = (path: string) => ({
    error: inline.errorOf(path),
    onBlur: () => inline.touch(path),
  });

  async function testDestination(): Promise<Outcome<DestinationConnectivity>> {
    const path = draftId
      ? `/api/tasks/${draftId}/connectivity/destination`
      : '/api/connectivity/destination';
    try {
      return {
        kind: 'result',
        value: await apiSend<DestinationConnectivity>('POST', path, destinationInput(form)),
      };
    } catch (error) {
      if (error instanceof ApiError) return { kind: 'error', error };
      throw error;
    }
  }

  async function testSource(): Promise<Outcome<SourceConnectivity>> {
    const path = draftId ? `/api/tasks/${draftId}/connectivity/source` : '/api/connectivity/source';
    try {
      return {
        kind: 'result',
        value: await apiSend<SourceConnectivity>('POST', path, sourceInput(form)),
      };
    } catch (error) {
      if (error instanceof ApiError) return { kind: 'error', error };
      throw error;
    }
  }

  async function loadTopics() {
    inline.touch('destination.hosts');
    if (
      Object.keys(clientErrors).some(
        (path) => path === 'destination.hosts' || path === 'destination.port',
      )
    )
      return;
    setBusy('topics');
    // The broker is asked for its topics; the topic field may still be empty at this point.
    const probe = {
      ...form,
      destination: { ...form.destination, topic: form.destination.topic || 'tidewater' },
    };
    try {
      const path = draftId
        ? `/api/tasks/${draftId}/connectivity/destination`
        : '/api/connectivity/destination';
      setDestinationOutcome({
        kind: 'result',
        value: await apiSend<DestinationConnectivity>('POST', path, destinationInput(probe)),
      });
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      setDestinationOutcome({ kind: 'error', error });
    } finally {
      setBusy(null);
    }
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!inline.submit()) {
      setErrors({});
      focusFirstError();
      return;
    }
    setBusy('testing');
    setSourceOutcome(null);
    setDestinationOutcome(null);
    const [source, destination] = await Promise.all([testSource(), testDestination()]);
    setSourceOutcome(source);
    setDestinationOutcome(destination);
    const problems = {
      ...(source.kind === 'error' ? prefixedProblems('source', source.error) : {}),
      ...(destination.kind === 'error' ? prefixedProblems('destination', destination.error) : {}),
    };
    setErrors(problems);
    const isReady =
      source.kind === 'result' &&
      source.value.isReachable &&
      destination.kind === 'result' &&
      destination.value.isReachable;
    if (!isReady) {
      setBusy(null);
      return;
    }
    setBusy('saving');
    const id = await save({
      name: form.name,
      source: sourceInput(form),
      destination: destinationInput(form),
    });
    setBusy(null);
    if (id) goTo(2, id);
  }

  const isTopicUnknown = (name: string) =>
    topics !== null && name.trim() !== '' && !topics.some((topic) => topic.name === name.trim());
  const withCredentials = needsKafkaCredentials(form);

  return (
    <form onSubmit={submit} noValidate aria-label="Configure source and destination">
      <LimitsBanner />

      <section className="card wizard-section" aria-labelledby="task-heading">
        <h2 id="task-heading">Task</h2>
        <div className="form-grid">
          <TextField
            label="Task name"
            name="name"
            value={form.name}
            onChange={(name) => update('name', (current) => ({ ...current, name }))}
            hint="Generated; change it to something your team recognises."
            {...fieldProps('name')}
          />
        </div>
      </section>

      <section className="card wizard-section" aria-labelledby="source-heading">
        <h2 id="source-heading">Source database</h2>
        <div className="form-grid">
          <SelectField
            label="Database type"
            name="source-type"
            value={form.source.type}
            onChange={(type) => setSource('type', type)}
            options={SOURCE_TYPES.map((value) => ({ value, label: sourceTypeLabels[value] }))}
            isRequired
          />
          <TextField
            label="Host"
            name="source-host"
            value={form.source.host}
            onChange={(value) => setSource('host', value)}
            placeholder="db.internal or 10.0.0.12"
            autoComplete="off"
            isRequired
            {...fieldProps('source.host')}
          />
          <TextField
            label="Port"
            name="source-port"
            inputMode="numeric"
            value={form.source.port}
            onChange={(value) => setSource('port', value)}
            isRequired
            {...fieldProps('source.port')}
          />
          <TextField
            label="Database account"
            name="source-user"
            value={form.source.user}
            onChange={(value) => setSource('user', value)}
            autoComplete="off"
            isRequired
            {...fieldProps('source.user')}
          />
          <TextField
            label="Database password"
            name="source-password"
            type="password"
            value={form.source.password}
            onChange={(value) => setSource('password', value)}
            autoComplete="new-password"
            placeholder={form.source.hasStoredPassword ? 'unchanged' : ''}
            hint={
              form.source.hasStoredPassword
                ? 'Saved. Leave empty to keep it; it only goes to the server it was saved for, so type it again after changing host, port, account or TLS.'
                : undefined
            }
            {...fieldProps('source.password')}
          />
          {form.source.type === 'polardbx2' ? (
            <TextField
              label="Binlog stream"
              name="source-binlog-stream"
              value={form.source.binlogStream}
              onChange={(value) => setSource('binlogStream', value)}
              placeholder="group1_stream_0"
              autoComplete="off"
              hint="Multi-stream binlog only: the stream to follow, as SHOW BINARY STREAMS lists it. Leave empty for the global binlog."
              {...fieldProps('source.binlogStream')}
            />
          ) : null}
          <div className="span-all">
            <CheckboxField
              label="Encrypt the connection with TLS"
              name="source-tls"
              checked={form.source.tls.enabled}
              onChange={(enabled) => setSource('tls', { ...form.source.tls, enabled })}
            />
          </div>
          {form.source.tls.enabled ? (
            <TlsOptions
              prefix="source"
              tls={form.source.tls}
              onChange={(tls) => setSource('tls', tls)}
            />
          ) : null}
        </div>
      </section>

      <section className="card wizard-section" aria-labelledby="destination-heading">
        <h2 id="destination-heading">Destination: Apache Kafka</h2>
        <div className="form-grid">
          <TextField
            label="Broker hosts"
            name="destination-hosts"
            value={form.destination.hosts}
            onChange={(value) => setDestination('hosts', value)}
            placeholder="kafka1,kafka2 or 10.0.0.5:9092"
            hint="Bootstrap servers, separated by commas."
            isRequired
            {...fieldProps('destination.hosts')}
          />
          <TextField
            label="Port"
            name="destination-port"
            inputMode="numeric"
            value={form.destination.port}
            onChange={(value) => setDestination('port', value)}
            isRequired
            {...fieldProps('destination.port')}
          />
          <SelectField
            label="Kafka version"
            name="destination-version"
            value={form.destination.kafkaVersion}
            onChange={(value) => setDestination('kafkaVersion', value)}
            options={KAFKA_VERSIONS.map((value) => ({ value, label: value }))}
            hint="The precheck compares it with what the broker reports."
          />
          <RadioGroup
            legend="Encryption"
            name="destination-encryption"
            value={form.destination.encryption}
            onChange={(value) => setDestination('encryption', value)}
            options={KAFKA_ENCRYPTIONS.map((value) => ({
              value,
              label: kafkaEncryptionLabels[value],
            }))}
            hint={kafkaEncryptionHelp[form.destination.encryption]}
          />
          <TextField
            label="Kafka account"
            name="destination-user"
            value={withCredentials ? form.destination.user : ''}
            onChange={(value) => setDestination('user', value)}
            disabled={!withCredentials}
            autoComplete="off"
            hint={withCredentials ? undefined : 'Not needed: choose a SASL mechanism to sign in.'}
            {...fieldProps('destination.user')}
          />
          <TextField
            label="Kafka password"
            name="destination-password"
            type="password"
            value={withCredentials ? form.destination.password : ''}
            onChange={(value) => setDestination('password', value)}
            disabled={!withCredentials}
            autoComplete="new-password"
            placeholder={withCredentials && form.destination.hasStoredPassword ? 'unchanged' : ''}
            hint={
              withCredentials
                ? form.destination.hasStoredPassword
                  ? 'Saved. Leave empty to keep it; it only goes to the brokers it was saved for, so type it again after changing brokers, account or TLS.'
                  : undefined
                : 'Not needed: choose a SASL mechanism to sign in with a password.'
            }
            {...fieldProps('destination.password')}
          />
          <div className="span-all">
            <CheckboxField
              label="Encrypt the connection with TLS"
              name="destination-tls"
              checked={form.destination.tls.enabled}
              onChange={(enabled) => setDestination('tls', { ...form.destination.tls, enabled })}
            />
          </div>
          {form.destination.tls.enabled ? (
            <>
              <TlsOptions
                prefix="destination"
                tls={form.destination.tls}
                onChange={(tls) => setDestination('tls', { ...form.destination.tls, ...tls })}
              />
              <ClientCertificate
                tls={form.destination.tls}
                onChange={(tls) => setDestination('tls', tls)}
                certField={fieldProps('destination.tls.clientCert')}
                keyField={fieldProps('destination.tls.clientKey')}
              />
            </>
          ) : null}
          <div className="field-with-action">
            <TextField
              label="Topic"
              name="destination-topic"
              value={form.destination.topic}
              onChange={(value) => setDestination('topic', value)}
              list={topicsListId}
              autoComplete="off"
              isRequired
              hint={
                isTopicUnknown(form.destination.topic)
                  ? `⚠ The broker has no topic "${form.destination.topic.trim()}": create it first, or the precheck fails.`
                  : topics
                    ? `Choose one of the broker's ${topics.length} topics, or type a name.`
                    : 'Load the broker’s topics to choose from them, or type a name.'
              }
              {...fieldProps('destination.topic')}
            />
            <button
              type="button"
              className="button button-small"
              onClick={loadTopics}
              disabled={isBusy !== null}
            >
              {isBusy === 'topics' ? 'Loading…' : 'Load topics'}
            </button>
          </div>
          <TextField
            label="Topic that stores DDL information"
            name="destination-ddl-topic"
            value={form.destination.ddlTopic}
            onChange={(value) => setDestination('ddlTopic', value)}
            list={topicsListId}
            autoComplete="off"
            hint={
              isTopicUnknown(form.destination.ddlTopic)
                ? `⚠ The broker has no topic "${form.destination.ddlTopic.trim()}".`
                : 'Optional: DDL goes to the topic above when empty.'
            }
            {...fieldProps('destination.ddlTopic')}
          />
          <datalist id={topicsListId}>
            {(topics ?? []).map((topic) => (
              <option key={topic.name} value={topic.name}>
                {`${topic.partitions} partition(s)`}
              </option>
            ))}
          </datalist>
          <RadioGroup
            legend="Use a schema registry"
            name="destination-schema-registry"
            value={form.destination.schemaRegistry.enabled ? 'yes' : 'no'}
            onChange={(value) =>
              setDestination('schemaRegistry', {
                ...form.destination.schemaRegistry,
                enabled: value === 'yes',
              })
            }
            options={[
              { value: 'no', label: 'No' },
              { value: 'yes', label: 'Yes' },
            ]}
            hint="DTS Avro messages then carry the registry's schema id."
          />
          {form.destination.schemaRegistry.enabled ? (
            <>
              <TextField
                label="Schema registry URL"
                name="destination-schema-registry-url"
                value={form.destination.schemaRegistry.url}
                onChange={(url) => setRegistry({ url })}
                placeholder="http://registry:8081/apis/ccompat/v7"
                hint="The API root, without an account: that goes in the fields below."
                isRequired
                {...fieldProps('destination.schemaRegistry.url')}
              />
              <TextField
                label="Schema registry account"
                name="destination-schema-registry-user"
                value={form.destination.schemaRegistry.user}
                onChange={(user) => setRegistry({ user })}
                autoComplete="off"
                hint="Optional: sent with the password as HTTP Basic authentication."
                {...fieldProps('destination.schemaRegistry.user')}
              />
              <TextField
                label="Schema registry password"
                name="destination-schema-registry-password"
                type="password"
                value={form.destination.schemaRegistry.password}
                onChange={(password) => setRegistry({ password })}
                disabled={form.destination.schemaRegistry.user.trim() === ''}
                autoComplete="new-password"
                placeholder={form.destination.schemaRegistry.hasStoredPassword ? 'unchanged' : ''}
                hint={
                  form.destination.schemaRegistry.hasStoredPassword
                    ? 'Saved. Leave empty to keep it; it only goes to the registry it was saved for, so type it again after changing the URL or account.'
                    : undefined
                }
                {...fieldProps('destination.schemaRegistry.password')}
              />
            </>
          ) : null}
        </div>
      </section>

      {sourceOutcome || destinationOutcome ? (
        <section
          className="connectivity-results"
          aria-label="Connectivity results"
          aria-live="polite"
        >
          <ConnectivityResult side="Source" outcome={sourceOutcome} />
          <ConnectivityResult side="Destination" outcome={destinationOutcome} />
        </section>
      ) : null}
      {saveError && Object.keys(saveError.fieldProblems).length === 0 ? (
        <div className="wizard-section">
          <ErrorCallout error={saveError} title="The task could not be saved." />
        </div>
      ) : null}

      <div className="wizard-footer">
        <Link className="button" href="/tasks">
          Cancel
        </Link>
        <button type="submit" className="button button-primary" disabled={isBusy !== null}>
          {isBusy === 'testing'
            ? 'Testing connectivity…'
            : isBusy === 'saving'
              ? 'Saving…'
              : 'Test Connectivity and Proceed'}
        </button>
        <span className="status-text" role="status">
          {isBusy === 'testing' ? 'Connecting to the source and to Kafka…' : ''}
        </span>
      </div>
    </form>
  );
}

/** Field problems of a connectivity request's 400, prefixed with the side. */
function prefixedProblems(prefix: string, error: ApiError): FieldErrors {
  const problems: FieldErrors = {};
  for (const [path, message] of Object.entries(error.fieldProblems))
    problems[`${prefix}.${path}`] = message;
  return problems;
}

function focusFirstError() {
  requestAnimationFrame(() => {
    document.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  });
}

function TlsOptions({
  prefix,
  tls,
  onChange,
}: {
  prefix: string;
  tls: WizardForm['source']['tls'];
  onChange: (tls: WizardForm['source']['tls']) => void;
}) {
  const id = useId();
  return (
    <>
      <div className="field span-all">
        <label htmlFor={id} className="field-label">
          CA certificate (PEM)
        </label>
        <textarea
          id={id}
          className="input"
          value={tls.ca}
          onChange={(event) => onChange({ ...tls, ca: event.target.value })}
          placeholder="-----BEGIN CERTIFICATE-----"
          aria-describedby={`${id}-hint`}
        />
        <p className="field-hint" id={`${id}-hint`}>
          Optional: the system&apos;s certificate authorities are used when empty.
        </p>
      </div>
      <div className="span-all">
        <CheckboxField
          label="Verify the server certificate"
          name={`${prefix}-tls-verify`}
          checked={tls.rejectUnauthorized}
          onChange={(rejectUnauthorized) => onChange({ ...tls, rejectUnauthorized })}
        />
      </div>
    </>
  );
}

/** Mutual TLS: the certificate Kafka asks of clients (`ssl.client.auth=required`) and its key. */
function ClientCertificate({
  tls,
  onChange,
  certField,
  keyField,
}: {
  tls: WizardForm['destination']['tls'];
  onChange: (tls: WizardForm['destination']['tls']) => void;
  certField: { error: string | undefined; onBlur: () => void };
  keyField: { error: string | undefined; onBlur: () => void };
}) {
  return (
    <>
      <PemField
        label="Client certificate (PEM)"
        name="destination-tls-client-cert"
        value={tls.clientCert}
        onChange={(clientCert) => onChange({ ...tls, clientCert })}
        placeholder="-----BEGIN CERTIFICATE-----"
        hint="Optional: for brokers that require a client certificate (mutual TLS)."
        {...certField}
      />
      {tls.clientCert.trim() ? (
        <PemField
          label="Client private key (PEM)"
          name="destination-tls-client-key"
          value={tls.clientKey}
          onChange={(clientKey) => onChange({ ...tls, clientKey })}
          placeholder={tls.hasStoredClientKey ? 'unchanged' : '-----BEGIN PRIVATE KEY-----'}
          hint={
            tls.hasStoredClientKey
              ? 'Saved. Leave empty to keep it; it is only used with the brokers it was saved for, so paste it again after changing brokers, account or TLS.'
              : 'Unencrypted PEM. Stored encrypted and never shown again.'
          }
          {...keyField}
        />
      ) : null}
    </>
  );
}

function PemField(props: {
  label: string;
  name: string;
  value: string;
  onChange: (value: string) => void;
  placeholder: string;
  hint: string;
  error: string | undefined;
  onBlur: () => void;
}) {
  const id = useId();
  const describedBy = [`${id}-hint`, props.error ? `${id}-error` : null].filter(Boolean).join(' ');
  return (
    <div className={`field span-all${props.error ? ' field-invalid' : ''}`}>
      <label htmlFor={id} className="field-label">
        {props.label}
      </label>
      <textarea
        id={id}
        name={props.name}
        className="input"
        value={props.value}
        onChange={(event) => props.onChange(event.target.value)}
        onBlur={props.onBlur}
        placeholder={props.placeholder}
        autoComplete="off"
        spellCheck={false}
        aria-invalid={props.error ? true : undefined}
        aria-describedby={describedBy}
      />
      <p className="field-hint" id={`${id}-hint`}>
        {props.hint}
      </p>
      {props.error ? (
        <p className="field-error" id={`${id}-error`} data-field-error>
          {props.error}
        </p>
      ) : null}
    </div>
  );
}

function ConnectivityResult({
  side,
  outcome,
}: {
  side: 'Source' | 'Destination';
  outcome: Outcome<SourceConnectivity> | Outcome<DestinationConnectivity> | null;
}) {
  const testId = `connectivity-${side.toLowerCase()}`;
  if (!outcome) return <div className="card" data-testid={testId} />;
  if (outcome.kind === 'error') {
    return (
      <div data-testid={testId} data-reachable="false">
        <ErrorCallout error={outcome.error} title={`${side}: the test could not run`} />
      </div>
    );
  }
  const result = outcome.value;
  if (!result.isReachable) {
    return (
      <div data-testid={testId} data-reachable="false">
        <ErrorCallout error={result.error} title={`${side}: connection failed`} />
      </div>
    );
  }
  return (
    <div className="callout callout-ok" data-testid={testId} data-reachable="true">
      <strong className="callout-title">{side}: connected</strong>
      {'server' in result ? (
        <>
          <p>{result.server.description}</p>
          <p>
            <strong>Security note:</strong> Tidewater&apos;s workers connect to the source from{' '}
            <code data-testid="client-address">{result.clientAddress}</code>. Allow this address in
            the database&apos;s firewall or security group (and in the account&apos;s host pattern).
          </p>
        </>
      ) : (
        <>
          <p>
            Kafka {result.brokerVersion}; {result.topics.length} topic(s) on the broker.
          </p>
          {result.schemaRegistry ? (
            <p className={result.schemaRegistry.isReachable ? undefined : 'field-error'}>
              Schema registry: {result.schemaRegistry.message}
            </p>
          ) : null}
        </>
      )}
    </div>
  );
}

/** What this scenario supports and what the source account needs, as the cloud console lists it. */
function LimitsBanner() {
  return (
    <section className="callout callout-info limits-banner" aria-labelledby="limits-heading">
      <strong id="limits-heading" className="callout-title">
        Limits of migrating a MySQL-compatible database to Kafka
      </strong>
      <ul>
        <li>
          Incremental migration sends DML: <strong>INSERT, UPDATE and DELETE</strong>. DDL
          statements go to the DDL topic as information; they are not replayed.
        </li>
        <li>
          The source needs binary logging with <code>binlog_format=ROW</code> and{' '}
          <code>binlog_row_image=FULL</code>, kept for at least 24 hours (7 days recommended).
        </li>
        <li>
          Tables without a primary key or unique key may produce duplicate messages after a retry.
        </li>
      </ul>
      <details>
        <summary>Privileges the source account needs</summary>
        <table className="table" aria-label="Required privileges">
          <thead>
            <tr>
              <th scope="col">Stage</th>
              <th scope="col">Source database account</th>
            </tr>
          </thead>
          <tbody>
            <tr>
              <td>Schema migration</td>
              <td>SELECT</td>
            </tr>
            <tr>
              <td>Full migration</td>
              <td>
                SELECT, REPLICATION CLIENT, REPLICATION SLAVE (for the snapshot&apos;s binlog
                position)
              </td>
            </tr>
            <tr>
              <td>Incremental migration</td>
              <td>SELECT, REPLICATION CLIENT, REPLICATION SLAVE (and BINLOG MONITOR on MariaDB)</td>
            </tr>
          </tbody>
        </table>
      </details>
    </section>
  );
}

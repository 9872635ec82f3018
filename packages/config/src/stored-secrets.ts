import { TidewaterError } from '@tidewater/errors';
import {
  brokerAddresses,
  type DestinationConfig,
  type SourceConfig,
  usesKafkaLogin,
  type TaskConfig,
} from './task-config';

/**
 * A stored secret is only ever sent to the endpoint it was entered for.
 *
 * The API never returns passwords, so an operator who edits a task or tests its connectivity
 * leaves them out and the stored ones are used. That is safe only while the request points at
 * the same server: anyone allowed to call the API could otherwise aim a saved task at a server
 * of their own and collect the password (without TLS, mysql2 encrypts `caching_sha2_password`
 * with whatever RSA key the server sends; a SCRAM proof can be cracked offline; a registry gets
 * HTTP Basic authentication). So a stored secret is reused only while the host, port, account
 * and TLS settings it was saved with are unchanged; otherwise the request must carry it again
 * (`PASSWORD_REQUIRED`, HTTP 400). URLs the API returns are masked the same way (`maskUrl`),
 * and a masked URL sent back means the stored one.
 */

/** The destination as "Test Connectivity" takes it: the connection, without the topics. */
export type DestinationConnection = Omit<DestinationConfig, 'topic' | 'ddlTopic'>;

type Tls = SourceConfig['tls'];

/** The settings that decide where a secret goes. */
export type Endpoint =
  | { kind: 'source'; host: string; port: number; user: string; tls: Tls }
  | {
      kind: 'kafka';
      brokers: string[];
      user: string;
      encryption: DestinationConfig['encryption'];
      tls: Tls;
    }
  | { kind: 'registry'; url: string; user: string };

export function sourceEndpoint(source: SourceConfig): Endpoint {
  return {
    kind: 'source',
    host: source.host,
    port: source.port,
    user: source.user,
    tls: source.tls,
  };
}

export function kafkaEndpoint(
  destination: Pick<DestinationConnection, 'hosts' | 'port' | 'user' | 'encryption' | 'tls'>,
): Endpoint {
  return {
    kind: 'kafka',
    brokers: brokerAddresses(destination),
    user: destination.user ?? '',
    encryption: destination.encryption,
    tls: destination.tls,
  };
}

export function registryEndpoint(registry: { url: string; user?: string | undefined }): Endpoint {
  return { kind: 'registry', url: registry.url, user: registry.user ?? '' };
}

/**
 * What differs between the endpoint a secret was stored for and a submitted one, in the
 * operator's words (`host`, `port`, `account`, `TLS settings`, `brokers`, `encryption`,
 * `registry URL`); empty when the secret may go there. TLS settings are the switch, the
 * certificate check and the CA; they do not matter while TLS is off on both. A list of fewer of
 * the same Kafka brokers is the same endpoint.
 */
export function endpointChanges(stored: Endpoint, submitted: Endpoint): string[] {
  const changes: string[] = [];
  const note = (isChanged: boolean, what: string) => {
    if (isChanged) changes.push(what);
  };
  switch (submitted.kind) {
    case 'source': {
      if (stored.kind !== 'source') return ['server'];
      note(stored.host !== submitted.host, 'host');
      note(stored.port !== submitted.port, 'port');
      note(stored.user !== submitted.user, 'account');
      note(!isSameTls(stored.tls, submitted.tls), 'TLS settings');
      return changes;
    }
    case 'kafka': {
      if (stored.kind !== 'kafka') return ['server'];
      const known = new Set(stored.brokers);
      note(!submitted.brokers.every((broker) => known.has(broker)), 'brokers');
      note(stored.user !== submitted.user, 'account');
      note(stored.encryption !== submitted.encryption, 'encryption');
      note(!isSameTls(stored.tls, submitted.tls), 'TLS settings');
      return changes;
    }
    case 'registry': {
      if (stored.kind !== 'registry') return ['server'];
      note(registryRoot(stored.url) !== registryRoot(submitted.url), 'registry URL');
      note(stored.user !== submitted.user, 'account');
      return changes;
    }
  }
}

function isSameTls(stored: Tls, submitted: Tls): boolean {
  if (!stored.enabled && !submitted.enabled) return true;
  return (
    stored.enabled === submitted.enabled &&
    stored.rejectUnauthorized === submitted.rejectUnauthorized &&
    (stored.ca ?? '').trim() === (submitted.ca ?? '').trim()
  );
}

function registryRoot(url: string): string {
  return URL.canParse(url) ? new URL(url).href.replace(/\/+$/, '') : url;
}

type Stored = { source: SourceConfig; destination: DestinationConnection };
type Submitted<S extends SourceConfig, D extends DestinationConnection> = {
  source?: S | undefined;
  destination?: D | undefined;
};

interface MissingSecret {
  subject: 'Source' | 'Kafka' | 'Schema registry';
  /** What must be entered again. */
  secret: 'password' | 'client key';
  path: string;
  changes: string[];
}

/**
 * Fills each password the submitted settings leave out with the stored one, where the
 * submitted endpoint is the one it was stored for (`endpointChanges` is empty). A password the
 * request carries is used as sent. A stored empty password protects nothing and is kept. A
 * stored password the submitted settings do not use (Kafka without a SASL login, a registry
 * without an account) is dropped. The Kafka client key (`tls.clientKey`) follows the same rule
 * as the Kafka password: reused only while the brokers, account, mechanism and TLS settings are
 * the ones it was saved with and a client certificate is still given. Otherwise the request is refused with `PASSWORD_REQUIRED`, one
 * problem per missing password; `paths` says where the sides sit in the request body: `task`
 * for a whole task (`source.password`), `side` for one side (`password`).
 */
export function keepStoredSecrets<S extends SourceConfig, D extends DestinationConnection>(
  stored: Stored,
  submitted: Submitted<S, D>,
  paths: 'task' | 'side',
): Submitted<S, D> {
  const missing: MissingSecret[] = [];
  const pathOf = (side: 'source' | 'destination', field: string) =>
    paths === 'task' ? `${side}.${field}` : field;
  /** The stored secret when it may go to the submitted endpoint; undefined when refused. */
  const reuse = (
    secret: string | undefined,
    changes: string[],
    refused: Omit<MissingSecret, 'changes'>,
  ): string | undefined => {
    if (secret === undefined || secret === '' || changes.length === 0) return secret;
    missing.push({ ...refused, changes });
    return undefined;
  };

  let source = submitted.source;
  if (source !== undefined && source.password === undefined) {
    const password = reuse(
      stored.source.password,
      endpointChanges(sourceEndpoint(stored.source), sourceEndpoint(source)),
      { subject: 'Source', secret: 'password', path: pathOf('source', 'password') },
    );
    source = { ...source, password };
  }

  let destination = submitted.destination;
  if (destination !== undefined) {
    const kafkaChanges = endpointChanges(
      kafkaEndpoint(stored.destination),
      kafkaEndpoint(destination),
    );
    if (destination.password === undefined && usesKafkaLogin(destination.encryption)) {
      const password = reuse(stored.destination.password, kafkaChanges, {
        subject: 'Kafka',
        secret: 'password',
        path: pathOf('destination', 'password'),
      });
      destination = { ...destination, password };
    }
    const tls = destination.tls;
    if (tls.clientKey === undefined && tls.enabled && tls.clientCert !== undefined) {
      const clientKey = reuse(stored.destination.tls.clientKey, kafkaChanges, {
        subject: 'Kafka',
        secret: 'client key',
        path: pathOf('destination', 'tls.clientKey'),
      });
      destination = { ...destination, tls: { ...tls, clientKey } };
    }
    const registry = destination.schemaRegistry;
    const storedRegistry = stored.destination.schemaRegistry;
    if (registry.enabled && storedRegistry.enabled) {
      const url = restoreMaskedUrls([registry.url], [storedRegistry.url])[0] ?? registry.url;
      let password = registry.password;
      if (password === undefined && registry.user !== undefined) {
        password = reuse(
          storedRegistry.password,
          endpointChanges(registryEndpoint(storedRegistry), registryEndpoint({ ...registry, url })),
          {
            subject: 'Schema registry',
            secret: 'password',
            path: pathOf('destination', 'schemaRegistry.password'),
          },
        );
      }
      destination = { ...destination, schemaRegistry: { ...registry, url, password } };
    }
  }

  if (missing.length > 0) throw passwordRequired(missing);
  return {
    ...(source === undefined ? {} : { source }),
    ...(destination === undefined ? {} : { destination }),
  };
}

/**
 * A whole task as edited: `keepStoredSecrets` for both sides, and webhook contacts sent back
 * masked (as the API returned them) restored to the stored URLs.
 */
export function keepStoredTaskSecrets(stored: TaskConfig, submitted: TaskConfig): TaskConfig {
  const sides = keepStoredSecrets(stored, submitted, 'task');
  const alerts = submitted.advanced.alerts;
  const storedAlerts = stored.advanced.alerts;
  return {
    ...submitted,
    source: sides.source ?? submitted.source,
    destination: sides.destination ?? submitted.destination,
    advanced: {
      ...submitted.advanced,
      alerts:
        alerts.enabled && storedAlerts.enabled
          ? { ...alerts, contacts: restoreMaskedUrls(alerts.contacts, storedAlerts.contacts) }
          : alerts,
    },
  };
}

/** The configuration without any password or key: the base an edit is merged over. */
export function withoutSecrets(config: TaskConfig): TaskConfig {
  const { password: _source, ...source } = config.source;
  const { password: _kafka, ...destination } = config.destination;
  const { clientKey: _clientKey, ...tls } = config.destination.tls;
  const registry = config.destination.schemaRegistry;
  let schemaRegistry: DestinationConfig['schemaRegistry'] = registry;
  if (registry.enabled) {
    const { password: _registry, ...rest } = registry;
    schemaRegistry = rest;
  }
  return { ...config, source, destination: { ...destination, tls, schemaRegistry } };
}

function passwordRequired(missing: MissingSecret[]): TidewaterError {
  const [first] = missing as [MissingSecret, ...MissingSecret[]];
  return new TidewaterError(
    'PASSWORD_REQUIRED',
    `${first.subject}: the ${listWords(first.changes)} changed since the ${first.secret} was saved, and a saved ${first.secret} is only sent to the server it was entered for.`,
    {
      category: 'invalid_input',
      remedy: `Enter the ${first.secret} again to use it with the new settings, or undo the change to keep the saved one.`,
      details: {
        problems: missing.map((secret) => ({
          path: secret.path,
          message: `Enter the ${secret.secret} again: the ${listWords(secret.changes)} changed since it was saved.`,
        })),
      },
    },
  );
}

function listWords(words: string[]): string {
  if (words.length <= 1) return words.join('');
  return `${words.slice(0, -1).join(', ')} and ${words.at(-1)}`;
}

const MASK = '***';

/** A path segment that looks like a credential: long, mixing letters and digits (webhook tokens, UUIDs). */
function looksLikeToken(segment: string): boolean {
  return segment.length >= 16 && /[0-9]/.test(segment) && /[A-Za-z]/.test(segment);
}

/**
 * A URL as the API returns it and the logs print it: the account and password, every query
 * value, the fragment and token-like path segments replaced by `***`; scheme, host, port and the
 * rest of the path kept, so the operator still recognises it. Unchanged when there is nothing
 * to hide; `***` alone when it is not a URL at all.
 */
export function maskUrl(url: string): string {
  if (!URL.canParse(url)) return MASK;
  const parsed = new URL(url);
  let isMasked = false;
  if (parsed.username !== '' || parsed.password !== '') {
    parsed.username = MASK;
    parsed.password = '';
    isMasked = true;
  }
  const segments = parsed.pathname.split('/');
  if (segments.some(looksLikeToken)) {
    parsed.pathname = segments
      .map((segment) => (looksLikeToken(segment) ? MASK : segment))
      .join('/');
    isMasked = true;
  }
  if (parsed.search !== '') {
    const names = [...new Set(parsed.searchParams.keys())];
    parsed.search = names.map((name) => `${encodeURIComponent(name)}=${MASK}`).join('&');
    isMasked = true;
  }
  if (parsed.hash !== '') {
    parsed.hash = MASK;
    isMasked = true;
  }
  return isMasked ? parsed.href : url;
}

/**
 * URLs sent back as the API returned them: each one equal to the mask of a stored URL (and not
 * itself stored) is that stored URL, matched in order; the others are new and kept as sent.
 */
export function restoreMaskedUrls(submitted: string[], stored: string[]): string[] {
  const unused = stored.filter((url) => maskUrl(url) !== url);
  return submitted.map((url) => {
    if (stored.includes(url)) return url;
    const index = unused.findIndex((candidate) => maskUrl(candidate) === url);
    if (index === -1) return url;
    const [original] = unused.splice(index, 1);
    return original ?? url;
  });
}

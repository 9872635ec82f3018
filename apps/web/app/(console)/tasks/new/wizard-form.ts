import {
  DEFAULT_SOURCE_TYPE,
  generateTaskName,
  TASK_DEFAULTS,
  usesKafkaLogin,
  type CanalJsonValues,
  type Capitalization,
  type ConflictMode,
  type DataFormat,
  type InstanceClass,
  type KafkaEncryption,
  type PartitionPolicy,
  type SelectedObject,
  type SourceType,
  type Stage,
  type TaskConfigInput,
} from '@tidewater/config';
import type { PublicTaskConfig } from '@tidewater/db';

/**
 * What the wizard's fields hold. Numbers stay strings while typed (the zod schemas coerce
 * them); passwords are empty unless the operator types one — an empty password field on a
 * saved task means "unchanged", and the API keeps the stored one as long as the host, port,
 * account and TLS settings it was saved with are unchanged (else it asks for it again).
 * The enums and defaults are `@tidewater/config`'s, never retyped here.
 */
interface TlsFields {
  enabled: boolean;
  ca: string;
  rejectUnauthorized: boolean;
}

export interface WizardForm {
  name: string;
  source: {
    type: SourceType;
    host: string;
    port: string;
    user: string;
    password: string;
    hasStoredPassword: boolean;
    tls: TlsFields;
    /** PolarDB-X 2.0: the binlog stream to follow; empty for the global binlog. */
    binlogStream: string;
  };
  destination: {
    hosts: string;
    port: string;
    user: string;
    password: string;
    hasStoredPassword: boolean;
    kafkaVersion: string;
    encryption: KafkaEncryption;
    tls: KafkaTlsForm;
    topic: string;
    ddlTopic: string;
    schemaRegistry: {
      enabled: boolean;
      url: string;
      user: string;
      password: string;
      hasStoredPassword: boolean;
    };
  };
  stages: Record<Stage, boolean>;
  conflictMode: ConflictMode;
  format: DataFormat;
  partitionPolicy: PartitionPolicy;
  objects: SelectedObject[];
  advanced: {
    alerts: { enabled: boolean; latencyThresholdSeconds: string; contacts: string };
    capitalization: Capitalization;
    retryMinutes: string;
    canalJsonValues: CanalJsonValues;
  };
  instanceClass: InstanceClass;
}

/**
 * Kafka's TLS: the source's fields and a client certificate. The key, like a password, is
 * empty unless typed; on a saved task an empty key field means the stored one.
 */
export interface KafkaTlsForm {
  enabled: boolean;
  ca: string;
  rejectUnauthorized: boolean;
  clientCert: string;
  clientKey: string;
  hasStoredClientKey: boolean;
}

export function emptyForm(): WizardForm {
  const defaults = TASK_DEFAULTS;
  return {
    name: generateTaskName(),
    source: {
      type: DEFAULT_SOURCE_TYPE,
      host: '',
      port: String(defaults.sourcePort),
      user: '',
      password: '',
      hasStoredPassword: false,
      tls: { ...defaults.tls, ca: '' },
      binlogStream: '',
    },
    destination: {
      hosts: '',
      port: String(defaults.brokerPort),
      user: '',
      password: '',
      hasStoredPassword: false,
      kafkaVersion: defaults.kafkaVersion,
      encryption: defaults.encryption,
      tls: {
        ...defaults.tls,
        ca: '',
        clientCert: '',
        clientKey: '',
        hasStoredClientKey: false,
      },
      topic: '',
      ddlTopic: '',
      schemaRegistry: { enabled: false, url: '', user: '', password: '', hasStoredPassword: false },
    },
    stages: { ...defaults.stages },
    conflictMode: defaults.conflictMode,
    format: defaults.format,
    partitionPolicy: defaults.partitionPolicy,
    objects: [],
    advanced: {
      alerts: {
        enabled: false,
        latencyThresholdSeconds: String(defaults.latencyThresholdSeconds),
        contacts: '',
      },
      capitalization: defaults.capitalization,
      retryMinutes: String(defaults.retryMinutes),
      canalJsonValues: defaults.canalJsonValues,
    },
    instanceClass: defaults.instanceClass,
  };
}

/** A saved task's configuration back into the fields (passwords stay empty: "unchanged"). */
export function formFromConfig(name: string, config: PublicTaskConfig): WizardForm {
  const base = emptyForm();
  const tls = (value: { enabled: boolean; ca?: string; rejectUnauthorized: boolean }) => ({
    enabled: value.enabled,
    ca: value.ca ?? '',
    rejectUnauthorized: value.rejectUnauthorized,
  });
  const alerts = config.advanced.alerts;
  return {
    name,
    source: {
      type: config.source.type,
      host: config.source.host,
      port: String(config.source.port),
      user: config.source.user,
      password: '',
      hasStoredPassword: config.source.hasPassword,
      tls: tls(config.source.tls),
      binlogStream: config.source.binlogStream ?? '',
    },
    destination: {
      hosts: config.destination.hosts,
      port: String(config.destination.port),
      user: config.destination.user ?? '',
      password: '',
      hasStoredPassword: config.destination.hasPassword,
      kafkaVersion: config.destination.kafkaVersion,
      encryption: config.destination.encryption,
      tls: {
        ...tls(config.destination.tls),
        clientCert: config.destination.tls.clientCert ?? '',
        clientKey: '',
        hasStoredClientKey: config.destination.tls.hasClientKey,
      },
      topic: config.destination.topic,
      ddlTopic: config.destination.ddlTopic ?? '',
      schemaRegistry: config.destination.schemaRegistry.enabled
        ? {
            enabled: true,
            // Masked by the API when it holds a token; sent back as is, it means the stored URL.
            url: config.destination.schemaRegistry.url,
            user: config.destination.schemaRegistry.user ?? '',
            password: '',
            hasStoredPassword: config.destination.schemaRegistry.hasPassword,
          }
        : base.destination.schemaRegistry,
    },
    stages: { ...config.stages },
    conflictMode: config.conflictMode,
    format: config.format,
    partitionPolicy: config.partitionPolicy,
    objects: config.objects,
    advanced: {
      alerts: alerts.enabled
        ? {
            enabled: true,
            latencyThresholdSeconds: String(alerts.latencyThresholdSeconds),
            contacts: alerts.contacts.join('\n'),
          }
        : base.advanced.alerts,
      capitalization: config.advanced.capitalization,
      retryMinutes: String(config.advanced.retryMinutes),
      canalJsonValues: config.advanced.canalJsonValues,
    },
    instanceClass: config.instanceClass,
  };
}

function tlsInput(tls: TlsFields) {
  return {
    enabled: tls.enabled,
    rejectUnauthorized: tls.rejectUnauthorized,
    ...(tls.enabled && tls.ca.trim() ? { ca: tls.ca } : {}),
  };
}

/**
 * The source as the API takes it. A password is sent when typed; on a saved task an empty
 * field is left out, so the stored password is kept.
 */
export function sourceInput(form: WizardForm): TaskConfigInput['source'] {
  const { source } = form;
  return {
    type: source.type,
    host: source.host,
    port: source.port,
    user: source.user,
    ...(source.password !== '' || !source.hasStoredPassword ? { password: source.password } : {}),
    tls: tlsInput(source.tls),
    // Only PolarDB-X 2.0 has streams. Always sent, empty for the other types: a draft's
    // source is merged over the stored one, whose stream must go when the type changes.
    binlogStream: source.type === 'polardbx2' ? source.binlogStream : '',
  };
}

/** Whether the destination's encryption uses an account and password at all. */
export function needsKafkaCredentials(form: WizardForm): boolean {
  return usesKafkaLogin(form.destination.encryption);
}

/** Kafka's TLS as the API takes it: an empty key field on a saved task keeps the stored key. */
function kafkaTlsInput(tls: KafkaTlsForm) {
  const clientCert = tls.enabled ? tls.clientCert.trim() : '';
  return {
    ...tlsInput(tls),
    ...(clientCert ? { clientCert } : {}),
    ...(clientCert && tls.clientKey.trim() ? { clientKey: tls.clientKey } : {}),
  };
}

export function destinationInput(form: WizardForm): TaskConfigInput['destination'] {
  const { destination } = form;
  const withCredentials = needsKafkaCredentials(form);
  return {
    hosts: destination.hosts,
    port: destination.port,
    ...(withCredentials && destination.user.trim() ? { user: destination.user } : {}),
    ...(withCredentials && (destination.password !== '' || !destination.hasStoredPassword)
      ? { password: destination.password }
      : {}),
    kafkaVersion: destination.kafkaVersion,
    encryption: destination.encryption,
    tls: kafkaTlsInput(destination.tls),
    topic: destination.topic,
    ...(destination.ddlTopic.trim() ? { ddlTopic: destination.ddlTopic } : {}),
    schemaRegistry: schemaRegistryInput(destination.schemaRegistry),
  };
}

/** The registry with its account; the password as for the other sides (empty means kept). */
function schemaRegistryInput(
  registry: WizardForm['destination']['schemaRegistry'],
): TaskConfigInput['destination']['schemaRegistry'] {
  if (!registry.enabled) return { enabled: false };
  const user = registry.user.trim();
  return {
    enabled: true,
    url: registry.url,
    ...(user ? { user } : {}),
    ...(user && (registry.password !== '' || !registry.hasStoredPassword)
      ? { password: registry.password }
      : {}),
  };
}

export function advancedInput(form: WizardForm): TaskConfigInput['advanced'] {
  const { alerts } = form.advanced;
  return {
    alerts: alerts.enabled
      ? {
          enabled: true,
          latencyThresholdSeconds: alerts.latencyThresholdSeconds,
          contacts: alerts.contacts
            .split('\n')
            .map((line) => line.trim())
            .filter((line) => line !== ''),
        }
      : { enabled: false },
    capitalization: form.advanced.capitalization,
    retryMinutes: form.advanced.retryMinutes,
    canalJsonValues: form.advanced.canalJsonValues,
  };
}

/** The whole configuration, for the zod check and for saving. */
export function configInput(form: WizardForm): TaskConfigInput {
  return {
    name: form.name,
    source: sourceInput(form),
    destination: destinationInput(form),
    stages: form.stages,
    conflictMode: form.conflictMode,
    format: form.format,
    partitionPolicy: form.partitionPolicy,
    objects: form.objects,
    advanced: advancedInput(form),
    instanceClass: form.instanceClass,
  };
}

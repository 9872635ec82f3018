'use client';

import { useState, type FormEvent } from 'react';
import {
  advancedSchema,
  CANAL_JSON_VALUES,
  canalJsonValuesHelp,
  canalJsonValuesLabels,
  CAPITALIZATIONS,
  capitalizationLabels,
  CONFLICT_MODES,
  conflictModeLabels,
  DATA_FORMATS,
  dataFormatLabels,
  PARTITION_POLICIES,
  partitionPolicyLabels,
  STAGES,
  stageLabels,
  stagesSchema,
} from '@tidewater/config';
import { issuesByPath } from '@/lib/form-errors';
import { ErrorCallout } from '@/components/error-callout';
import { CheckboxField, RadioGroup, SelectField, TextField } from '@/components/field';
import { prefixedIssues, useInlineErrors, type FieldErrors } from './field-errors';
import { ObjectPicker } from './object-picker';
import type { StepProps } from './step-props';
import { advancedInput, type WizardForm } from './wizard-form';

function validateObjectsStep(form: WizardForm): FieldErrors {
  const errors: FieldErrors = {};
  const stages = stagesSchema.safeParse(form.stages);
  if (!stages.success)
    errors.stages = Object.values(issuesByPath(stages.error))[0] ?? 'Choose a stage.';
  const advanced = advancedSchema.safeParse(advancedInput(form));
  if (!advanced.success) {
    const issues = prefixedIssues('advanced', advanced.error);
    // Contacts are typed one per line; report any bad line on the text area.
    for (const [path, message] of Object.entries(issues)) {
      errors[path.startsWith('advanced.alerts.contacts') ? 'advanced.alerts.contacts' : path] ??=
        message;
    }
  }
  if (form.objects.length === 0)
    errors.objects = 'Select at least one database or table to migrate.';
  return errors;
}

export function StepObjects({
  form,
  setForm,
  errors,
  setErrors,
  saveError,
  save,
  goTo,
  taskId,
}: StepProps & { taskId: string }) {
  const [isSaving, setSaving] = useState(false);
  const clientErrors = validateObjectsStep(form);
  const inline = useInlineErrors(clientErrors, errors);

  function update(path: string, change: (current: WizardForm) => WizardForm) {
    inline.edit(path);
    setForm((current) => (current ? change(current) : current));
  }
  const setAdvanced = (
    path: string,
    change: (advanced: WizardForm['advanced']) => WizardForm['advanced'],
  ) => update(path, (current) => ({ ...current, advanced: change(current.advanced) }));
  const fieldProps = (path: string) => ({
    error: inline.errorOf(path),
    onBlur: () => inline.touch(path),
  });

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!inline.submit()) {
      setErrors({});
      requestAnimationFrame(() =>
        document.querySelector<HTMLElement>('[aria-invalid="true"], [role="alert"]')?.focus(),
      );
      return;
    }
    setSaving(true);
    const id = await save({
      stages: form.stages,
      conflictMode: form.conflictMode,
      format: form.format,
      partitionPolicy: form.partitionPolicy,
      objects: form.objects,
      advanced: advancedInput(form),
    });
    setSaving(false);
    if (id) goTo(3);
  }

  const alerts = form.advanced.alerts;
  return (
    <form onSubmit={submit} noValidate aria-label="Configure objects and advanced settings">
      <section className="card wizard-section" aria-labelledby="basic-heading">
        <h2 id="basic-heading">Basic settings</h2>
        <div className="form-stack">
          <fieldset className="field" aria-describedby="stages-hint">
            <legend className="field-label">Task stages</legend>
            <div className="button-row">
              {STAGES.map((stage) => (
                <CheckboxField
                  key={stage}
                  label={stageLabels[stage]}
                  name={`stage-${stage}`}
                  checked={form.stages[stage]}
                  onChange={(checked) =>
                    update('stages', (current) => ({
                      ...current,
                      stages: { ...current.stages, [stage]: checked },
                    }))
                  }
                />
              ))}
            </div>
            <p className="field-hint" id="stages-hint">
              Schema migration sends each table&apos;s definition to the DDL topic; full migration
              copies the rows; incremental migration then follows the binary log.
            </p>
            {inline.errorOf('stages') ? (
              <p className="field-error">{inline.errorOf('stages')}</p>
            ) : null}
          </fieldset>
          {!form.stages.incremental ? (
            <p className="callout callout-warn" role="status" data-testid="incremental-off-warning">
              Incremental migration is off: data written to the source during the migration is not
              captured. Stop writes to the source for a consistent copy.
            </p>
          ) : null}
          <div className="form-grid">
            <RadioGroup
              legend="Processing mode of conflicting tables"
              name="conflict-mode"
              value={form.conflictMode}
              onChange={(conflictMode) =>
                update('conflictMode', (current) => ({ ...current, conflictMode }))
              }
              options={CONFLICT_MODES.map((value) => ({ value, label: conflictModeLabels[value] }))}
              hint={
                form.conflictMode === 'precheck'
                  ? 'The precheck fails when the topic already holds messages for a selected table.'
                  : 'Messages are appended after those already in the topic for the same tables.'
              }
            />
            <RadioGroup
              legend="Data format in Kafka"
              name="format"
              value={form.format}
              onChange={(format) => update('format', (current) => ({ ...current, format }))}
              options={DATA_FORMATS.map((value) => ({ value, label: dataFormatLabels[value] }))}
              hint={
                form.format === 'dts-avro'
                  ? 'Binary Avro records in the DTS schema (the DTS consumer SDK reads them).'
                  : 'JSON as Canal’s FlatMessage: readable by Canal clients and by people.'
              }
            />
          </div>
          <SelectField
            label="Policy for shipping data to Kafka partitions"
            name="partition-policy"
            value={form.partitionPolicy}
            onChange={(partitionPolicy) =>
              update('partitionPolicy', (current) => ({ ...current, partitionPolicy }))
            }
            options={PARTITION_POLICIES.map((value) => ({
              value,
              label: partitionPolicyLabels[value],
            }))}
            hint="Partition 0 keeps a total order; hashing spreads load while keeping each table's (or key's) order."
          />
        </div>
      </section>

      <section className="card wizard-section" aria-labelledby="objects-heading">
        <h2 id="objects-heading">Objects to migrate</h2>
        <ObjectPicker
          taskId={taskId}
          objects={form.objects}
          onChange={(objects) => update('objects', (current) => ({ ...current, objects }))}
          error={inline.errorOf('objects')}
        />
      </section>

      <section className="card wizard-section" aria-labelledby="advanced-heading">
        <h2 id="advanced-heading">Advanced settings</h2>
        <div className="form-grid">
          <RadioGroup
            legend="Monitoring and alerting"
            name="alerts"
            value={alerts.enabled ? 'yes' : 'no'}
            onChange={(value) =>
              setAdvanced('advanced.alerts', (advanced) => ({
                ...advanced,
                alerts: { ...advanced.alerts, enabled: value === 'yes' },
              }))
            }
            options={[
              { value: 'no', label: 'No' },
              { value: 'yes', label: 'Yes' },
            ]}
            hint="Alerts when the task fails or the latency passes a threshold."
          />
          {alerts.enabled ? (
            <>
              <TextField
                label="Latency threshold (seconds)"
                name="latency-threshold"
                inputMode="numeric"
                value={alerts.latencyThresholdSeconds}
                onChange={(latencyThresholdSeconds) =>
                  setAdvanced('advanced.alerts.latencyThresholdSeconds', (advanced) => ({
                    ...advanced,
                    alerts: { ...advanced.alerts, latencyThresholdSeconds },
                  }))
                }
                isRequired
                {...fieldProps('advanced.alerts.latencyThresholdSeconds')}
              />
              <ContactsField
                value={alerts.contacts}
                onChange={(contacts) =>
                  setAdvanced('advanced.alerts.contacts', (advanced) => ({
                    ...advanced,
                    alerts: { ...advanced.alerts, contacts },
                  }))
                }
                error={inline.errorOf('advanced.alerts.contacts')}
                onBlur={() => inline.touch('advanced.alerts.contacts')}
              />
            </>
          ) : null}
          <SelectField
            label="Capitalization of object names in the destination"
            name="capitalization"
            value={form.advanced.capitalization}
            onChange={(capitalization) =>
              setAdvanced('advanced.capitalization', (advanced) => ({
                ...advanced,
                capitalization,
              }))
            }
            options={CAPITALIZATIONS.map((value) => ({
              value,
              label: capitalizationLabels[value],
            }))}
            hint="Applies to names you did not rename."
          />
          <TextField
            label="Retry time for failed connections (minutes)"
            name="retry-minutes"
            inputMode="numeric"
            value={form.advanced.retryMinutes}
            onChange={(retryMinutes) =>
              setAdvanced('advanced.retryMinutes', (advanced) => ({ ...advanced, retryMinutes }))
            }
            hint="10 to 720. The task fails when a connection stays down longer."
            {...fieldProps('advanced.retryMinutes')}
          />
          {form.format === 'canal-json' ? (
            <RadioGroup
              legend="Values in Canal JSON messages"
              name="canal-json-values"
              value={form.advanced.canalJsonValues}
              onChange={(canalJsonValues) =>
                setAdvanced('advanced.canalJsonValues', (advanced) => ({
                  ...advanced,
                  canalJsonValues,
                }))
              }
              options={CANAL_JSON_VALUES.map((value) => ({
                value,
                label: canalJsonValuesLabels[value],
              }))}
              hint={canalJsonValuesHelp[form.advanced.canalJsonValues]}
            />
          ) : null}
        </div>
      </section>

      {saveError && Object.keys(saveError.fieldProblems).length === 0 ? (
        <div className="wizard-section">
          <ErrorCallout error={saveError} title="The task settings could not be saved." />
        </div>
      ) : null}

      <div className="wizard-footer">
        <button type="button" className="button" onClick={() => goTo(1)}>
          Back: Source and Destination
        </button>
        <button type="submit" className="button button-primary" disabled={isSaving}>
          {isSaving ? 'Saving…' : 'Next: Save Task Settings and Precheck'}
        </button>
      </div>
    </form>
  );
}

function ContactsField({
  value,
  onChange,
  error,
  onBlur,
}: {
  value: string;
  onChange: (value: string) => void;
  error?: string;
  onBlur: () => void;
}) {
  return (
    <div className={`field span-all${error ? ' field-invalid' : ''}`}>
      <label className="field-label" htmlFor="alert-contacts">
        Alert contacts (webhook URLs, one per line)
      </label>
      <textarea
        id="alert-contacts"
        className="input"
        value={value}
        onChange={(event) => onChange(event.target.value)}
        onBlur={onBlur}
        placeholder="https://hooks.example.com/tidewater"
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? 'alert-contacts-error' : 'alert-contacts-hint'}
      />
      <p className="field-hint" id="alert-contacts-hint">
        Each receives a JSON POST per alert.
      </p>
      {error ? (
        <p className="field-error" id="alert-contacts-error">
          {error}
        </p>
      ) : null}
    </div>
  );
}

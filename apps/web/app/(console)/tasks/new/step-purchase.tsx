'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { INSTANCE_CLASSES, instanceClassCeilings, type InstanceClass } from '@tidewater/config';
import type { TaskSummary } from '@tidewater/engine';
import { apiSend } from '@/lib/api-client';
import { formatCount } from '@/lib/format';
import { ErrorCallout } from '@/components/error-callout';
import type { StepProps } from './step-props';

/** What each instance class suits, beside its ceiling of incremental records per second. */
const suits: Record<InstanceClass, string> = {
  small: 'Test tasks and small databases with light write traffic.',
  medium: 'Typical OLTP databases with steady writes.',
  large: 'Busy databases and batch jobs at peak hours.',
  xlarge: 'High-throughput sources with many tables.',
  '2xlarge': 'The heaviest write loads the cloud ladder serves.',
  unlimited: 'Self-hosting: no ceiling beyond what the worker and Kafka sustain.',
};

export function StepPurchase({ form, setForm, goTo, taskId }: StepProps & { taskId: string }) {
  const router = useRouter();
  const client = useQueryClient();
  const [hasAgreed, setAgreed] = useState(false);
  const [termsError, setTermsError] = useState<string | null>(null);
  const start = useMutation({
    mutationFn: (instanceClass: InstanceClass) =>
      apiSend<{ task: TaskSummary }>('POST', `/api/tasks/${taskId}/start`, {
        instanceClass,
        // Only sent once the box is ticked (submit checks it); the API records who and when.
        acceptTerms: true,
      }),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: ['tasks'] });
      router.push(`/tasks/${taskId}`);
    },
  });

  function submit(event: FormEvent) {
    event.preventDefault();
    if (!hasAgreed) {
      setTermsError('Read and accept the terms to start the task.');
      document.getElementById('terms')?.focus();
      return;
    }
    start.mutate(form.instanceClass);
  }

  return (
    <form onSubmit={submit} noValidate aria-label="Purchase instance">
      <section className="card wizard-section" aria-labelledby="class-heading">
        <h2 id="class-heading">Instance class</h2>
        <fieldset className="field">
          <legend className="visually-hidden">Instance class</legend>
          <p className="muted" style={{ marginBottom: 12 }}>
            The ceiling applies to incremental migration, in records per second (a row change, a DDL
            statement or a COMMIT). Full migration is not capped.
          </p>
          <div className="instance-classes">
            {INSTANCE_CLASSES.map((instanceClass) => {
              const ceiling = instanceClassCeilings[instanceClass];
              return (
                <label
                  key={instanceClass}
                  className="instance-card"
                  data-instance-class={instanceClass}
                >
                  <span className="instance-name">
                    <input
                      type="radio"
                      name="instance-class"
                      value={instanceClass}
                      checked={form.instanceClass === instanceClass}
                      onChange={() =>
                        setForm((current) => current && { ...current, instanceClass })
                      }
                    />
                    {instanceClass}
                  </span>
                  <span className="ceiling">
                    {ceiling === null ? 'No ceiling' : `${formatCount(ceiling)} records/s`}
                  </span>
                  <span className="suits">{suits[instanceClass]}</span>
                </label>
              );
            })}
          </div>
        </fieldset>
      </section>
      <section className="card wizard-section" aria-labelledby="terms-heading">
        <h2 id="terms-heading">Terms</h2>
        <div className={`field field-checkbox${termsError ? ' field-invalid' : ''}`}>
          <label className="checkbox-label" htmlFor="terms">
            <input
              id="terms"
              type="checkbox"
              checked={hasAgreed}
              onChange={(event) => {
                setAgreed(event.target.checked);
                setTermsError(null);
              }}
              aria-invalid={termsError ? true : undefined}
              aria-describedby={termsError ? 'terms-error' : 'terms-hint'}
            />
            I have read and agree to the Tidewater Terms of Service
          </label>
          <p className="field-hint" id="terms-hint">
            Starting the task reads the selected objects and the binary log of the source and writes
            messages to the destination topic until you stop or release it.
          </p>
          {termsError ? (
            <p className="field-error" id="terms-error">
              {termsError}
            </p>
          ) : null}
        </div>
      </section>
      {start.isError ? (
        <div className="wizard-section">
          <ErrorCallout error={start.error} title="The task could not start." />
        </div>
      ) : null}
      <div className="wizard-footer">
        <button type="button" className="button" onClick={() => goTo(3)} disabled={start.isPending}>
          Back: Precheck
        </button>
        <button type="submit" className="button button-primary" disabled={start.isPending}>
          {start.isPending ? 'Starting…' : 'Buy and Start'}
        </button>
      </div>
    </form>
  );
}

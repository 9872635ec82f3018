'use client';

import { useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useRouter, useSearchParams } from 'next/navigation';
import { useCallback, useEffect, useRef, useState } from 'react';
import type { TaskDetails, TaskSummary } from '@tidewater/engine';
import { ApiError, apiFetch, apiSend } from '@/lib/api-client';
import { ErrorCallout } from '@/components/error-callout';
import { LoadingCard } from '@/components/loading';
import type { FieldErrors } from './field-errors';
import { StepEndpoints } from './step-endpoints';
import { StepObjects } from './step-objects';
import { StepPrecheck } from './step-precheck';
import type { StepNumber } from './step-props';
import { StepPurchase } from './step-purchase';
import { configInput, emptyForm, formFromConfig, type WizardForm } from './wizard-form';

/**
 * The task wizard, four steps as the cloud console has them. The form lives here, so Back and
 * Next keep every field; the draft is saved on the server from step 1 on (created at the first
 * "Test Connectivity and Proceed", patched after), and `?draft=<id>&step=<n>` resumes it after
 * a reload or in another tab.
 */

export const WIZARD_STEPS = [
  'Configure Source and Destination',
  'Configure Objects and Advanced Settings',
  'Save Task Settings and Precheck',
  'Purchase Instance',
] as const;

/** Statuses in which a task is still a draft the wizard may edit or finish. */
const DRAFT_STATUSES = new Set(['created', 'prechecking', 'precheck_failed', 'precheck_passed']);

const STEP_ONE_PREFIXES = ['name', 'source', 'destination'];

export function TaskWizard() {
  const router = useRouter();
  const searchParams = useSearchParams();
  const client = useQueryClient();
  const draftId = searchParams.get('draft');
  const requestedStep = Number(searchParams.get('step') ?? '1');
  const step = ([1, 2, 3, 4].includes(requestedStep) ? requestedStep : 1) as StepNumber;

  const [form, setForm] = useState<WizardForm | null>(null);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [saveError, setSaveError] = useState<ApiError | null>(null);
  const loadedFor = useRef<string | null | undefined>(undefined);

  const draft = useQuery({
    queryKey: ['task', draftId],
    queryFn: () => apiFetch<{ task: TaskDetails }>(`/api/tasks/${draftId}`),
    enabled: draftId !== null,
    refetchOnWindowFocus: false,
  });

  // The form is filled once per draft: from the saved task, or empty (a generated name) for a
  // new one. Done after mounting, so the random name does not differ between server and browser.
  useEffect(() => {
    if (loadedFor.current === draftId) return;
    if (draftId === null) {
      loadedFor.current = null;
      setForm(emptyForm());
    } else if (draft.data) {
      loadedFor.current = draftId;
      setForm(formFromConfig(draft.data.task.name, draft.data.task.config));
    }
  }, [draftId, draft.data]);

  const goTo = useCallback(
    (next: StepNumber, id: string | null = draftId) => {
      const params = new URLSearchParams();
      if (id) params.set('draft', id);
      if (next !== 1) params.set('step', String(next));
      router.replace(`/tasks/new${params.size > 0 ? `?${params}` : ''}`, { scroll: true });
      window.scrollTo({ top: 0 });
    },
    [draftId, router],
  );

  /** Saves the draft: creates it the first time, patches `fields` after. Returns its id. */
  const save = useCallback(
    async (fields: Record<string, unknown>): Promise<string | null> => {
      if (!form) return null;
      setSaveError(null);
      try {
        const result = draftId
          ? await apiSend<{ task: TaskSummary }>('PATCH', `/api/tasks/${draftId}`, fields)
          : await apiSend<{ task: TaskSummary }>('POST', '/api/tasks', configInput(form));
        // The server has the passwords now; the fields go back to "unchanged".
        setForm(
          (current) =>
            current && {
              ...current,
              source: {
                ...current.source,
                password: '',
                hasStoredPassword: result.task.config.source.hasPassword,
              },
              destination: {
                ...current.destination,
                password: '',
                hasStoredPassword: result.task.config.destination.hasPassword,
              },
            },
        );
        loadedFor.current = result.task.id;
        await client.invalidateQueries({ queryKey: ['task', result.task.id] });
        void client.invalidateQueries({ queryKey: ['tasks'] });
        return result.task.id;
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
        const problems = error.fieldProblems;
        setErrors(problems);
        setSaveError(error);
        const paths = Object.keys(problems);
        if (
          step !== 1 &&
          paths.some((path) => STEP_ONE_PREFIXES.includes(path.split('.')[0] ?? ''))
        ) {
          goTo(1);
        }
        return null;
      }
    },
    [client, draftId, form, goTo, step],
  );

  if (draftId !== null && draft.isError) {
    return (
      <div className="card">
        <ErrorCallout error={draft.error} title="The draft could not be loaded." />
        <p>
          <Link href="/tasks/new">Start a new task</Link> or go back to{' '}
          <Link href="/tasks">Data Migration</Link>.
        </p>
      </div>
    );
  }
  if (!form || (draftId !== null && !draft.data)) {
    return <LoadingCard label="Loading the task draft…" rows={6} />;
  }
  const status = draft.data?.task.status;
  if (status && !DRAFT_STATUSES.has(status)) {
    return (
      <div className="card empty-state">
        <h2>This task has already started</h2>
        <p>Its settings are fixed once it runs; see its progress on the details page.</p>
        <Link className="button button-primary" href={`/tasks/${draftId}`}>
          Open task details
        </Link>
      </div>
    );
  }
  // Later steps need what earlier ones saved: a draft (step 2) and selected objects (step 3+).
  const savedObjects = draft.data?.task.config.objects.length ?? 0;
  const effectiveStep: StepNumber = !draftId ? 1 : step >= 3 && savedObjects === 0 ? 2 : step;

  const common = { form, setForm, errors, setErrors, saveError, save, goTo, draftId, status };
  return (
    <>
      <WizardSteps current={effectiveStep} />
      {effectiveStep === 1 ? <StepEndpoints {...common} /> : null}
      {effectiveStep === 2 && draftId ? <StepObjects {...common} taskId={draftId} /> : null}
      {effectiveStep === 3 && draftId ? <StepPrecheck {...common} taskId={draftId} /> : null}
      {effectiveStep === 4 && draftId ? <StepPurchase {...common} taskId={draftId} /> : null}
    </>
  );
}

function WizardSteps({ current }: { current: StepNumber }) {
  return (
    <nav aria-label="Wizard steps">
      <ol className="wizard-steps">
        {WIZARD_STEPS.map((title, index) => {
          const number = index + 1;
          return (
            <li
              key={title}
              aria-current={number === current ? 'step' : undefined}
              className={number < current ? 'is-done' : undefined}
            >
              <span className="step-number" aria-hidden="true">
                {number < current ? '✓' : number}
              </span>
              <span>
                <span className="visually-hidden">
                  Step {number}
                  {number < current ? ' (done)' : ''}:{' '}
                </span>
                {title}
              </span>
            </li>
          );
        })}
      </ol>
    </nav>
  );
}

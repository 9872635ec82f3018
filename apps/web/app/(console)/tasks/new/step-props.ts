import type { TaskStatus } from '@tidewater/config';
import type { ApiError } from '@/lib/api-client';
import type { FieldErrors } from './field-errors';
import type { WizardForm } from './wizard-form';

/** What the wizard hands each of its steps. */

export type StepNumber = 1 | 2 | 3 | 4;

export interface StepProps {
  form: WizardForm;
  setForm: (update: (current: WizardForm | null) => WizardForm | null) => void;
  errors: FieldErrors;
  setErrors: (errors: FieldErrors) => void;
  saveError: ApiError | null;
  save: (fields: Record<string, unknown>) => Promise<string | null>;
  goTo: (step: StepNumber, id?: string | null) => void;
  draftId: string | null;
  /** The saved task's status (undefined before the first save). */
  status: TaskStatus | undefined;
}

'use client';

import { useId, type InputHTMLAttributes, type ReactNode } from 'react';

/**
 * Labelled form controls with their hint and their error beside them. The error is linked
 * with aria-describedby and the control marked aria-invalid, so screen readers announce it.
 */

interface FieldFrameProps {
  id: string;
  label: ReactNode;
  hint?: ReactNode;
  error?: string;
  isRequired?: boolean;
  children: ReactNode;
}

function FieldFrame({ id, label, hint, error, isRequired, children }: FieldFrameProps) {
  return (
    <div className={`field${error ? ' field-invalid' : ''}`}>
      <label htmlFor={id} className="field-label">
        {label}
        {isRequired ? (
          <span className="required" aria-hidden="true">
            {' '}
            *
          </span>
        ) : null}
      </label>
      {children}
      {hint ? (
        <p className="field-hint" id={`${id}-hint`}>
          {hint}
        </p>
      ) : null}
      {error ? (
        <p className="field-error" id={`${id}-error`} data-field-error>
          {error}
        </p>
      ) : null}
    </div>
  );
}

function describedBy(id: string, hint: unknown, error: unknown): string | undefined {
  const ids = [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean);
  return ids.length > 0 ? ids.join(' ') : undefined;
}

type TextFieldProps = {
  label: ReactNode;
  name: string;
  value: string;
  onChange: (value: string) => void;
  hint?: ReactNode;
  error?: string;
  isRequired?: boolean;
} & Omit<InputHTMLAttributes<HTMLInputElement>, 'value' | 'onChange' | 'name'>;

export function TextField({
  label,
  name,
  value,
  onChange,
  hint,
  error,
  isRequired,
  id: givenId,
  ...input
}: TextFieldProps) {
  const generated = useId();
  const id = givenId ?? `${name}-${generated}`;
  return (
    <FieldFrame id={id} label={label} hint={hint} error={error} isRequired={isRequired}>
      <input
        id={id}
        name={name}
        className="input"
        value={value}
        onChange={(event) => onChange(event.target.value)}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(id, hint, error)}
        aria-required={isRequired || undefined}
        {...input}
      />
    </FieldFrame>
  );
}

export function SelectField<T extends string>({
  label,
  name,
  value,
  onChange,
  options,
  hint,
  error,
  isRequired,
  disabled,
}: {
  label: ReactNode;
  name: string;
  value: T;
  onChange: (value: T) => void;
  options: ReadonlyArray<{ value: T; label: string }>;
  hint?: ReactNode;
  error?: string;
  isRequired?: boolean;
  disabled?: boolean;
}) {
  const id = `${name}-${useId()}`;
  return (
    <FieldFrame id={id} label={label} hint={hint} error={error} isRequired={isRequired}>
      <select
        id={id}
        name={name}
        className="input"
        value={value}
        disabled={disabled}
        onChange={(event) => onChange(event.target.value as T)}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(id, hint, error)}
      >
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
    </FieldFrame>
  );
}

/** A set of mutually exclusive choices shown as buttons, as the cloud console does. */
export function RadioGroup<T extends string>({
  legend,
  name,
  value,
  onChange,
  options,
  hint,
  error,
}: {
  legend: ReactNode;
  name: string;
  value: T;
  onChange: (value: T) => void;
  options: ReadonlyArray<{ value: T; label: string }>;
  hint?: ReactNode;
  error?: string;
}) {
  const id = `${name}-${useId()}`;
  return (
    <fieldset className="field radio-group" aria-describedby={describedBy(id, hint, error)}>
      <legend className="field-label">{legend}</legend>
      <div className="radio-options">
        {options.map((option) => (
          <label
            key={option.value}
            className={`radio-option${value === option.value ? ' is-checked' : ''}`}
          >
            <input
              type="radio"
              name={name}
              value={option.value}
              checked={value === option.value}
              onChange={() => onChange(option.value)}
            />
            {option.label}
          </label>
        ))}
      </div>
      {hint ? (
        <p className="field-hint" id={`${id}-hint`}>
          {hint}
        </p>
      ) : null}
      {error ? (
        <p className="field-error" id={`${id}-error`} data-field-error>
          {error}
        </p>
      ) : null}
    </fieldset>
  );
}

export function CheckboxField({
  label,
  name,
  checked,
  onChange,
  hint,
  disabled,
}: {
  label: ReactNode;
  name: string;
  checked: boolean;
  onChange: (checked: boolean) => void;
  hint?: ReactNode;
  disabled?: boolean;
}) {
  const id = `${name}-${useId()}`;
  return (
    <div className="field field-checkbox">
      <label htmlFor={id} className="checkbox-label">
        <input
          id={id}
          type="checkbox"
          name={name}
          checked={checked}
          disabled={disabled}
          onChange={(event) => onChange(event.target.checked)}
          aria-describedby={hint ? `${id}-hint` : undefined}
        />
        {label}
      </label>
      {hint ? (
        <p className="field-hint" id={`${id}-hint`}>
          {hint}
        </p>
      ) : null}
    </div>
  );
}

'use client';

import { useEffect, useId, useRef, useState } from 'react';
import {
  DML_OPERATIONS,
  dmlOperationLabels,
  selectedObjectSchema,
  type DmlOperation,
  type SelectedObject,
} from '@tidewater/config';
import type { FilterCheck } from '@tidewater/engine';
import { ApiError, apiSend } from '@/lib/api-client';
import { issuesByPath } from '@/lib/form-errors';
import { objectLabel } from './selected-objects';

export type EditFocus = 'rename' | 'filter' | 'dml';

type FilterState =
  | { kind: 'empty' }
  | { kind: 'checking' }
  | { kind: 'valid'; sql: string }
  | { kind: 'invalid'; message: string; remedy: string };

/**
 * Edits one selected object: its name in the destination, its WHERE filter (tables; checked by
 * the server against the real table as the operator types) and the DML operations to migrate.
 */
export function ObjectEditDialog({
  taskId,
  object,
  focus,
  onCancel,
  onSave,
}: {
  taskId: string;
  object: SelectedObject;
  focus: EditFocus;
  onCancel: () => void;
  onSave: (object: SelectedObject) => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const ids = { title: useId(), rename: useId(), filter: useId(), dml: useId() };
  const [rename, setRename] = useState(object.rename ?? '');
  const [filter, setFilter] = useState(object.kind === 'table' ? (object.filter ?? '') : '');
  const [dml, setDml] = useState<DmlOperation[]>(object.dml);
  const [filterState, setFilterState] = useState<FilterState>({ kind: 'empty' });
  const [problems, setProblems] = useState<Record<string, string>>({});
  const label = objectLabel(object);

  useEffect(() => {
    ref.current?.showModal();
    const target = { rename: ids.rename, filter: ids.filter, dml: `${ids.dml}-insert` }[focus];
    document.getElementById(target)?.focus();
    // Opened once per object; focus only on open.
    // (ids are stable for the component's life.)
  }, [focus, ids.dml, ids.filter, ids.rename]);

  // Check the filter on the server, 400 ms after the last keystroke.
  useEffect(() => {
    if (object.kind !== 'table') return;
    if (filter.trim() === '') {
      setFilterState({ kind: 'empty' });
      return;
    }
    setFilterState({ kind: 'checking' });
    let isCurrent = true;
    const timer = setTimeout(async () => {
      try {
        const check = await apiSend<FilterCheck>('POST', `/api/tasks/${taskId}/filters`, {
          database: object.database,
          table: object.table,
          filter,
        });
        if (!isCurrent) return;
        setFilterState(
          check.isValid
            ? { kind: 'valid', sql: check.sql ?? filter }
            : {
                kind: 'invalid',
                message: check.error?.message ?? 'The filter is not valid.',
                remedy: check.error?.remedy ?? '',
              },
        );
      } catch (error) {
        if (!isCurrent) return;
        if (!(error instanceof ApiError)) throw error;
        setFilterState({ kind: 'invalid', message: error.message, remedy: error.remedy });
      }
    }, 400);
    return () => {
      isCurrent = false;
      clearTimeout(timer);
    };
  }, [filter, object, taskId]);

  function save() {
    const candidate = {
      ...object,
      rename: rename.trim() === '' ? undefined : rename.trim(),
      dml,
      ...(object.kind === 'table'
        ? { filter: filter.trim() === '' ? undefined : filter.trim() }
        : {}),
    };
    const parsed = selectedObjectSchema.safeParse(candidate);
    if (!parsed.success) {
      setProblems(issuesByPath(parsed.error));
      return;
    }
    onSave(parsed.data);
  }

  const isFilterBlocking = filterState.kind === 'checking' || filterState.kind === 'invalid';
  return (
    <dialog
      ref={ref}
      className="dialog"
      aria-labelledby={ids.title}
      onCancel={(event) => {
        event.preventDefault();
        onCancel();
      }}
    >
      <h2 id={ids.title} className="dialog-title">
        Edit {label}
      </h2>
      <div className="dialog-body form-stack">
        <div className={`field${problems.rename ? ' field-invalid' : ''}`}>
          <label className="field-label" htmlFor={ids.rename}>
            Name in the destination
          </label>
          <input
            id={ids.rename}
            className="input"
            value={rename}
            placeholder={object.kind === 'database' ? object.database : object.table}
            onChange={(event) => setRename(event.target.value)}
            aria-describedby={`${ids.rename}-hint`}
            aria-invalid={problems.rename ? true : undefined}
          />
          <p className="field-hint" id={`${ids.rename}-hint`}>
            The {object.kind} name consumers see in the messages; empty keeps the source name.
          </p>
          {problems.rename ? <p className="field-error">{problems.rename}</p> : null}
        </div>
        {object.kind === 'table' ? (
          <div className={`field${filterState.kind === 'invalid' ? ' field-invalid' : ''}`}>
            <label className="field-label" htmlFor={ids.filter}>
              WHERE filter
            </label>
            <textarea
              id={ids.filter}
              className="input"
              value={filter}
              placeholder="e.g. status = 'paid' AND total > 10"
              onChange={(event) => setFilter(event.target.value)}
              aria-describedby={`${ids.filter}-state`}
              aria-invalid={filterState.kind === 'invalid' ? true : undefined}
            />
            <div id={`${ids.filter}-state`} aria-live="polite" data-filter-state={filterState.kind}>
              {filterState.kind === 'empty' ? (
                <p className="field-hint">
                  Optional: only rows matching it are copied by the full migration. Column names,
                  comparisons, AND/OR/NOT, IN, BETWEEN, LIKE, IS NULL.
                </p>
              ) : filterState.kind === 'checking' ? (
                <p className="field-hint">Checking the filter against {label}…</p>
              ) : filterState.kind === 'valid' ? (
                <p className="field-hint filter-valid">
                  ✓ Valid: <code>WHERE {filterState.sql}</code>
                </p>
              ) : (
                <>
                  <p className="field-error" data-field-error>
                    {filterState.message}
                  </p>
                  {filterState.remedy ? (
                    <p className="field-hint">How to fix: {filterState.remedy}</p>
                  ) : null}
                </>
              )}
            </div>
          </div>
        ) : null}
        <fieldset
          className="field"
          aria-describedby={problems.dml ? `${ids.dml}-error` : undefined}
        >
          <legend className="field-label">DML operations to migrate</legend>
          <div className="button-row">
            {DML_OPERATIONS.map((operation) => (
              <label key={operation} className="checkbox-label">
                <input
                  id={`${ids.dml}-${operation}`}
                  type="checkbox"
                  checked={dml.includes(operation)}
                  onChange={(event) =>
                    setDml(
                      event.target.checked
                        ? DML_OPERATIONS.filter((item) => item === operation || dml.includes(item))
                        : dml.filter((item) => item !== operation),
                    )
                  }
                />
                {dmlOperationLabels[operation]}
              </label>
            ))}
          </div>
          {problems.dml ? (
            <p className="field-error" id={`${ids.dml}-error`}>
              {problems.dml}
            </p>
          ) : null}
        </fieldset>
      </div>
      <div className="dialog-actions">
        <button type="button" className="button" onClick={onCancel}>
          Cancel
        </button>
        <button
          type="button"
          className="button button-primary"
          onClick={save}
          disabled={isFilterBlocking}
        >
          Save
        </button>
      </div>
    </dialog>
  );
}

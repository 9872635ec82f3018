'use client';

import { useEffect, useId, useRef, useState } from 'react';
import type { SelectedObject } from '@tidewater/config';
import { TextField } from '@/components/field';
import { objectLabel } from './selected-objects';

/**
 * Renames many selected objects at once: a prefix and a suffix for database names and for
 * table names, with a preview of every resulting name before anything changes.
 */
export function BatchEditDialog({
  objects,
  onCancel,
  onApply,
}: {
  objects: SelectedObject[];
  onCancel: () => void;
  onApply: (objects: SelectedObject[]) => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const [rules, setRules] = useState({
    databasePrefix: '',
    databaseSuffix: '',
    tablePrefix: '',
    tableSuffix: '',
  });
  useEffect(() => {
    ref.current?.showModal();
  }, []);

  const renamed = objects.map((object) => {
    const base = object.kind === 'database' ? object.database : object.table;
    const [prefix, suffix] =
      object.kind === 'database'
        ? [rules.databasePrefix, rules.databaseSuffix]
        : [rules.tablePrefix, rules.tableSuffix];
    const hasRule = prefix !== '' || suffix !== '';
    const rename = hasRule ? `${prefix}${base}${suffix}` : object.rename;
    return { before: object, after: { ...object, rename } as SelectedObject, base };
  });
  const tooLong = renamed.filter((item) => (item.after.rename ?? '').length > 64);

  const set = (key: keyof typeof rules) => (value: string) =>
    setRules({ ...rules, [key]: value.trim() });
  return (
    <dialog
      ref={ref}
      className="dialog dialog-wide"
      aria-labelledby={titleId}
      onCancel={(event) => {
        event.preventDefault();
        onCancel();
      }}
    >
      <h2 id={titleId} className="dialog-title">
        Batch Edit: names in the destination
      </h2>
      <div className="dialog-body">
        <p className="muted">
          Rules apply to every selected object of that kind; leave both empty to keep the current
          names.
        </p>
        <div className="form-grid">
          <TextField
            label="Database name prefix"
            name="database-prefix"
            value={rules.databasePrefix}
            onChange={set('databasePrefix')}
          />
          <TextField
            label="Database name suffix"
            name="database-suffix"
            value={rules.databaseSuffix}
            onChange={set('databaseSuffix')}
          />
          <TextField
            label="Table name prefix"
            name="table-prefix"
            value={rules.tablePrefix}
            onChange={set('tablePrefix')}
          />
          <TextField
            label="Table name suffix"
            name="table-suffix"
            value={rules.tableSuffix}
            onChange={set('tableSuffix')}
          />
        </div>
        <div className="batch-preview">
          <table className="table" aria-label="Preview of the new names">
            <thead>
              <tr>
                <th scope="col">Source object</th>
                <th scope="col">Name in the destination</th>
              </tr>
            </thead>
            <tbody>
              {renamed.map(({ before, after, base }) => (
                <tr key={objectLabel(before)}>
                  <td>{objectLabel(before)}</td>
                  <td data-preview-for={objectLabel(before)}>
                    {after.rename ?? base}
                    {(after.rename ?? '').length > 64 ? (
                      <span className="field-error"> longer than 64 characters</span>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </div>
      <div className="dialog-actions">
        <button type="button" className="button" onClick={onCancel}>
          Cancel
        </button>
        <button
          type="button"
          className="button button-primary"
          disabled={tooLong.length > 0}
          onClick={() => onApply(renamed.map((item) => item.after))}
        >
          Apply to {objects.length} object(s)
        </button>
      </div>
    </dialog>
  );
}

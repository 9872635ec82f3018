'use client';

import { useQuery } from '@tanstack/react-query';
import { useEffect, useId, useRef, useState } from 'react';
import { DML_OPERATIONS, dmlOperationLabels, type SelectedObject } from '@tidewater/config';
import type { SourceObjectTree } from '@tidewater/engine';
import { apiFetch } from '@/lib/api-client';
import { formatBytes, formatCount } from '@/lib/format';
import { ErrorCallout } from '@/components/error-callout';
import { BatchEditDialog } from './batch-edit-dialog';
import { ObjectEditDialog, type EditFocus } from './object-edit-dialog';
import { objectKey, objectLabel } from './selected-objects';

/**
 * Source Objects (a tree loaded from the source) and Selected Objects, with arrow buttons
 * between them, as the cloud console's transfer list. A whole database is one selected object;
 * tables picked one by one are table objects, each with its own rename, filter and DML.
 */

type SourceDatabase = SourceObjectTree['databases'][number];

export function ObjectPicker({
  taskId,
  objects,
  onChange,
  error,
}: {
  taskId: string;
  objects: SelectedObject[];
  onChange: (objects: SelectedObject[]) => void;
  error?: string;
}) {
  const tree = useQuery({
    queryKey: ['source-objects', taskId],
    queryFn: () => apiFetch<SourceObjectTree>(`/api/tasks/${taskId}/source-objects`),
    refetchOnWindowFocus: false,
    staleTime: 60_000,
  });
  const [search, setSearch] = useState('');
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(new Set());
  const [checkedSource, setCheckedSource] = useState<ReadonlySet<string>>(new Set());
  const [checkedSelected, setCheckedSelected] = useState<ReadonlySet<string>>(new Set());
  const [editing, setEditing] = useState<{ object: SelectedObject; focus: EditFocus } | null>(null);
  const [menu, setMenu] = useState<{ object: SelectedObject; x: number; y: number } | null>(null);
  const [isBatchOpen, setBatchOpen] = useState(false);
  const ids = { search: useId(), sourceHeading: useId(), selectedHeading: useId() };

  const selectedDatabases = new Set(
    objects.filter((o) => o.kind === 'database').map((o) => o.database),
  );
  const selectedTables = new Set(
    objects.filter((o) => o.kind === 'table').map((o) => objectKey(o)),
  );

  /** The source tree without what is already selected, narrowed by the search box. */
  const available = (() => {
    const needle = search.trim().toLowerCase();
    return (tree.data?.databases ?? [])
      .filter((database) => !selectedDatabases.has(database.name))
      .map((database) => {
        const tables = database.tables.filter(
          (table) => !selectedTables.has(objectKey({ database: database.name, table: table.name })),
        );
        const isDatabaseMatch = needle === '' || database.name.toLowerCase().includes(needle);
        return {
          ...database,
          tables: isDatabaseMatch
            ? tables
            : tables.filter((table) => table.name.toLowerCase().includes(needle)),
          isDatabaseMatch,
        };
      })
      .filter((database) => database.isDatabaseMatch || database.tables.length > 0);
  })();

  const visibleKeys = available.flatMap((database) => [
    objectKey({ database: database.name }),
    ...database.tables
      .filter((table) => table.type === 'table')
      .map((table) => objectKey({ database: database.name, table: table.name })),
  ]);
  const isAllChecked = visibleKeys.length > 0 && visibleKeys.every((key) => checkedSource.has(key));

  function toggle(set: ReadonlySet<string>, key: string, isOn: boolean): Set<string> {
    const next = new Set(set);
    if (isOn) next.add(key);
    else next.delete(key);
    return next;
  }

  function moveRight() {
    const added: SelectedObject[] = [];
    const wholeDatabases = new Set<string>();
    for (const database of tree.data?.databases ?? []) {
      if (checkedSource.has(objectKey({ database: database.name }))) {
        wholeDatabases.add(database.name);
        added.push({ kind: 'database', database: database.name, dml: [...DML_OPERATIONS] });
        continue;
      }
      for (const table of database.tables) {
        if (checkedSource.has(objectKey({ database: database.name, table: table.name }))) {
          added.push({
            kind: 'table',
            database: database.name,
            table: table.name,
            dml: [...DML_OPERATIONS],
          });
        }
      }
    }
    // A database selected whole replaces the tables of it picked before.
    const kept = objects.filter(
      (object) => object.kind !== 'table' || !wholeDatabases.has(object.database),
    );
    onChange(sortObjects([...kept, ...added]));
    setCheckedSource(new Set());
  }

  function moveLeft() {
    onChange(objects.filter((object) => !checkedSelected.has(objectKey(objectIdentity(object)))));
    setCheckedSelected(new Set());
  }

  function replaceObject(before: SelectedObject, after: SelectedObject) {
    onChange(objects.map((object) => (object === before ? after : object)));
  }

  const tableCount = (database: string) =>
    tree.data?.databases
      .find((item) => item.name === database)
      ?.tables.filter((t) => t.type === 'table').length;

  return (
    <div>
      {error ? (
        <p className="field-error" role="alert">
          {error}
        </p>
      ) : null}
      <div className="objects-layout">
        <section className="objects-panel" aria-labelledby={ids.sourceHeading}>
          <div className="objects-panel-header">
            <h3 id={ids.sourceHeading}>Source Objects</h3>
            <label htmlFor={ids.search} className="visually-hidden">
              Search source objects
            </label>
            <input
              id={ids.search}
              className="input"
              type="search"
              placeholder="Search databases and tables"
              value={search}
              onChange={(event) => setSearch(event.target.value)}
            />
            <label className="checkbox-label">
              <input
                type="checkbox"
                checked={isAllChecked}
                disabled={visibleKeys.length === 0}
                onChange={(event) =>
                  setCheckedSource(event.target.checked ? new Set(visibleKeys) : new Set())
                }
              />
              Select all
            </label>
          </div>
          <div className="objects-panel-body">
            {tree.isPending ? (
              <div role="status" aria-busy="true" style={{ padding: '0 10px' }}>
                <div className="skeleton" />
                <div className="skeleton" />
                <span className="visually-hidden">
                  Loading databases and tables from the source…
                </span>
              </div>
            ) : tree.isError ? (
              <div style={{ padding: 10 }}>
                <ErrorCallout error={tree.error} title="The source objects could not be loaded." />
                <button
                  type="button"
                  className="button button-small"
                  onClick={() => tree.refetch()}
                >
                  Try again
                </button>
              </div>
            ) : available.length === 0 ? (
              <p className="empty-inline" style={{ padding: '0 10px' }}>
                {search ? 'Nothing matches the search.' : 'Every object is selected.'}
              </p>
            ) : (
              <ul className="tree" aria-label="Source databases">
                {available.map((database) => (
                  <SourceDatabaseRow
                    key={database.name}
                    database={database}
                    isExpanded={expanded.has(database.name) || search.trim() !== ''}
                    onToggleExpanded={() =>
                      setExpanded(toggle(expanded, database.name, !expanded.has(database.name)))
                    }
                    checked={checkedSource}
                    onCheck={(key, isOn) => setCheckedSource(toggle(checkedSource, key, isOn))}
                  />
                ))}
              </ul>
            )}
          </div>
          <div className="objects-panel-footer">
            <span>{checkedSource.size} checked</span>
            <button type="button" className="button-link button" onClick={() => tree.refetch()}>
              Refresh
            </button>
          </div>
        </section>

        <div className="transfer-buttons">
          <button
            type="button"
            className="button"
            onClick={moveRight}
            disabled={checkedSource.size === 0}
            aria-label="Add the checked objects to Selected Objects"
            title="Add to Selected Objects"
          >
            <span aria-hidden="true">→</span>
          </button>
          <button
            type="button"
            className="button"
            onClick={moveLeft}
            disabled={checkedSelected.size === 0}
            aria-label="Remove the checked objects from Selected Objects"
            title="Remove from Selected Objects"
          >
            <span aria-hidden="true">←</span>
          </button>
        </div>

        <section className="objects-panel" aria-labelledby={ids.selectedHeading}>
          <div className="objects-panel-header">
            <h3 id={ids.selectedHeading}>Selected Objects</h3>
            <div className="button-row">
              <button
                type="button"
                className="button button-small"
                onClick={() => setBatchOpen(true)}
                disabled={objects.length === 0}
              >
                Batch Edit
              </button>
              <span className="field-hint">Right-click an object, or use its Edit button.</span>
            </div>
          </div>
          <div className="objects-panel-body">
            {objects.length === 0 ? (
              <p className="empty-inline" style={{ padding: '0 10px' }}>
                Nothing selected yet: check databases or tables on the left and press →.
              </p>
            ) : (
              <ul className="tree" aria-label="Selected objects">
                {objects.map((object) => {
                  const key = objectKey(objectIdentity(object));
                  const label = objectLabel(object);
                  return (
                    <li
                      key={key}
                      className="selected-object"
                      data-object={label}
                      onContextMenu={(event) => {
                        event.preventDefault();
                        setMenu({ object, x: event.clientX, y: event.clientY });
                      }}
                    >
                      <input
                        type="checkbox"
                        aria-label={`Check ${label}`}
                        checked={checkedSelected.has(key)}
                        onChange={(event) =>
                          setCheckedSelected(toggle(checkedSelected, key, event.target.checked))
                        }
                      />
                      <div className="object-names">
                        <div>
                          <strong>{label}</strong>{' '}
                          {object.kind === 'database' ? (
                            <span className="tree-meta">
                              database · {tableCount(object.database) ?? '?'} table(s)
                            </span>
                          ) : (
                            <span className="tree-meta">table</span>
                          )}
                        </div>
                        {object.rename ? (
                          <div className="mapping">
                            → <strong>{object.rename}</strong> in the destination
                          </div>
                        ) : null}
                        <div className="object-tags">
                          {object.kind === 'table' && object.filter ? (
                            <span className="badge" title={object.filter}>
                              WHERE{' '}
                              {object.filter.length > 40
                                ? `${object.filter.slice(0, 40)}…`
                                : object.filter}
                            </span>
                          ) : null}
                          {object.dml.length < DML_OPERATIONS.length ? (
                            <span className="badge badge-warning">
                              {object.dml
                                .map((operation) => dmlOperationLabels[operation])
                                .join(', ')}{' '}
                              only
                            </span>
                          ) : null}
                        </div>
                      </div>
                      <button
                        type="button"
                        className="button button-small"
                        onClick={() => setEditing({ object, focus: 'rename' })}
                      >
                        Edit<span className="visually-hidden"> {label}</span>
                      </button>
                    </li>
                  );
                })}
              </ul>
            )}
          </div>
          <div className="objects-panel-footer">
            <span>
              {objects.length} object(s) selected
              {checkedSelected.size > 0 ? ` · ${checkedSelected.size} checked` : ''}
            </span>
          </div>
        </section>
      </div>

      {menu ? (
        <ContextMenu
          x={menu.x}
          y={menu.y}
          label={`Actions for ${objectLabel(menu.object)}`}
          items={[
            {
              label: 'Rename…',
              onSelect: () => setEditing({ object: menu.object, focus: 'rename' }),
            },
            ...(menu.object.kind === 'table'
              ? [
                  {
                    label: 'Edit WHERE filter…',
                    onSelect: () => setEditing({ object: menu.object, focus: 'filter' }),
                  },
                ]
              : []),
            {
              label: 'DML operations to migrate…',
              onSelect: () => setEditing({ object: menu.object, focus: 'dml' }),
            },
            {
              label: 'Remove from Selected Objects',
              onSelect: () => onChange(objects.filter((object) => object !== menu.object)),
            },
          ]}
          onClose={() => setMenu(null)}
        />
      ) : null}
      {editing ? (
        <ObjectEditDialog
          taskId={taskId}
          object={editing.object}
          focus={editing.focus}
          onCancel={() => setEditing(null)}
          onSave={(updated) => {
            replaceObject(editing.object, updated);
            setEditing(null);
          }}
        />
      ) : null}
      {isBatchOpen ? (
        <BatchEditDialog
          objects={objects}
          onCancel={() => setBatchOpen(false)}
          onApply={(updated) => {
            onChange(updated);
            setBatchOpen(false);
          }}
        />
      ) : null}
    </div>
  );
}

function objectIdentity(object: SelectedObject): { database: string; table?: string } {
  return object.kind === 'database'
    ? { database: object.database }
    : { database: object.database, table: object.table };
}

function sortObjects(objects: SelectedObject[]): SelectedObject[] {
  return [...objects].sort((a, b) => objectLabel(a).localeCompare(objectLabel(b)));
}

function SourceDatabaseRow({
  database,
  isExpanded,
  onToggleExpanded,
  checked,
  onCheck,
}: {
  database: SourceDatabase & { isDatabaseMatch: boolean };
  isExpanded: boolean;
  onToggleExpanded: () => void;
  checked: ReadonlySet<string>;
  onCheck: (key: string, isOn: boolean) => void;
}) {
  const key = objectKey({ database: database.name });
  const rows = database.tables.reduce((sum, table) => sum + (table.estimatedRows ?? 0), 0);
  return (
    <li data-database={database.name}>
      <div className="tree-row">
        <button
          type="button"
          className="tree-toggle"
          aria-expanded={isExpanded}
          aria-label={`${isExpanded ? 'Collapse' : 'Expand'} ${database.name}`}
          onClick={onToggleExpanded}
        >
          {isExpanded ? '▼' : '▶'}
        </button>
        <label>
          <input
            type="checkbox"
            checked={checked.has(key)}
            onChange={(event) => onCheck(key, event.target.checked)}
          />
          <span>{database.name}</span>
        </label>
        <span className="tree-meta">
          {database.tables.length} table(s) · ~{formatCount(rows)} rows
        </span>
      </div>
      {isExpanded ? (
        <ul aria-label={`Tables of ${database.name}`}>
          {database.tables.map((table) => {
            const tableKey = objectKey({ database: database.name, table: table.name });
            const isView = table.type === 'view';
            return (
              <li
                key={table.name}
                className="tree-row"
                data-table={`${database.name}.${table.name}`}
              >
                <label>
                  <input
                    type="checkbox"
                    disabled={isView || checked.has(key)}
                    checked={checked.has(tableKey) || checked.has(key)}
                    onChange={(event) => onCheck(tableKey, event.target.checked)}
                  />
                  <span>{table.name}</span>
                </label>
                <span className="tree-meta">
                  {isView
                    ? 'view · not migrated'
                    : `~${formatCount(table.estimatedRows)} rows · ${formatBytes(table.dataBytes)}`}
                </span>
              </li>
            );
          })}
        </ul>
      ) : null}
    </li>
  );
}

/** A small menu at the pointer: arrow keys move, Enter selects, Escape or a click outside closes. */
function ContextMenu({
  x,
  y,
  label,
  items,
  onClose,
}: {
  x: number;
  y: number;
  label: string;
  items: Array<{ label: string; onSelect: () => void }>;
  onClose: () => void;
}) {
  const ref = useRef<HTMLUListElement>(null);
  useEffect(() => {
    ref.current?.querySelector<HTMLButtonElement>('button')?.focus();
    const close = (event: MouseEvent) => {
      if (!ref.current?.contains(event.target as Node)) onClose();
    };
    document.addEventListener('mousedown', close);
    return () => document.removeEventListener('mousedown', close);
  }, [onClose]);
  return (
    <ul
      ref={ref}
      role="menu"
      aria-label={label}
      className="context-menu"
      style={{
        left: Math.min(x, window.innerWidth - 240),
        top: Math.min(y, window.innerHeight - 180),
      }}
      onKeyDown={(event) => {
        const buttons = [...(ref.current?.querySelectorAll<HTMLButtonElement>('button') ?? [])];
        const index = buttons.indexOf(document.activeElement as HTMLButtonElement);
        if (event.key === 'Escape') onClose();
        if (event.key === 'ArrowDown') buttons[(index + 1) % buttons.length]?.focus();
        if (event.key === 'ArrowUp')
          buttons[(index - 1 + buttons.length) % buttons.length]?.focus();
        if (['ArrowDown', 'ArrowUp', 'Escape'].includes(event.key)) event.preventDefault();
      }}
    >
      {items.map((item) => (
        <li key={item.label} role="none">
          <button
            type="button"
            role="menuitem"
            onClick={() => {
              onClose();
              item.onSelect();
            }}
          >
            {item.label}
          </button>
        </li>
      ))}
    </ul>
  );
}

import type { SelectedObject } from '@tidewater/config';

/** How the object picker and its dialogs name and key a selected object. */

export function objectKey(object: { database: string; table?: string }): string {
  return object.table === undefined
    ? `db:${object.database}`
    : `t:${object.database}.${object.table}`;
}

export function objectLabel(object: SelectedObject): string {
  return object.kind === 'database' ? object.database : `${object.database}.${object.table}`;
}

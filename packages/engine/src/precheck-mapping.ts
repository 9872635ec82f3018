import type { TaskConfig } from '@tidewater/config';
import { createNameMapping } from './pipeline/name-mapping';
import { fail, pass, type PrecheckGroup } from './precheck-item';

/**
 * Name-mapping collisions: after renames and the capitalization policy, two selected objects
 * must not end up with the same destination name (their messages would be indistinguishable).
 * Only what the configuration names can be checked here; tables inside a whole selected
 * database are checked by the source items, which list them.
 */
export function mappingPrecheckItems(config: TaskConfig): PrecheckGroup {
  return {
    noAnswerRemedy: 'Run the precheck again; report this if it repeats.',
    abandon: () => undefined,
    close: async () => undefined,
    items: [
      {
        key: 'mapping.collisions',
        name: 'Object name mapping',
        isIgnorable: false,
        run: async () => {
          const collisions = findMappingCollisions(config);
          if (collisions.length === 0)
            return pass('Every selected object has its own destination name.');
          return fail(
            `These objects map to the same destination name: ${collisions.map((group) => group.join(' and ')).join('; ')}.`,
            'Rename one of them, or choose a capitalization that keeps their names apart.',
          );
        },
      },
    ],
  };
}

/** Groups of source names (`db` or `db.table`) that share one destination name. */
export function findMappingCollisions(
  config: TaskConfig,
  tables: Array<{ database: string; table: string }> = [],
): string[][] {
  const mapping = createNameMapping(config.objects, config.advanced.capitalization);
  const byDestination = new Map<string, string[]>();
  const add = (database: string, table: string | null) => {
    const source = table === null ? database : `${database}.${table}`;
    const target =
      table === null
        ? mapping.database(database)
        : `${mapping.database(database)}.${mapping.table(database, table)}`;
    const group = byDestination.get(target) ?? [];
    if (!group.includes(source)) group.push(source);
    byDestination.set(target, group);
  };
  for (const object of config.objects)
    add(object.database, object.kind === 'table' ? object.table : null);
  for (const table of tables) add(table.database, table.table);
  return [...byDestination.values()].filter((group) => group.length > 1);
}

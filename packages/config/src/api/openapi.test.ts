import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { taskConfigSchema } from '../task-config';
import { API_ROUTES, generateOpenApiDocument } from './openapi';

type Json = Record<string, any>;

const document = generateOpenApiDocument({ sessionCookie: 'tidewater_session' }) as Json;

/** Every value in `value`, depth first, with its JSON path. */
function* walk(value: unknown, path = '#'): Generator<[string, unknown]> {
  yield [path, value];
  if (typeof value !== 'object' || value === null) return;
  for (const [key, item] of Object.entries(value)) yield* walk(item, `${path}/${key}`);
}

describe('the generated OpenAPI document', () => {
  it('resolves every $ref to a schema or a response of its components', () => {
    const broken = [...walk(document)]
      .filter(([path]) => path.endsWith('/$ref'))
      .map(([, ref]) => String(ref))
      .filter((ref) => {
        const [, section, name] = /^#\/components\/(schemas|responses)\/(.+)$/.exec(ref) ?? [];
        return !section || !name || document.components[section][name] === undefined;
      });
    expect(broken).toEqual([]);
  });

  it('names no password field in any answer, only whether one is stored', () => {
    const { PublicTaskConfig } = document.components.schemas;
    const properties = [...walk(PublicTaskConfig)]
      .filter(([path]) => /\/properties\/[^/]+$/.test(path))
      .map(([path]) => path.split('/').at(-1));
    expect(properties).not.toContain('password');
    expect(properties.filter((name) => name === 'hasPassword')).toHaveLength(3);
  });

  it('describes answers as closed objects, so an undeclared field is a contract failure', () => {
    const open = Object.entries(document.paths as Json).flatMap(([path, methods]) =>
      Object.entries(methods as Json).flatMap(([method, operation]) => {
        const success = Object.entries(operation.responses as Json).find(([status]) =>
          status.startsWith('2'),
        )?.[1];
        const schema = success.content['application/json'].schema;
        const target = schema.$ref
          ? document.components.schemas[schema.$ref.split('/').at(-1)]
          : schema;
        const isClosed =
          target.additionalProperties === false || Array.isArray(target.oneOf ?? target.anyOf);
        return isClosed || path === '/api/openapi.json' ? [] : [`${method} ${path}`];
      }),
    );
    expect(open).toEqual([]);
  });

  it('takes request bodies from the task configuration, so a new setting is documented', () => {
    const body = document.paths['/api/tasks'].post.requestBody.content['application/json'].schema;
    expect(body).toEqual({ $ref: '#/components/schemas/TaskConfig' });
    const documented = Object.keys(document.components.schemas.TaskConfig.properties);
    expect(documented.sort()).toEqual(Object.keys(taskConfigSchema.shape).sort());
    expect(Object.keys(document.components.schemas.PublicTaskConfig.properties).sort()).toEqual(
      Object.keys(taskConfigSchema.shape).sort(),
    );
  });

  it('refuses one schema name for two different shapes', () => {
    const first = z.object({ a: z.string() }).meta({ id: 'TwiceNamed' });
    const second = z.object({ b: z.string() }).meta({ id: 'TwiceNamed' });
    API_ROUTES['/api/twice'] = {
      get: { summary: 'a', tags: [], response: first, errors: [] },
      post: { summary: 'b', tags: [], response: second, errors: [] },
    };
    try {
      expect(() => generateOpenApiDocument({ sessionCookie: 's' })).toThrow(
        'The schema TwiceNamed differs between its uses',
      );
    } finally {
      delete API_ROUTES['/api/twice'];
    }
  });
});

import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import type { z } from 'zod';
import type { FieldProblem } from '@tidewater/config/api';
import { TidewaterError } from '@tidewater/errors';

/**
 * Task, source and destination files: JSON (`.json`) or YAML (anything else; YAML also reads
 * JSON). The document is checked against the same zod schema the API uses, so a mistake is
 * reported with the file and the field before anything is sent. What is sent is the document
 * as written; the API applies the defaults.
 *
 * PEM texts (a CA, a Kafka client certificate and key) may be named by file instead of pasted:
 * `tls.caFile`, `tls.clientCertFile`, `tls.clientKeyFile`, relative to the configuration file,
 * are read into `tls.ca`, `tls.clientCert`, `tls.clientKey` before the check.
 */

/** Dotted path of the field, e.g. `source.port`; `""` for the whole document. */
export type { FieldProblem } from '@tidewater/config/api';

export async function loadConfigFile(file: string, schema: z.ZodType): Promise<unknown> {
  const name = path.basename(file);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new TidewaterError(
      'FILE_UNREADABLE',
      code === 'ENOENT'
        ? `There is no file ${file}.`
        : `Cannot read ${file} (${code ?? (error instanceof Error ? error.message : 'error')}).`,
      {
        category: 'invalid_input',
        remedy: 'Check the path given with -f (relative paths start at the current directory).',
        cause: error,
      },
    );
  }
  const document = await readPemFiles(parseDocument(text, file, name), file);
  const parsed = schema.safeParse(document);
  if (!parsed.success) {
    const problems = fieldProblems(parsed.error, document);
    const first = problems[0];
    throw new TidewaterError(
      'FILE_INVALID',
      first
        ? `${name}: ${first.path ? `${first.path}: ` : ''}${first.message}${
            problems.length > 1 ? ` (and ${problems.length - 1} more)` : ''
          }`
        : `${name} is not valid.`,
      {
        category: 'invalid_input',
        remedy: `Correct the fields listed in ${name} and run the command again.`,
        details: { file, problems },
      },
    );
  }
  return document;
}

function parseDocument(text: string, file: string, name: string): object {
  const isJson = path.extname(file).toLowerCase() === '.json';
  let document: unknown;
  try {
    document = isJson ? JSON.parse(text) : parseYaml(text, { prettyErrors: true });
  } catch (error) {
    throw new TidewaterError(
      'FILE_INVALID',
      `${name} is not valid ${isJson ? 'JSON' : 'YAML'}: ${syntaxMessage(error)}`,
      {
        category: 'invalid_input',
        remedy: `Fix the syntax of ${name} at the place named, or check the file's extension (.json is read as JSON, anything else as YAML).`,
        details: { file },
        cause: error,
      },
    );
  }
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    throw new TidewaterError('FILE_INVALID', `${name} does not hold an object.`, {
      category: 'invalid_input',
      remedy: `Write the settings in ${name} as one object (keys and values at the top level).`,
      details: { file },
    });
  }
  return document;
}

const PEM_FILE_FIELDS = { caFile: 'ca', clientCertFile: 'clientCert', clientKeyFile: 'clientKey' };

/** The document with each `tls.*File` replaced by the PEM text it names (see the module comment). */
async function readPemFiles(document: object, file: string): Promise<object> {
  const read = async (tls: Record<string, unknown>, at: string) => {
    const result = { ...tls };
    for (const [fileField, field] of Object.entries(PEM_FILE_FIELDS)) {
      const named = tls[fileField];
      if (named === undefined) continue;
      const where = `${at}tls.${fileField}`;
      if (typeof named !== 'string' || named === '') {
        throw new TidewaterError(
          'FILE_INVALID',
          `${path.basename(file)}: ${where} must name a file.`,
          {
            category: 'invalid_input',
            remedy: `Set ${where} to the path of a PEM file, relative to ${path.basename(file)}.`,
            details: { file, problems: [{ path: where, message: 'Name a PEM file.' }] },
          },
        );
      }
      const pemFile = path.resolve(path.dirname(file), named);
      try {
        result[field] = await readFile(pemFile, 'utf8');
      } catch (error) {
        throw new TidewaterError('FILE_UNREADABLE', `Cannot read ${pemFile}, named by ${where}.`, {
          category: 'invalid_input',
          remedy: `Check the path in ${where}; it is relative to ${path.basename(file)}.`,
          cause: error,
        });
      }
      delete result[fileField];
    }
    return result;
  };
  const isObject = (value: unknown): value is Record<string, unknown> =>
    typeof value === 'object' && value !== null && !Array.isArray(value);
  const withFiles = async (side: Record<string, unknown>, at: string) =>
    isObject(side.tls) ? { ...side, tls: await read(side.tls, at) } : side;
  const root = await withFiles(document as Record<string, unknown>, '');
  for (const side of ['source', 'destination']) {
    if (isObject(root[side])) root[side] = await withFiles(root[side], `${side}.`);
  }
  return root;
}

function syntaxMessage(error: unknown): string {
  if (error instanceof YAMLParseError) {
    // The first line says what and where ("... at line 3, column 7:"); the rest is a code frame.
    return (error.message.split('\n')[0] ?? error.message).replace(/:$/, '');
  }
  return error instanceof Error ? error.message : String(error);
}

/**
 * A zod failure as one problem per field, worded like the API's `details.problems`. A field
 * left out is "required" (zod's issues do not carry the input, so the document is looked up);
 * each unknown field (the schemas are strict) is a problem of its own, listed first.
 */
export function fieldProblems(error: z.ZodError, document: unknown): FieldProblem[] {
  const unknown = error.issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({
          path: [...issue.path.map(String), key].join('.'),
          message: 'Unknown field: there is no setting by this name here.',
        }))
      : [],
  );
  const others = error.issues
    .filter((issue) => issue.code !== 'unrecognized_keys')
    .map((issue) => ({
      path: issue.path.map(String).join('.'),
      message:
        issue.code === 'invalid_type' && valueAt(document, issue.path) === undefined
          ? 'This field is required.'
          : issue.message,
    }));
  return [...unknown, ...others];
}

function valueAt(document: unknown, keys: readonly PropertyKey[]): unknown {
  let value = document;
  for (const key of keys) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

/**
 * `npm run docs:fields [-- --check]`: writes the field reference of docs/environments.md (the
 * text between its `fields:start` and `fields:end` markers) from environments/schema.ts: every
 * field's type, default, allowed values, test and prod values and doc comment. `--check` writes
 * nothing and exits 1 when the committed document differs from what it would write.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { prod } from '../../environments/prod';
import { CROSS_ENVIRONMENT_RULES, ENVIRONMENT_RULES } from '../../environments/rules';
import { environmentSchema, prodSchema } from '../../environments/schema';
import { test } from '../../environments/test';
import {
  fieldReference,
  FieldReferenceError,
  type FieldReference,
  MISPLACED_DOCS,
  renderReference,
  sectionDocs,
  spliceReference,
} from './field-docs';
import { formatAsRepository } from './format';
import { REPO_ROOT } from '../lib/root';

export const DOCUMENT = join(REPO_ROOT, 'docs', 'environments.md');
const SCHEMA_SOURCE = join(REPO_ROOT, 'environments', 'schema.ts');

/** The reference of the environments' schema, from its source and the two environments. */
export function environmentFields(): FieldReference {
  return fieldReference({
    schema: environmentSchema,
    prodSchema,
    source: readFileSync(SCHEMA_SOURCE, 'utf8'),
    root: 'environmentSchema',
    test,
    prod,
    rules: { ...ENVIRONMENT_RULES, ...CROSS_ENVIRONMENT_RULES },
    misplacedDocs: MISPLACED_DOCS,
  });
}

/**
 * `document` (docs/environments.md) as the generator writes it: its reference replaced and the
 * whole formatted as the repository formats it (Biome).
 */
export async function generatedDocument(
  reference = environmentFields(),
  document = readFileSync(DOCUMENT, 'utf8'),
): Promise<string> {
  const source = readFileSync(SCHEMA_SOURCE, 'utf8');
  const table = renderReference(reference.rows, sectionDocs(source, 'environmentSchema'));
  return formatAsRepository(spliceReference(document, table), DOCUMENT);
}

/** Writes (or with `check`, compares) `path`; returns the exit code and the line that says so. */
export async function run(
  check: boolean,
  path = DOCUMENT,
): Promise<{ code: number; line: string }> {
  const reference = environmentFields();
  const fields = reference.rows.filter((row) => row.leaf).length;
  for (const field of reference.unusedExceptions) {
    console.warn(
      `warning: ${field}'s doc comment is in place now. Fix: remove it from MISPLACED_DOCS in scripts/dev/field-docs.ts`,
    );
  }
  const current = readFileSync(path, 'utf8');
  const wanted = await generatedDocument(reference, current);
  if (check) {
    return wanted === current
      ? { code: 0, line: `docs/environments.md is up to date: ${fields} fields` }
      : { code: 1, line: 'docs/environments.md is out of date: run npm run docs:fields' };
  }
  if (wanted !== current) writeFileSync(path, wanted);
  const unchanged = wanted === current ? ' (unchanged)' : '';
  return { code: 0, line: `docs/environments.md: ${fields} fields written${unchanged}` };
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const unknown = args.filter((arg) => arg !== '--check');
  if (unknown.length > 0) {
    // A mistyped `--check` must not turn the check into a write.
    console.error(
      `npm run docs:fields: unknown argument ${JSON.stringify(unknown[0])}; valid: --check (compare, write nothing)`,
    );
    process.exit(2);
  }
  run(args.includes('--check')).then(
    ({ code, line }) => {
      (code === 0 ? console.log : console.error)(line);
      process.exit(code);
    },
    (error: unknown) => {
      console.error(error instanceof FieldReferenceError ? error.message : error);
      process.exit(1);
    },
  );
}

import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { environmentSchema } from '../../../environments/schema';
import {
  DOCUMENT,
  environmentFields,
  generatedDocument,
  run,
} from '../../../scripts/dev/field-reference';
import {
  fieldReference,
  type FieldRow,
  FieldReferenceError,
  type FieldSources,
} from '../../../scripts/dev/field-docs';
import { tempDir } from '../../helpers/paths';
import { runScript } from '../../helpers/process';

const reference = environmentFields();
const committed = readFileSync(DOCUMENT, 'utf8');
const row = (path: string): FieldRow => {
  const found = reference.rows.find((r) => r.path === path);
  if (!found) throw new Error(`no row ${path}`);
  return found;
};
/** The document's table line of a field. */
const line = (path: string): string =>
  committed.split('\n').find((l) => l.startsWith(`| \`${path}\` `)) ?? '';

/** Leaf paths of a zod schema, walked through its public API (not the generator's walk). */
function leafPaths(schema: z.ZodType, path = ''): string[] {
  if (schema instanceof z.ZodOptional) return leafPaths(schema.unwrap() as z.ZodType, path);
  if (schema instanceof z.ZodObject) {
    return Object.entries(schema.shape as Record<string, z.ZodType>).flatMap(([key, child]) =>
      leafPaths(child, path ? `${path}.${key}` : key),
    );
  }
  if (schema instanceof z.ZodRecord) {
    const value = schema.valueType as z.ZodType;
    const placeholder = value instanceof z.ZodObject ? '<name>' : '<key>';
    return leafPaths(value, `${path}.${placeholder}`);
  }
  if (schema instanceof z.ZodArray) return [`${path}[]`];
  return [path];
}

/** A tiny schema source and its schema, to feed the generator what schema.ts must never hold. */
function synthetic(source: string, schema: z.ZodType): FieldSources {
  return { schema, source, root: 'env', test: { a: 1 }, prod: { a: 2 } };
}

describe('npm run docs:fields', () => {
  it('has written the committed docs/environments.md (run npm run docs:fields when this fails)', async () => {
    expect(committed).toBe(await generatedDocument(reference));
  });

  it('lists every leaf field of the schema exactly once', () => {
    const paths = leafPaths(environmentSchema);
    expect(paths).toContain('network.subnets.private.prefixLength');
    expect(paths).toContain('k8s.karpenter.nodePools.<name>.limits.cpu');
    expect(paths).toContain('availabilityZones[]');
    expect(reference.rows.filter((r) => r.leaf).map((r) => r.path)).toEqual(paths);
    for (const path of paths) {
      const rows = committed.split('\n').filter((l) => l.startsWith(`| \`${path}\` `));
      expect(rows, path).toHaveLength(1);
    }
  });

  it("shows each field's type, default, test and prod values and doc comment", () => {
    expect(line('rds.instanceClass')).toMatch(
      /^\| `rds.instanceClass` +\| string +\| required +\| .* \| `"db.t4g.medium"` +\| `"db.m7g.large"` +\| Instance class, `db.<family>.<size>`. +\|$/,
    );
    expect(row('services.<name>.replicas.max')).toMatchObject({
      test: 'backend, frontend: `6`',
      prod: 'backend, frontend: `20`',
    });
    expect(row('services.<name>.route.host')).toMatchObject({
      default: 'required in `services.<name>.route`',
      test: 'backend: unset; frontend: `"shop"`',
    });
    expect(row('services.<name>.route')).toMatchObject({ leaf: false, default: 'internal only' });
    expect(row('state.kmsKeyArn').default).toBe(
      'state objects are encrypted with S3-managed keys (SSE-S3) until it is set',
    );
    expect(row('network.natGateways').type).toBe('one of `one-per-az`, `single`');
    // A field without its own comment takes its object's: the add-on versions share one.
    expect(row('eks.addonVersions.coredns').description).toBe(
      'Versions of the EKS managed add-ons, `vX.Y.Z-eksbuild.N`.',
    );
  });

  it("shows prod's stricter bound where prodSchema has one, and only there", () => {
    expect(row('availabilityZones[]').allowed).toContain(
      'at least 2 items; **prod:** at least 3 items',
    );
    expect(row('k8s.controllerReplicas').allowed).toBe(
      'whole number 1–5; **prod:** whole number 2–5',
    );
    expect(row('services.<name>.replicas.min').allowed).toContain('**prod:** whole number 2–100');
    expect(row('rds.multiAz').allowed).toMatch(/^\*\*prod:\*\* must be true in prod: /);
    expect(row('state.accessLogRetentionDays').allowed).toBe('whole number 1–3,650');
    expect(line('k8s.controllerReplicas')).toContain('**prod:** whole number 2–5');
  });

  it('names the rules of rules.ts that read a field', () => {
    expect(row('network.reservedAzSlots').allowed).toBe('rules: slotsForEveryZone, subnetPlan');
  });

  it('throws when a field has no doc comment', () => {
    const source = `const env = z.strictObject({ /** Documented. */ a: z.number(), b: z.string() });`;
    const schema = z.strictObject({ a: z.number(), b: z.string() });
    expect(() => fieldReference(synthetic(source, schema))).toThrow(FieldReferenceError);
    expect(() => fieldReference(synthetic(source, schema))).toThrow(
      'environments/schema.ts: b has no doc comment. Fix: add a /** … */ comment saying what the field changes',
    );
  });

  it('throws when a field has two doc comments (one has lost its field)', () => {
    const source = `const env = z.strictObject({ /** For b. */ /** For a. */ a: z.number(), b: z.string() });`;
    const schema = z.strictObject({ a: z.number(), b: z.string() });
    expect(() => fieldReference(synthetic(source, schema))).toThrow(
      'environments/schema.ts: a has 2 doc comments, so a field above or below it has lost its own',
    );
    const placed = { ...synthetic(source, schema), misplacedDocs: { b: 'a' } };
    expect(fieldReference(placed).rows.map((r) => r.description)).toEqual(['For a.', 'For b.']);
  });

  it('throws when an optional field has no @default', () => {
    const source = `const inner = z.strictObject({ /** A. */ a: z.number() });
      const env = z.strictObject({ /** The inner part. */ inner: inner.optional() });`;
    const schema = z.strictObject({ inner: z.strictObject({ a: z.number() }).optional() });
    expect(() => fieldReference(synthetic(source, schema))).toThrow(
      'environments/schema.ts: optional inner has no @default',
    );
  });

  it("follows a field's schema into the const it names, and that const's comment", () => {
    const source = `/** Sizes. */ const sizes = z.strictObject({ /** Small. */ small: z.number() });
      const env = z.strictObject({ sizes, /** Named. */ named: z.record(z.string(), sizes) });`;
    const sizes = z.strictObject({ small: z.number() });
    const schema = z.strictObject({ sizes, named: z.record(z.string(), sizes) });
    expect(
      fieldReference(synthetic(source, schema)).rows.map((r) => [r.path, r.description]),
    ).toEqual([
      ['sizes.small', 'Small.'],
      ['named', 'Named.'],
      ['named.<name>.small', 'Small.'],
    ]);
  });

  it('needs every entry of MISPLACED_DOCS (remove one once schema.ts is fixed)', () => {
    expect(reference.unusedExceptions).toEqual([]);
  });

  it('--check fails with one line on an out-of-date document, which a run rewrites', async () => {
    const dir = tempDir('field-reference');
    try {
      const stale = join(dir, 'environments.md');
      const edited = committed.replace('| `rds.instanceClass` ', '| `rds.instanceClassName` ');
      writeFileSync(stale, edited);
      expect(await run(true, stale)).toEqual({
        code: 1,
        line: 'docs/environments.md is out of date: run npm run docs:fields',
      });
      expect(readFileSync(stale, 'utf8')).toBe(edited);
      expect(await run(false, stale)).toEqual({
        code: 0,
        line: `docs/environments.md: ${leafPaths(environmentSchema).length} fields written`,
      });
      expect(readFileSync(stale, 'utf8')).toBe(committed);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('npm run docs:fields (process)', () => {
  it('refuses a mistyped --check (exit 2) and writes nothing', async () => {
    const before = readFileSync(DOCUMENT, 'utf8');
    const result = await runScript('dev/field-reference.ts', '--chek');
    expect(result.status).toBe(2);
    expect(result.stderr.trim()).toBe(
      'npm run docs:fields: unknown argument "--chek"; valid: --check (compare, write nothing)',
    );
    expect(readFileSync(DOCUMENT, 'utf8')).toBe(before);
  });
});

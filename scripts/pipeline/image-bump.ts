/**
 * `npm run -s image:bump -- <env> <service> <tag>`: sets `services.<service>.image` in
 * `environments/<env>.ts` to `<tag>`, the pipeline's way of deploying a new image (a pull request
 * with this one-line change, to test after a build, to prod to promote). The tag is checked by
 * the schema's own rule (environments/schema.ts: never `latest`, a tag or a digest), the
 * environment and the service must exist; on any refusal nothing is written and one line says
 * which field, what value and what to do (exit 1). Prints one line saying what changed.
 *
 * The file is edited where the value stands (found through the TypeScript syntax tree), so its
 * comments and layout stay as they are. `--environments-dir <dir>` edits another copy (tests).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { environments, environmentSchema, FIX, formatIssue } from '../../environments';
import { parseCommandLine, runCommand, ScriptError, UsageError } from './cli';
import { REPO_ROOT } from '../lib/root';

export const USAGE =
  'usage: npm run -s image:bump -- <env> <service> <tag> [--environments-dir <dir>]';

/** The schema's rule for a service's image: a tag other than `latest`, or a digest. */
const imageSchema = environmentSchema.shape.services.valueType.shape.image;

export interface BumpResult {
  readonly file: string;
  readonly field: string;
  readonly before: string;
  readonly after: string;
  readonly changed: boolean;
}

function refuse(path: string, value: unknown, problem: string, fix: string): never {
  throw new ScriptError(formatIssue({ path, value, problem, fix }));
}

/** The value of property `name` of an object literal, if it has one. */
function property(object: ts.ObjectLiteralExpression, name: string): ts.Expression | undefined {
  for (const member of object.properties) {
    if (
      ts.isPropertyAssignment(member) &&
      (ts.isIdentifier(member.name) || ts.isStringLiteral(member.name)) &&
      member.name.text === name
    ) {
      return member.initializer;
    }
  }
  return undefined;
}

const keysOf = (object: ts.ObjectLiteralExpression): string[] =>
  object.properties.flatMap((m) =>
    ts.isPropertyAssignment(m) && (ts.isIdentifier(m.name) || ts.isStringLiteral(m.name))
      ? [m.name.text]
      : [],
  );

/** The object literal an environment file exports (`export const test: EnvironmentConfig = {…}`). */
function environmentObject(source: ts.SourceFile): ts.ObjectLiteralExpression | undefined {
  for (const statement of source.statements) {
    if (!ts.isVariableStatement(statement)) continue;
    for (const declaration of statement.declarationList.declarations) {
      const init = declaration.initializer;
      if (init && ts.isObjectLiteralExpression(init) && property(init, 'services')) return init;
    }
  }
  return undefined;
}

/**
 * Rewrites the image of `service` in `<dir>/<env>.ts` to `tag`; throws a {@link ScriptError}
 * naming field, value and fix, having written nothing, when it cannot.
 */
export function bumpImage(
  env: string,
  service: string,
  tag: string,
  dir = join(REPO_ROOT, 'environments'),
): BumpResult {
  const names = environments.map((e) => e.name);
  if (!names.includes(env)) {
    refuse(
      '<env>',
      env,
      'names no environment',
      `use one of ${names.join(', ')} (environments/index.ts)`,
    );
  }
  const file = join(dir, `${env}.ts`);
  const shown = relative(process.cwd(), file) || file;
  const field = `environments.${env}.services.${service}.image`;
  const checked = imageSchema.safeParse(tag);
  if (!checked.success) {
    const [problem, ...fix] = checked.error.issues[0].message.split(FIX);
    refuse(field, tag, problem, fix.join(FIX));
  }
  if (!existsSync(file)) {
    refuse(
      '<env>',
      env,
      `has no file ${shown}`,
      'write the environment file, or pass --environments-dir',
    );
  }
  const text = readFileSync(file, 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
  const config = environmentObject(source);
  const services = config && property(config, 'services');
  if (!services || !ts.isObjectLiteralExpression(services)) {
    refuse(
      `environments.${env}.services`,
      undefined,
      `is not an object literal in ${shown}`,
      "write services as { <name>: { …, image: '<tag>' } }",
    );
  }
  const block = property(services, service);
  if (!block || !ts.isObjectLiteralExpression(block)) {
    refuse(
      '<service>',
      service,
      `names no service of ${shown}`,
      `use one of ${keysOf(services).join(', ')}`,
    );
  }
  const image = property(block, 'image');
  if (!image || !(ts.isStringLiteral(image) || ts.isNoSubstitutionTemplateLiteral(image))) {
    refuse(
      field,
      image?.getText(source),
      `is not a string literal in ${shown}`,
      "write it as image: '<tag>'",
    );
  }
  const before = image.text;
  const result = { file: shown, field, before, after: tag, changed: before !== tag };
  if (result.changed) {
    // The same quotes as before; a tag holds no quote or backslash (the schema's pattern).
    const quote = text[image.getStart(source)];
    writeFileSync(
      file,
      text.slice(0, image.getStart(source)) + quote + tag + quote + text.slice(image.getEnd()),
    );
  }
  return result;
}

export function describeBump(result: BumpResult): string {
  return result.changed
    ? `${result.file}: ${result.field} ${result.before} -> ${result.after}`
    : `${result.file}: ${result.field} is already ${result.after}; nothing changed`;
}

export function main(args: readonly string[]): void {
  const { values, positionals } = parseCommandLine(args, {
    'environments-dir': { type: 'string' },
  });
  if (positionals.length !== 3) {
    throw new UsageError(
      `expected <env> <service> <tag>, got ${JSON.stringify(positionals.join(' '))}`,
    );
  }
  const [env, service, tag] = positionals;
  const dir = values['environments-dir'] ? resolve(values['environments-dir']) : undefined;
  console.log(describeBump(bumpImage(env, service, tag, dir)));
}

if (require.main === module) runCommand(USAGE, () => main(process.argv.slice(2)));

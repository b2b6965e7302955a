/**
 * Runs the schema and the rules over every environment and reports every problem at once, one
 * line each: `<path> <problem>, got <value>. Fix: <fix>`.
 */
import { z } from 'zod';
import { CROSS_ENVIRONMENT_RULES, ENVIRONMENT_RULES, type Rule } from './rules';
import { type EnvironmentConfig, environmentSchema, FIX } from './schema';

/** One problem in the config: where, what was found, and what to do about it. */
export interface ConfigIssue {
  readonly path: string;
  readonly value: unknown;
  readonly problem: string;
  readonly fix: string;
  /** The rule of rules.ts that found it. @default - a field's own schema */
  readonly rule?: string;
}

export function formatIssue(issue: ConfigIssue): string {
  let shown: string;
  try {
    shown = issue.value === undefined ? 'nothing' : JSON.stringify(issue.value);
  } catch {
    shown = String(issue.value); // a BigInt or a cycle: still one line, never a crash
  }
  return `${issue.path} ${issue.problem}, got ${shown}. Fix: ${issue.fix}`;
}

/** Thrown before any stack is built when the environment config is invalid. */
export class ConfigValidationError extends Error {
  constructor(public readonly issues: readonly ConfigIssue[]) {
    const count = `${issues.length} problem${issues.length === 1 ? '' : 's'}`;
    super(
      `Invalid environment configuration (${count}); nothing was synthesized:\n` +
        issues.map((issue) => `  - ${formatIssue(issue)}`).join('\n'),
    );
    this.name = 'ConfigValidationError';
  }
}

type Path = readonly PropertyKey[];

/** `a.b[2]` to `['a', 'b', 2]`. */
const toPath = (text: string): Path =>
  text
    .split(/\.|\[(\d+)\]/)
    .filter((key) => key)
    .map((key) => (/^\d+$/.test(key) ? Number(key) : key));

/** `['a', 2, 'b']` to `.a[2].b`. */
const suffix = (path: Path): string =>
  path.map((key) => (typeof key === 'number' ? `[${key}]` : `.${String(key)}`)).join('');

/** Whether path `a` is `b` or lies inside it. */
const within = (a: string, b: string): boolean =>
  a === b || a.startsWith(`${b}.`) || a.startsWith(`${b}[`);

const valueAt = (value: unknown, path: Path): unknown =>
  path.reduce<unknown>(
    (v, key) => (v instanceof Object ? (v as Record<PropertyKey, unknown>)[key] : undefined),
    value,
  );

/**
 * Attaches each rule as a refinement that runs only while the fields it reads have no problem
 * of their own (a tightening rule: no wrong type), so one mistake gives one line.
 */
function withRules<S extends z.ZodType>(
  schema: S,
  rules: Readonly<Record<string, Rule<z.output<S>>>>,
  depth = 0,
): S {
  return Object.entries(rules).reduce((refined, [rule, { reads, check, tightens = false }]) => {
    const touches = (issue: z.core.$ZodRawIssue): boolean => {
      const path = issue.path ?? [];
      const paths =
        issue.code === 'unrecognized_keys' ? issue.keys.map((key) => [...path, key]) : [path];
      return paths.some((p) =>
        reads.some(
          (read) =>
            within(suffix(p.slice(depth)), `.${read}`) ||
            within(`.${read}`, suffix(p.slice(depth))),
        ),
      );
    };
    return refined.superRefine(
      (value, ctx) =>
        check(value, (path, input, message) =>
          ctx.addIssue({
            code: 'custom',
            path: [...toPath(path)],
            input,
            message,
            params: { rule, tightens },
          }),
        ),
      {
        // Only a field's own problem holds a rule back: another rule's finding is no reason to
        // stay silent about this one.
        when: ({ issues }) =>
          !issues.some(
            (i) =>
              !(i.code === 'custom' && i.params?.rule) &&
              (!tightens || i.continue !== true) &&
              touches(i),
          ),
      },
    );
  }, schema);
}

// One parse per process: compiling zod's fast path would cost more than it saves.
z.config({ jitless: true });

const environmentsSchema = withRules(
  z.array(withRules(environmentSchema, ENVIRONMENT_RULES)),
  CROSS_ENVIRONMENT_RULES,
  1,
);

/** The fields of the object schema at `path`, to name the ones a misspelt key may have meant. */
function fieldsAt(path: Path): string[] {
  let def: z.core.$ZodTypeDef = environmentSchema._zod.def;
  for (const key of path) {
    while (def.type === 'optional') def = (def as z.core.$ZodOptionalDef).innerType._zod.def;
    if (def.type === 'object') def = (def as z.core.$ZodObjectDef).shape[String(key)]._zod.def;
    else if (def.type === 'record') def = (def as z.core.$ZodRecordDef).valueType._zod.def;
    else def = (def as z.core.$ZodArrayDef).element._zod.def;
  }
  return def.type === 'object' ? Object.keys((def as z.core.$ZodObjectDef).shape) : [];
}

const TYPE_FIXES: Readonly<Record<string, string>> = {
  string: 'write it in quotes',
  number: 'write a number, without quotes',
  boolean: 'write true or false, without quotes',
  array: 'write a list: [ … ]',
  object: 'write an object: { … }',
};

/** The problem and fix of an issue zod raised on its own: a missing field, a wrong type. */
function structural(issue: z.core.$ZodIssue, input: unknown): string {
  if (issue.code !== 'invalid_type') return `${issue.message}${FIX}see docs/environments.md`;
  if (input === undefined) {
    return `is missing${FIX}add it: every field is described in environments/schema.ts and docs/environments.md`;
  }
  const article = /^[aeiou]/.test(issue.expected) ? 'an' : 'a';
  return `must be ${article} ${issue.expected}${FIX}${TYPE_FIXES[issue.expected] ?? 'see docs/environments.md'}`;
}

function toConfigIssues(issue: z.core.$ZodIssue, configs: readonly unknown[]): ConfigIssue[] {
  const [index, ...inside] = issue.path;
  if (typeof index !== 'number') {
    const fix = 'export a list from environments/index.ts';
    return [{ path: 'environments', value: configs, problem: 'must be a list', fix }];
  }
  const environment = configs[index];
  const name = valueAt(environment, ['name']);
  const named =
    environmentSchema.shape.name.safeParse(name).success &&
    configs.filter((c) => valueAt(c, ['name']) === name).length === 1;
  const root = named ? `environments.${String(name)}` : `environments[${index}]`;
  // `{region}` in a message: the environment's value there.
  const fill = (text: string) =>
    text.replace(/\{([\w.]+)\}/g, (match, path: string) => {
      const value = valueAt(environment, toPath(path));
      return typeof value === 'string' ? value : match;
    });
  const entries: [Path, unknown, string][] =
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => {
          const fields = fieldsAt(inside);
          const meant =
            key.length >= 3
              ? fields.find((f) => f.toLowerCase().startsWith(key.toLowerCase().slice(0, 4)))
              : undefined;
          const fix = meant ? `did you mean ${meant}?` : `use one of ${fields.join(', ')}`;
          return [
            [...inside, key],
            valueAt(environment, [...inside, key]),
            `is not a known field${FIX}${fix} (a misspelt field is an error, never ignored)`,
          ];
        })
      : [
          [
            inside,
            issue.input,
            issue.message.includes(FIX) ? issue.message : structural(issue, issue.input),
          ],
        ];
  return entries.map(([path, value, message]) => {
    const text = fill(message);
    const [problem, fix] = [
      text.slice(0, text.indexOf(FIX)),
      text.slice(text.indexOf(FIX) + FIX.length),
    ];
    const rule = issue.code === 'custom' ? (issue.params?.rule as string | undefined) : undefined;
    return { path: root + suffix(path), value, problem, fix, ...(rule ? { rule } : {}) };
  });
}

/**
 * Validates every environment, alone and against each other, and returns them as parsed; throws
 * one {@link ConfigValidationError} listing every problem found. Call it before building any stack.
 */
export function validateEnvironments(
  configs: readonly EnvironmentConfig[],
): readonly EnvironmentConfig[] {
  const result = environmentsSchema.safeParse(configs, { reportInput: true });
  if (result.success) return result.data;
  // Where prod's stricter rule spoke, the field's own (non-prod) message is left out.
  const tightens = (i: z.core.$ZodIssue) => i.code === 'custom' && i.params?.tightens === true;
  const tightened = new Set(result.error.issues.filter(tightens).map((i) => suffix(i.path)));
  const issues = result.error.issues
    .filter((i) => tightens(i) || !tightened.has(suffix(i.path)))
    .flatMap((i) => toConfigIssues(i, configs));
  // A misspelt field is one mistake: its "did you mean" line, not also "<field> is missing".
  const meant = new Set(
    issues.flatMap((i) => {
      const field = /^did you mean (\w+)\?/.exec(i.fix)?.[1];
      return field ? [i.path.replace(/[^.[\]]+$/, field)] : [];
    }),
  );
  const reported = issues.filter((i) => !(i.problem === 'is missing' && meant.has(i.path)));
  throw new ConfigValidationError([...new Map(reported.map((i) => [formatIssue(i), i])).values()]);
}

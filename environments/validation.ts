/**
 * Runs the schema and the rules over every environment and reports every problem at once, one
 * line each: `<path> <problem>, got <value>. Fix: <fix>`.
 */
import { z } from 'zod';
import { CROSS_ENVIRONMENT_RULES, ENVIRONMENT_RULES, label, type Rule } from './rules';
import { type EnvironmentConfig, environmentSchema, FIX, isProduction, prodSchema } from './schema';

/** One problem in the config: where, what was found, and what to do about it. */
export interface ConfigIssue {
  readonly path: string;
  readonly value: unknown;
  readonly problem: string;
  readonly fix: string;
  /** The rule of rules.ts that found it. @default - a field's own schema */
  readonly rule?: string;
}

export function formatIssue({ path, value, problem, fix }: ConfigIssue): string {
  let shown: string;
  try {
    shown = value === undefined ? 'nothing' : JSON.stringify(value);
  } catch {
    shown = String(value); // a BigInt or a cycle: still one line, never a crash
  }
  return `${path} ${problem}, got ${shown}. Fix: ${fix}`;
}

/** Thrown before any stack is built when the environment config is invalid. */
export class ConfigValidationError extends Error {
  constructor(public readonly issues: readonly ConfigIssue[]) {
    const count = `${issues.length} problem${issues.length === 1 ? '' : 's'}`;
    const lines = issues.map((issue) => `\n  - ${formatIssue(issue)}`).join('');
    super(`Invalid environment configuration (${count}); nothing was synthesized:${lines}`);
    this.name = 'ConfigValidationError';
  }
}

/** A problem of environment `index` at `path` (`.rds.alarmEmails[0]`), its message unsplit. */
type Finding = { index: number; path: string; value: unknown; message: string; rule?: string };
/** An unknown key's finding, with the path of the field it may have meant. */
type Misspelt = Finding & { meant?: string };
type Keys = readonly PropertyKey[];

const pathOf = (keys: Keys): string =>
  keys.map((key) => (typeof key === 'number' ? `[${key}]` : `.${String(key)}`)).join('');
const valueAt = (value: unknown, keys: Keys): unknown =>
  keys.reduce<unknown>(
    (v, k) => (v instanceof Object ? (v as Record<PropertyKey, unknown>)[k] : undefined),
    value,
  );
/** Whether path `a` is `b` or lies inside it. */
const within = (a: string, b: string): boolean =>
  a === b || a.startsWith(`${b}.`) || a.startsWith(`${b}[`);

// One parse per process: compiling zod's fast path would cost more than it saves.
z.config({ jitless: true });

/** The fields of the object schema at `keys`, to name the one a misspelt key may have meant. */
function fieldsAt(keys: Keys): string[] {
  let def: z.core.$ZodTypeDef = environmentSchema._zod.def;
  for (const key of keys) {
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

/** Our messages carry their fix; zod's own (a missing field, a wrong type, an unknown key) get one here. */
function fromZod(issue: z.core.$ZodIssue, index: number, config: unknown): Misspelt[] {
  const { path: keys, input: value } = issue as { path: Keys; input?: unknown };
  const path = pathOf(keys);
  if (issue.code === 'unrecognized_keys') {
    const fields = fieldsAt(keys);
    return issue.keys.map((key) => {
      const prefix = key.toLowerCase().slice(0, 4);
      const meant =
        key.length < 3 ? undefined : fields.find((f) => f.toLowerCase().startsWith(prefix));
      const fix = meant ? `did you mean ${meant}?` : `use one of ${fields.join(', ')}`;
      const message = `is not a known field${FIX}${fix} (a misspelt field is an error, never ignored)`;
      const value = valueAt(config, [...keys, key]);
      return { index, path: `${path}.${key}`, value, message, meant: meant && `${path}.${meant}` };
    });
  }
  const type = issue.code === 'invalid_type' ? issue.expected : '';
  const message = issue.message.includes(FIX)
    ? issue.message
    : type && value === undefined
      ? `is missing${FIX}add it: every field is described in environments/schema.ts and docs/environments.md`
      : type
        ? `must be ${/^[aeiou]/.test(type) ? 'an' : 'a'} ${type}${FIX}${TYPE_FIXES[type] ?? 'see docs/environments.md'}`
        : `${issue.message}${FIX}see docs/environments.md`;
  return [{ index, path, value, message }];
}

/** Runs each rule while the fields it reads have no problem of their own (`own`). */
function runRules<T>(
  rules: Readonly<Record<string, Rule<T>>>,
  value: T,
  own: readonly Finding[],
  where: (path: string) => [index: number, path: string],
): Finding[] {
  const sound = (read: string) =>
    !own.some(({ path }) => within(path, `.${read}`) || within(`.${read}`, path));
  const found: Finding[] = [];
  for (const [rule, { reads, check }] of Object.entries(rules)) {
    if (reads.every(sound))
      check(value, (at, value, message) => {
        const [index, path] = where(at.startsWith('[') ? at : `.${at}`);
        found.push({ index, path, value, message, rule });
      });
  }
  return found;
}

/**
 * Validates every environment, alone and against each other, and returns them as parsed; throws
 * one {@link ConfigValidationError} listing every problem found. Call it before building any stack.
 */
export function validateEnvironments(
  configs: readonly EnvironmentConfig[],
): readonly EnvironmentConfig[] {
  if (!Array.isArray(configs)) {
    const fix = 'export a list from environments/index.ts';
    throw new ConfigValidationError([
      { path: 'environments', value: configs, problem: 'must be a list', fix },
    ]);
  }
  const [fields, found]: Misspelt[][] = [[], []];
  const parsed = configs.map((config: unknown, index) => {
    const schema = isProduction(valueAt(config, ['name'])) ? prodSchema : environmentSchema;
    const result = schema.safeParse(config, { reportInput: true });
    const own = result.error?.issues.flatMap((issue) => fromZod(issue, index, config)) ?? [];
    fields.push(...own);
    found.push(...own, ...runRules(ENVIRONMENT_RULES, config as never, own, (p) => [index, p]));
    return result.data as EnvironmentConfig;
  });
  found.push(
    ...runRules(CROSS_ENVIRONMENT_RULES, configs, fields, (at) => {
      const [, index, path] = /^\[(\d+)\](.*)$/.exec(at) ?? [];
      return [Number(index), path];
    }),
  );
  if (found.length === 0) return parsed;

  // A misspelt field is one mistake: its "did you mean" line, not also "<field> is missing".
  const meant = new Set(fields.flatMap((f) => (f.meant ? [`${f.index}${f.meant}`] : [])));
  const missing = ({ index, path, message }: Finding) =>
    message.startsWith(`is missing${FIX}`) && meant.has(`${index}${path}`);
  const issues = found
    .filter((finding) => !missing(finding))
    .map(({ index, path, value, message, rule }): ConfigIssue => {
      // `{region}` in a message: the environment's own value there.
      const text = message.replace(/\{([\w.]+)\}/g, (match, at: string) => {
        const own = valueAt(configs[index], at.split('.'));
        return typeof own === 'string' ? own : match;
      });
      const [problem, fix] = [
        text.slice(0, text.indexOf(FIX)),
        text.slice(text.indexOf(FIX) + FIX.length),
      ];
      return { path: label(configs, index) + path, value, problem, fix, ...(rule && { rule }) };
    });
  throw new ConfigValidationError([...new Map(issues.map((i) => [formatIssue(i), i])).values()]);
}

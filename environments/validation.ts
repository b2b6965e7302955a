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

/** A problem at `path` (`[0].rds.alarmEmails[0]`: environment 0's), its message unsplit. */
type Finding = { path: string; value: unknown; message: string; rule?: string; meant?: string };
type Keys = readonly PropertyKey[];

const pathOf = (keys: Keys): string =>
  keys.map((key) => (typeof key === 'number' ? `[${key}]` : `.${String(key)}`)).join('');
const valueAt = (value: unknown, keys: Keys): unknown =>
  keys.reduce((v, k) => (v as Record<PropertyKey, unknown> | null | undefined)?.[k], value);
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
function fromZod(issue: z.core.$ZodIssue, config: unknown): Finding[] {
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
      return { path: `${path}.${key}`, value, message, meant: meant && `${path}.${meant}` };
    });
  }
  const type = issue.code === 'invalid_type' ? issue.expected : '';
  const message = issue.message.includes(FIX)
    ? // `{region}` in a message: the environment's own value there.
      issue.message.replace(/\{([\w.]+)\}/g, (match, at: string) => {
        const own = valueAt(config, at.split('.'));
        return typeof own === 'string' ? own : match;
      })
    : type && value === undefined
      ? `is missing${FIX}add it: every field is described in environments/schema.ts and docs/environments.md`
      : type
        ? `must be ${/^[aeiou]/.test(type) ? 'an' : 'a'} ${type}${FIX}${TYPE_FIXES[type] ?? 'see docs/environments.md'}`
        : `${issue.message}${FIX}see docs/environments.md`;
  return [{ path, value, message }];
}

/**
 * Runs each rule while the fields it reads have no problem of their own (`own`, of any
 * environment), its findings' paths prefixed with `at`.
 */
function runRules<T>(rules: Readonly<Record<string, Rule<T>>>, value: T, own: Finding[], at = '') {
  const sound = (read: string) =>
    !own.some(({ path }) => within(path, `.${read}`) || within(`.${read}`, path));
  return Object.entries(rules).flatMap(([rule, { reads, check }]) => {
    const found: Finding[] = [];
    if (reads.every(sound))
      check(value, (path, value, message) =>
        found.push({ path: at + (path.startsWith('[') ? path : `.${path}`), value, message, rule }),
      );
    return found;
  });
}

/**
 * Validates every environment, alone and against each other, and returns them as parsed; throws
 * one {@link ConfigValidationError} listing every problem found. Call it before building any stack.
 */
export function validateEnvironments(
  configs: readonly EnvironmentConfig[],
): readonly EnvironmentConfig[] {
  const fix = 'export a list from environments/index.ts';
  if (!Array.isArray(configs))
    throw new ConfigValidationError([
      { path: 'environments', value: configs, problem: 'must be a list', fix },
    ]);
  const [fields, found]: Finding[][] = [[], []];
  const parsed = configs.map((config: unknown, i) => {
    const schema = isProduction(valueAt(config, ['name'])) ? prodSchema : environmentSchema;
    const result = schema.safeParse(config, { reportInput: true });
    const own = result.error?.issues.flatMap((issue) => fromZod(issue, config)) ?? [];
    fields.push(...own);
    // A misspelt field is one mistake: its "did you mean" line, not also "<field> is missing".
    const meant = ({ path, message }: Finding) =>
      message.startsWith(`is missing${FIX}`) && own.some((f) => f.meant === path);
    own.filter((f) => !meant(f)).forEach((f) => found.push({ ...f, path: `[${i}]${f.path}` }));
    found.push(...runRules(ENVIRONMENT_RULES, config as never, own, `[${i}]`));
    return result.data as EnvironmentConfig;
  });
  found.push(...runRules(CROSS_ENVIRONMENT_RULES, configs, fields));
  if (found.length === 0) return parsed;
  const issues = found.map(({ path, value, message, rule }): ConfigIssue => {
    const [, index, at] = /^\[(\d+)\](.*)$/.exec(path) ?? [];
    const [problem, ...fix] = message.split(FIX);
    return {
      path: label(configs, Number(index)) + at,
      value,
      problem,
      fix: fix.join(FIX),
      ...(rule && { rule }),
    };
  });
  throw new ConfigValidationError([...new Map(issues.map((i) => [formatIssue(i), i])).values()]);
}

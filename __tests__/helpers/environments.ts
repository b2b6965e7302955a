import { expect } from 'vitest';
import {
  type ConfigIssue,
  ConfigValidationError,
  type EnvironmentConfig,
  validateEnvironments,
} from '../../environments';
import { prod } from '../../environments/prod';
import { test } from '../../environments/test';

type DeepPartial<T> = {
  -readonly [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> | T[K] : T[K];
};

function merge<T>(base: T, patch: DeepPartial<T>): T {
  if (typeof base !== 'object' || base === null || Array.isArray(base)) {
    return patch as T;
  }
  const result: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [key, value] of Object.entries(patch as Record<string, unknown>)) {
    const current = result[key];
    result[key] =
      value !== null && typeof value === 'object' && !Array.isArray(value) && current !== undefined
        ? merge(current, value as DeepPartial<typeof current>)
        : value;
  }
  return result as T;
}

/** The committed test environment with a deep patch applied (arrays are replaced, not merged). */
export function testEnv(patch: DeepPartial<EnvironmentConfig> = {}): EnvironmentConfig {
  return merge(test, patch);
}

/** The committed prod environment with a deep patch applied. */
export function prodEnv(patch: DeepPartial<EnvironmentConfig> = {}): EnvironmentConfig {
  return merge(prod, patch);
}

/** The problems `validateEnvironments` finds in these environments (fails if it finds none). */
export function issuesFor(...configs: readonly unknown[]): readonly ConfigIssue[] {
  try {
    validateEnvironments(configs as EnvironmentConfig[]);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigValidationError);
    return (error as ConfigValidationError).issues;
  }
  throw new Error('expected validateEnvironments to throw');
}

/** Validates test and prod together and returns the error's message (fails if none). */
export function errorFor(test: unknown, prod: unknown = prodEnv()): string {
  return new ConfigValidationError(issuesFor(test, prod)).message;
}

/** The components every environment has, each a stack `<env>-<component>`. */
export const COMPONENTS = [
  'tfstate',
  'network',
  'eks-infra',
  'rds',
  'eks-k8s',
  'service-backend',
  'service-frontend',
] as const;

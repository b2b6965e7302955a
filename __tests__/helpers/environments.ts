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

/** The account of `realTestEnv`: a real-looking id, not one of the placeholder patterns. */
export const REAL_ACCOUNT = '246813579024';

/**
 * test with every placeholder replaced by a real-looking value but the service image tags (set
 * at each service's first deploy): what `npm run bootstrap` accepts.
 */
export function realTestEnv(patch: DeepPartial<EnvironmentConfig> = {}): EnvironmentConfig {
  const account = REAL_ACCOUNT;
  const real = testEnv({
    accountId: account,
    state: {
      bucketName: `acme-platform-tfstate-test-${account}`,
      accessLogBucketName: `acme-platform-tfstate-test-${account}-logs`,
    },
    eks: {
      publicAccessCidrs: ['85.214.10.0/24'],
      adminRoleArns: [`arn:aws:iam::${account}:role/platform-admin`],
    },
    rds: { alarmEmails: ['platform-alerts@acme-corp.io'] },
    dns: { hostedZoneName: 'test.acme-shop.io', domain: 'test.acme-shop.io' },
    k8s: {
      ingress: { accessLogBucketName: `acme-platform-alb-logs-test-${account}` },
      monitoring: { alertEmails: ['platform-alerts@acme-corp.io'] },
    },
  });
  return merge(real, patch);
}

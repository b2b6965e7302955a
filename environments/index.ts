import { prod } from './prod';
import type { EnvironmentConfig } from './schema';
import { test } from './test';
import { ConfigValidationError } from './validation';

export * from './schema';
export * from './validation';

/**
 * Every environment of the platform, in the order changes are promoted through them. To add one,
 * write `environments/<name>.ts` and list it here (docs/environments.md).
 */
export const environments: readonly EnvironmentConfig[] = [test, prod];

/**
 * The environments to synthesize: all of them, or the one named (`PLATFORM_ENV=test`) to make a
 * synth of one environment faster.
 */
export function selectEnvironments(
  all: readonly EnvironmentConfig[],
  requested: string | undefined,
): readonly EnvironmentConfig[] {
  if (requested === undefined || requested === '') {
    return all;
  }
  const match = all.find((environment) => environment.name === requested);
  if (!match) {
    throw new ConfigValidationError([
      {
        path: 'PLATFORM_ENV',
        value: requested,
        problem: 'names no environment',
        fix: `set it to one of ${all.map((e) => e.name).join(', ')}, or unset it to synthesize all`,
      },
    ]);
  }
  return [match];
}

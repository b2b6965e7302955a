import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Testing, type TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { expect } from 'vitest';
import type { EnvironmentConfig } from '../../environments';
import { buildEnvironment, type EnvironmentStacks } from '../../stacks/platform';

/** A synthesized Terraform JSON document. */
export interface SynthJson {
  readonly terraform?: Record<string, unknown>;
  readonly provider?: Record<string, Record<string, unknown>[]>;
  readonly resource?: Record<string, Record<string, Record<string, unknown>>>;
  readonly data?: Record<string, Record<string, Record<string, unknown>>>;
  readonly output?: Record<string, Record<string, unknown>>;
}

export function synthStack(stack: TerraformStack): SynthJson {
  return JSON.parse(Testing.synth(stack)) as SynthJson;
}

export function synthConstruct(build: (scope: Construct) => void): SynthJson {
  return JSON.parse(Testing.synthScope(build)) as SynthJson;
}

/** Every resource of a type, as [logical name, config] pairs. */
export function resourcesOf(json: SynthJson, type: string): [string, Record<string, unknown>][] {
  return Object.entries(json.resource?.[type] ?? {});
}

/** The config of the only resource of a type; fails when there is not exactly one. */
export function onlyResource(json: SynthJson, type: string): Record<string, unknown> {
  const found = resourcesOf(json, type);
  expect(found, `expected exactly one ${type}`).toHaveLength(1);
  return found[0][1];
}

/** The logical name of the only resource of a type (`lock-table_D28631D7`), for references to it. */
export function onlyResourceName(json: SynthJson, type: string): string {
  const found = resourcesOf(json, type);
  expect(found, `expected exactly one ${type}`).toHaveLength(1);
  return found[0][0];
}

/**
 * Asserts that some resource of `type` has these properties (CDKTF's matcher, deep and partial).
 * On failure, prints the resources of that type that do exist.
 */
export function expectResource(
  json: SynthJson,
  type: string,
  properties: Record<string, unknown>,
): void {
  const ok = Testing.toHaveResourceWithProperties(JSON.stringify(json), type, properties);
  expect(
    ok,
    `no ${type} with ${JSON.stringify(properties)}; found ${JSON.stringify(resourcesOf(json, type), null, 1)}`,
  ).toBe(true);
}

/** Parses the JSON policy document in a resource's `policy`-like attribute. */
export function policyOf(resource: Record<string, unknown>, attribute = 'policy'): PolicyJson {
  return JSON.parse(String(resource[attribute])) as PolicyJson;
}

export interface PolicyJson {
  Statement: {
    Sid?: string;
    Effect: string;
    Principal?: unknown;
    Action: string | string[];
    Resource?: string | string[];
    Condition?: Record<string, Record<string, unknown>>;
  }[];
}

/** A stack's `cdk.tf.json` as written by `app.synth()` into `outdir`. */
export function readStackJson(outdir: string, stack: string): SynthJson {
  return JSON.parse(
    readFileSync(join(outdir, 'stacks', stack, 'cdk.tf.json'), 'utf8'),
  ) as SynthJson;
}

/** Builds and synthesizes every stack of one environment; `read('rds')` gives `<env>-rds`. */
export function synthEnvironment(environment: EnvironmentConfig): {
  stacks: EnvironmentStacks;
  read(component: string): SynthJson;
  /** Where the stacks were written (their assets too). */
  outdir: string;
} {
  const app = Testing.app();
  const stacks = buildEnvironment(app, environment);
  app.synth();
  return {
    stacks,
    read: (component) => readStackJson(app.outdir, `${environment.name}-${component}`),
    outdir: app.outdir,
  };
}

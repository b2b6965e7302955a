import { describe, expect, it } from 'vitest';
import { environments, formatIssue, validateEnvironments } from '../../environments';
import { errorFor, issuesFor, prodEnv, testEnv } from '../helpers/environments';
import { staging } from '../fixtures/staging';

describe('validateEnvironments', () => {
  it('accepts the committed environments', () => {
    expect(() => validateEnvironments(environments)).not.toThrow();
  });

  it('reports every problem at once, counted', () => {
    const message = errorFor(
      testEnv({ accountId: 'x', region: 'nowhere-1' }),
      prodEnv({ network: { natGateways: 'single' } }),
    );
    expect(message).toMatch(
      /^Invalid environment configuration \(\d+ problems\); nothing was synthesized:/,
    );
    expect(message).toContain('environments.test.accountId');
    expect(message).toContain('environments.test.region');
    expect(message).toContain('environments.prod.network.natGateways');
  });

  it('throws when the environments are not a list', () => {
    expect(() => validateEnvironments({} as never)).toThrow(
      'environments must be a list, got {}. Fix: export a list from environments/index.ts',
    );
  });

  it('returns the environments as parsed', () => {
    expect(validateEnvironments(environments)).toEqual(environments);
  });

  it('writes each problem as <path> <problem>, got <value>. Fix: <fix>', () => {
    const [issue] = issuesFor(testEnv({ rds: { instanceClass: 'm7g.large' } }), prodEnv());
    expect(issue).toEqual({
      path: 'environments.test.rds.instanceClass',
      value: 'm7g.large',
      problem: 'is not an RDS instance class (db.<family>.<size>)',
      fix: 'use e.g. db.m7g.large or db.t4g.medium',
    });
    expect(formatIssue(issue)).toBe(
      'environments.test.rds.instanceClass is not an RDS instance class (db.<family>.<size>), got "m7g.large". Fix: use e.g. db.m7g.large or db.t4g.medium',
    );
  });

  it("fills a fix with the environment's own values", () => {
    expect(errorFor(testEnv({ rds: { instanceIdentifier: 'Platform' } }))).toContain(
      'Fix: use e.g. platform-test',
    );
    expect(
      errorFor(testEnv({ eks: { kubernetesVersion: '1.34', addonVersions: { coredns: 'x' } } })),
    ).toContain('Fix: pick one from `aws eks describe-addon-versions --kubernetes-version 1.34`');
  });

  it('names environments that share a name by their place in the list', () => {
    const message = errorFor(testEnv(), testEnv({ accountId: 'x' }));
    expect(message).toContain(
      'environments[1].name is used by two environments, got "test". Fix: give each environment its own name',
    );
    expect(message).not.toContain('environments.test.');
    expect(message).toContain(
      'environments[1].state.bucketName is already used by environments[0].state.bucketName',
    );
    expect(message).toContain('environments[1].accountId must be a 12-digit AWS account id');
  });

  it('accepts a third, non-production environment written like the others', () => {
    expect(validateEnvironments([testEnv(), staging, prodEnv()]).map((e) => e.name)).toEqual([
      'test',
      'staging',
      'prod',
    ]);
  });

  it('holds only prod to the production config rules', () => {
    const single = { ...staging, network: { ...staging.network, natGateways: 'single' as const } };
    expect(() => validateEnvironments([testEnv(), single, prodEnv()])).not.toThrow();
  });
});

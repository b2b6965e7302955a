import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'cdktf';
import { describe, expect, it } from 'vitest';
import {
  evaluate,
  type PolicyRule,
  PolicyViolationError,
  stackView,
} from '../../../constructs/policy/engine';
import { ConfigValidationError, type Tradeoff } from '../../../environments';
import { buildEnvironment, synthesizePlatform } from '../../../stacks/platform';
import { prodEnv, testEnv } from '../../helpers/environments';
import { tempDir } from '../../helpers/paths';

const bucketRule: PolicyRule = {
  id: 'T-001',
  scannerIds: ['CKV_X'],
  title: 'buckets are blue',
  fix: 'paint it blue',
  relaxedBy: 'nat-per-az',
  check: (view) =>
    view.of('aws_s3_bucket').map((resource) => ({ resource, problem: 'is not blue' })),
};

const json = {
  resource: {
    aws_s3_bucket: {
      logs: { '//': { metadata: { path: 'test-tfstate/access-log-bucket/bucket' } } },
      state: { '//': { metadata: { path: 'test-tfstate/state-bucket/bucket' } } },
    },
  },
};

function run(
  production: boolean,
  acceptedTradeoffs: Tradeoff[],
  path = 'test-*/access-log-bucket/**',
) {
  const view = stackView('test-tfstate', json, { production, acceptedTradeoffs });
  return evaluate(
    view,
    [bucketRule],
    [{ rule: 'T-001', path, justification: 'logs cannot be blue' }],
  );
}

describe('evaluate', () => {
  it('marks findings covered by a suppression with its justification, and only those', () => {
    const findings = run(true, []);
    expect(findings.map((f) => [f.resource.address, f.suppressedBecause])).toEqual([
      ['aws_s3_bucket.logs', 'logs cannot be blue'],
      ['aws_s3_bucket.state', undefined],
    ]);
  });

  it('matches * within one path segment and ** across segments', () => {
    expect(run(true, [], 'test-tfstate/*/bucket').every((f) => f.suppressedBecause)).toBe(true);
    expect(run(true, [], 'test-tfstate/*').some((f) => f.suppressedBecause)).toBe(false);
    expect(run(true, [], 'prod-*/**').some((f) => f.suppressedBecause)).toBe(false);
  });

  it('lets an accepted trade-off relax its rule outside production only', () => {
    expect(
      run(false, ['nat-per-az'], 'nowhere').every((f) =>
        f.suppressedBecause?.includes("'nat-per-az'"),
      ),
    ).toBe(true);
    expect(run(true, ['nat-per-az'], 'nowhere').some((f) => f.suppressedBecause)).toBe(false);
    expect(run(false, ['multi-az-database'], 'nowhere').some((f) => f.suppressedBecause)).toBe(
      false,
    );
  });
});

describe('the policy at synth', () => {
  const untraded = testEnv({ policy: { acceptedTradeoffs: [] } });

  it('fails synthesizePlatform with one line per finding, and writes no stack', () => {
    const outdir = join(tempDir('policy-synth'), 'out');
    let error: unknown;
    try {
      synthesizePlatform([untraded, prodEnv()], { outdir });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PolicyViolationError);
    const message = (error as Error).message;
    expect(message).toMatch(/^Policy check failed \(3 findings\); nothing was synthesized:/);
    expect(message).toMatch(
      /^ {2}- NET-001 test-network aws_nat_gateway\.\S+: 1 NAT gateway\(s\) for 2 zones\. Fix: set network\.natGateways to one-per-az$/m,
    );
    expect(message).toMatch(
      /^ {2}- EKS-002 \(CKV_AWS_39 \/ AVD-AWS-0040\) test-eks-infra aws_eks_cluster\.\S+: the public endpoint is on\./m,
    );
    expect(message).toMatch(
      /^ {2}- RDS-003 \(CKV_AWS_157\) test-rds aws_db_instance\.\S+: has no Multi-AZ standby\./m,
    );
    expect(existsSync(join(outdir, 'stacks')) ? readdirSync(join(outdir, 'stacks')) : []).toEqual(
      [],
    );
  });

  it('fails any synth of a guarded stack through the aspect', () => {
    const app = new App({ outdir: tempDir('policy-aspect') });
    buildEnvironment(app, untraded);
    expect(() => app.synth()).toThrow(
      /NET-001 test-network aws_nat_gateway\.\S+: 1 NAT gateway\(s\) for 2 zones/,
    );
  });

  it('refuses trade-offs in prod, and unknown ones, in the config', () => {
    expect(() =>
      synthesizePlatform([testEnv(), prodEnv({ policy: { acceptedTradeoffs: ['nat-per-az'] } })]),
    ).toThrow(ConfigValidationError);
    const attempt = (): unknown =>
      synthesizePlatform([
        testEnv({ policy: { acceptedTradeoffs: ['cheap' as Tradeoff] } }),
        prodEnv({ policy: { acceptedTradeoffs: ['nat-per-az'] } }),
      ]);
    expect(attempt).toThrow(
      'environments.prod.policy.acceptedTradeoffs[0] is a cost trade-off, and prod accepts none, got "nat-per-az"',
    );
    expect(attempt).toThrow(
      'environments.test.policy.acceptedTradeoffs[0] is not a known trade-off (nat-per-az, multi-az-database, public-endpoint-allow-list), got "cheap"',
    );
  });
});

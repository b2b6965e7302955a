import { describe, expect, it } from 'vitest';
import type { EnvironmentStacks } from '../../stacks/platform';
import { prodEnv, testEnv } from '../helpers/environments';
import { onlyResource, type SynthJson, synthEnvironment } from '../helpers/synth';

function synthRds(environment = prodEnv()): {
  json: SynthJson;
  stacks: EnvironmentStacks;
} {
  const { stacks, read } = synthEnvironment(environment);
  return { json: read('rds'), stacks };
}

describe('RdsStack', () => {
  const { json, stacks } = synthRds();

  it('reads the database subnets from network and the node security group from eks-infra', () => {
    const keys = Object.values(json.data?.terraform_remote_state ?? {}).map(
      (r) => (r.config as Record<string, unknown>).key,
    );
    expect(keys.sort()).toEqual(['prod/eks-infra.tfstate', 'prod/network.tfstate']);
    const group = onlyResource(json, 'aws_security_group');
    const sources = (group.ingress as { security_groups: string[] }[])[0].security_groups;
    expect(sources).toEqual([
      expect.stringMatching(
        /^\$\{data\.terraform_remote_state\.cross-stack-reference-input-prod-eks-infra\.outputs\./,
      ),
    ]);
    const subnets = onlyResource(json, 'aws_db_subnet_group').subnet_ids as string[];
    expect(subnets).toHaveLength(3);
    for (const id of subnets) {
      expect(id).toMatch(
        /^\$\{data\.terraform_remote_state\.cross-stack-reference-input-prod-network\.outputs\./,
      );
    }
  });

  it('is Multi-AZ with prevent_destroy in prod; single-AZ and destroyable in test, as configured', () => {
    expect(onlyResource(json, 'aws_db_instance')).toMatchObject({
      multi_az: true,
      lifecycle: { prevent_destroy: true },
    });
    const test = onlyResource(synthRds(testEnv()).json, 'aws_db_instance');
    expect(test).toMatchObject({
      multi_az: false,
      lifecycle: { prevent_destroy: false },
      deletion_protection: true,
    });
  });

  it('reports the running engine version, and creates the alarms and events after the instance', () => {
    const [instanceName] = Object.keys(json.resource?.aws_db_instance ?? {});
    expect(json.output?.engine_version_actual?.value).toBe(
      `\${aws_db_instance.${instanceName}.engine_version_actual}`,
    );
    const alarms = Object.values(json.resource?.aws_cloudwatch_metric_alarm ?? {});
    expect(alarms).toHaveLength(6);
    const subscriptions = Object.values(json.resource?.aws_db_event_subscription ?? {});
    expect(subscriptions).toHaveLength(1);
    for (const waiting of [...alarms, ...subscriptions]) {
      expect(waiting.depends_on).toEqual([`aws_db_instance.${instanceName}`]);
    }
  });

  it('exposes endpoint, port, database name, master secret ARN and security group as typed fields', () => {
    const rds = stacks.rds;
    for (const value of [rds.endpoint, rds.masterSecretArn, rds.securityGroupId]) {
      expect(value).toMatch(/\$\{TfToken\[TOKEN\.\d+\]\}/);
    }
    expect(rds.databaseName).toBe('app');
    expect(typeof rds.port).toBe('number');
    expect(Object.keys(json.output ?? {})).toEqual(
      expect.arrayContaining(['endpoint', 'master_secret_arn']),
    );
  });
});

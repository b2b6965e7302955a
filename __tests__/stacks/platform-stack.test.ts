import { Vpc } from '@cdktf/provider-aws/lib/vpc';
import { Testing, TerraformOutput } from 'cdktf';
import { describe, expect, it } from 'vitest';
import { PlatformStack } from '../../stacks/platform-stack';
import { testEnv } from '../helpers/environments';
import { readStackJson, synthStack } from '../helpers/synth';

describe('PlatformStack', () => {
  it('is named <env>-<component>', () => {
    const stack = new PlatformStack(Testing.app(), 'network', { environment: testEnv() });
    expect(stack.node.id).toBe('test-network');
  });

  it('pins the AWS provider to the environment account and region, with default tags', () => {
    const json = synthStack(new PlatformStack(Testing.app(), 'rds', { environment: testEnv() }));
    expect(json.provider?.aws).toEqual([
      {
        region: 'eu-west-1',
        allowed_account_ids: ['111111111111'],
        default_tags: [
          {
            tags: {
              'cost-center': 'platform-test',
              environment: 'test',
              stack: 'test-rds',
              repository: 'github.com/acme/platform-infra',
              owner: 'platform-team',
              'managed-by': 'cdktf',
            },
          },
        ],
      },
    ]);
  });

  it('keeps state in the environment bucket under <env>/<component>.tfstate, encrypted and locked', () => {
    const json = synthStack(
      new PlatformStack(Testing.app(), 'network', { environment: testEnv() }),
    );
    expect(json.terraform?.backend).toEqual({
      s3: {
        bucket: 'acme-platform-tfstate-test-111111111111',
        key: 'test/network.tfstate',
        region: 'eu-west-1',
        encrypt: true,
        dynamodb_table: 'acme-platform-tfstate-lock-test',
        use_lockfile: true,
        allowed_account_ids: ['111111111111'],
      },
    });
  });

  it('encrypts state with the state KMS key once it is configured', () => {
    const kmsKeyArn = 'arn:aws:kms:eu-west-1:111111111111:key/0b7e4a2c-5d1f-4e8a-9c3b-2f6d8e1a7b40';
    const json = synthStack(
      new PlatformStack(Testing.app(), 'network', {
        environment: testEnv({ state: { kmsKeyArn } }),
      }),
    );
    expect(json.terraform?.backend).toMatchObject({ s3: { encrypt: true, kms_key_id: kmsKeyArn } });
  });

  it('uses a local state file when asked to (bootstrap only)', () => {
    const json = synthStack(
      new PlatformStack(Testing.app(), 'tfstate', {
        environment: testEnv(),
        stateBackend: { kind: 'local', path: '/tmp/state.tfstate' },
      }),
    );
    expect(json.terraform?.backend).toEqual({ local: { path: '/tmp/state.tfstate' } });
  });

  it('wires a cross-stack reference as an output and a remote state read of the same bucket, without the lock table', () => {
    // GIVEN a producer and a consumer of one of its values
    const app = Testing.app();
    const producer = new PlatformStack(app, 'network', { environment: testEnv() });
    const vpc = new Vpc(producer, 'vpc', { cidrBlock: '10.20.0.0/16' });
    const consumer = new PlatformStack(app, 'eks-infra', { environment: testEnv() });
    new TerraformOutput(consumer, 'vpc', { value: vpc.id });

    // WHEN the app is synthesized
    app.synth();
    const json = readStackJson(app.outdir, 'test-eks-infra');
    const producerJson = readStackJson(app.outdir, 'test-network');

    // THEN it reads the producer's state from S3, with no deprecated lock-table argument
    const remoteStates = Object.values(json.data?.terraform_remote_state ?? {});
    expect(remoteStates).toHaveLength(1);
    expect(remoteStates[0]).toMatchObject({
      backend: 's3',
      config: {
        bucket: 'acme-platform-tfstate-test-111111111111',
        key: 'test/network.tfstate',
        region: 'eu-west-1',
      },
    });
    expect(JSON.stringify(remoteStates[0])).not.toContain('dynamodb_table');
    // AND the producer exports the value
    expect(Object.values(producerJson.output ?? {})).toContainEqual(
      expect.objectContaining({ value: expect.stringMatching(/^\$\{aws_vpc\.vpc\.id\}$/) }),
    );
  });
});

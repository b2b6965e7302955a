import { describe, expect, it } from 'vitest';
import { EncryptionKey } from '../../constructs/kms-key';
import { expectResource, onlyResource, policyOf, synthConstruct } from '../helpers/synth';

describe('EncryptionKey', () => {
  it('rotates, waits 30 days before deletion and gets an alias', () => {
    const json = synthConstruct((scope) => {
      new EncryptionKey(scope, 'key', {
        description: 'd',
        alias: 'my-key',
        accountId: '111111111111',
      });
    });
    expectResource(json, 'aws_kms_key', { enable_key_rotation: true, deletion_window_in_days: 30 });
    expectResource(json, 'aws_kms_alias', { name: 'alias/my-key' });
  });

  it('delegates to IAM in its own account and grants nothing to anonymous principals', () => {
    const json = synthConstruct((scope) => {
      new EncryptionKey(scope, 'key', {
        description: 'd',
        alias: 'k',
        accountId: '111111111111',
        serviceStatements: [
          {
            Effect: 'Allow',
            Principal: { Service: 'logs.eu-west-1.amazonaws.com' },
            Action: 'kms:Decrypt*',
            Resource: '*',
          },
        ],
      });
    });
    const statements = policyOf(onlyResource(json, 'aws_kms_key')).Statement;
    expect(statements[0]).toMatchObject({
      Effect: 'Allow',
      Principal: { AWS: 'arn:aws:iam::111111111111:root' },
      Action: 'kms:*',
    });
    expect(statements[1].Principal).toEqual({ Service: 'logs.eu-west-1.amazonaws.com' });
    expect(statements.some((s) => s.Principal === '*')).toBe(false);
  });
});

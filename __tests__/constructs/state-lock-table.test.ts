import { describe, it } from 'vitest';
import { StateLockTable } from '../../constructs/state-lock-table';
import { expectResource, synthConstruct } from '../helpers/synth';

describe('StateLockTable', () => {
  it('is the LockID table Terraform expects, on demand, recoverable, encrypted and protected', () => {
    const json = synthConstruct(
      (scope) => new StateLockTable(scope, 'lock', { tableName: 'locks', kmsKeyArn: 'arn:key' }),
    );
    expectResource(json, 'aws_dynamodb_table', {
      name: 'locks',
      hash_key: 'LockID',
      attribute: [{ name: 'LockID', type: 'S' }],
      billing_mode: 'PAY_PER_REQUEST',
      point_in_time_recovery: { enabled: true },
      server_side_encryption: { enabled: true, kms_key_arn: 'arn:key' },
      deletion_protection_enabled: true,
      lifecycle: { prevent_destroy: true },
    });
  });
});

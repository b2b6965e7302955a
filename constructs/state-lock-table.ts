import { DynamodbTable } from '@cdktf/provider-aws/lib/dynamodb-table';
import { Construct } from 'constructs';

export interface StateLockTableProps {
  readonly tableName: string;
  /** Customer-managed KMS key for encryption at rest. */
  readonly kmsKeyArn: string;
}

/**
 * The DynamoDB table Terraform's S3 backend locks state in (`LockID` hash key). On-demand billing:
 * a lock table sees a few writes per apply. Point-in-time recovery, KMS encryption, deletion
 * protection and `prevent_destroy` keep it from being lost while a deploy depends on it.
 */
export class StateLockTable extends Construct {
  public readonly tableName: string;
  public readonly tableArn: string;

  constructor(scope: Construct, id: string, props: StateLockTableProps) {
    super(scope, id);
    const table = new DynamodbTable(this, 'table', {
      name: props.tableName,
      billingMode: 'PAY_PER_REQUEST',
      hashKey: 'LockID',
      attribute: [{ name: 'LockID', type: 'S' }],
      pointInTimeRecovery: { enabled: true },
      serverSideEncryption: { enabled: true, kmsKeyArn: props.kmsKeyArn },
      deletionProtectionEnabled: true,
      lifecycle: { preventDestroy: true },
    });
    this.tableName = table.name;
    this.tableArn = table.arn;
  }
}

/**
 * rds: the application's PostgreSQL. Owns the DB instance, its subnet group, security group,
 * parameter group, KMS key, log groups, monitoring role, alarms and alarm topic.
 *
 * Reads (cross-stack references): the VPC and isolated database subnets from network, and the
 * EKS node security group from eks-infra (the only clients admitted on 5432).
 * Read by service-backend: endpoint, port, database name, master secret ARN, security group.
 */
import { TerraformOutput } from 'cdktf';
import type { Construct } from 'constructs';
import { DatabaseAlarms } from '../constructs/database/database-alarms';
import { PostgresDatabase } from '../constructs/database/postgres-database';
import type { PlatformNetwork } from '../constructs/network/platform-network';
import { isProduction } from '../environments';
import { PlatformStack, type PlatformStackProps } from './platform-stack';

export interface RdsStackProps extends PlatformStackProps {
  readonly network: PlatformNetwork;
  /** The EKS node security group (eks-infra), admitted on 5432. */
  readonly nodeSecurityGroupId: string;
}

export class RdsStack extends PlatformStack {
  public readonly endpoint: string;
  public readonly port: number;
  public readonly databaseName: string;
  public readonly masterSecretArn: string;
  /** For IAM database authentication: `arn:aws:rds-db:<region>:<account>:dbuser:<resourceId>/<user>`. */
  public readonly resourceId: string;
  public readonly securityGroupId: string;
  public readonly database: PostgresDatabase;

  constructor(scope: Construct, id: string, props: RdsStackProps) {
    super(scope, id, props);
    const env = this.environment;
    const rds = env.rds;

    // The construct's settings are the config's, less what belongs to the alarms.
    const { instanceIdentifier, connectionsAlarmThreshold, alarmEmails, ...settings } = rds;
    this.database = new PostgresDatabase(this, 'postgres', {
      ...settings,
      identifier: instanceIdentifier,
      accountId: env.accountId,
      region: env.region,
      vpcId: props.network.vpcId,
      subnetIds: props.network.databaseSubnets.ids,
      clientSecurityGroupIds: [props.nodeSecurityGroupId],
      // Test databases may be torn down with the environment; prod's may not.
      preventDestroy: isProduction(env.name),
    });

    new DatabaseAlarms(this, 'alarms', {
      identifier: instanceIdentifier,
      accountId: env.accountId,
      allocatedStorageGiB: rds.allocatedStorageGiB,
      connectionsThreshold: connectionsAlarmThreshold,
      emails: alarmEmails,
      dependsOn: [this.database.instance],
    });

    this.endpoint = this.database.address;
    this.port = this.database.port;
    this.databaseName = this.database.databaseName;
    this.masterSecretArn = this.database.masterSecretArn;
    this.resourceId = this.database.resourceId;
    this.securityGroupId = this.database.securityGroupId;

    new TerraformOutput(this, 'endpoint', { value: this.endpoint });
    new TerraformOutput(this, 'engine_version_actual', {
      value: this.database.engineVersionActual,
      description: 'The PostgreSQL version RDS runs; minor upgrades change it, not the config.',
    });
    new TerraformOutput(this, 'master_secret_arn', {
      value: this.masterSecretArn,
      description: 'ARN of the RDS-managed secret; the password itself is never in state.',
    });
  }
}

import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { DbInstance } from '@cdktf/provider-aws/lib/db-instance';
import { DbParameterGroup } from '@cdktf/provider-aws/lib/db-parameter-group';
import { DbSubnetGroup } from '@cdktf/provider-aws/lib/db-subnet-group';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { Fn, Token } from 'cdktf';
import { Construct } from 'constructs';
import { serviceTrustPolicy, toJson } from '../iam/policy-document';
import { cloudWatchLogsKeyStatement, EncryptionKey } from '../kms-key';

/** PostgreSQL log types exported to CloudWatch Logs. */
export const EXPORTED_LOG_TYPES: readonly string[] = ['postgresql', 'upgrade'];

export const POSTGRES_PORT = 5432;

/** PostgreSQL major versions this platform runs. */
export const POSTGRES_MAJOR_VERSIONS = ['16', '17'] as const;

/** Enhanced Monitoring intervals RDS accepts (0, off, is refused: monitoring is required). */
export const MONITORING_INTERVALS: readonly number[] = [1, 5, 10, 15, 30, 60];

/** How the database is sized, protected, backed up and observed. */
export interface PostgresSettings {
  /**
   * PostgreSQL major version, e.g. `17`: the engine version Terraform sets (a prefix, which RDS
   * completes with a minor version) and the parameter group family. Minor upgrades are automatic
   * and leave no drift: the running version is `engineVersionActual`.
   */
  readonly majorVersion: string;
  /** Instance class, `db.<family>.<size>`. */
  readonly instanceClass: string;
  /** Initial gp3 storage, GiB. */
  readonly allocatedStorageGiB: number;
  /** Upper bound of storage autoscaling, GiB. */
  readonly maxAllocatedStorageGiB: number;
  /** A standby in another zone with automatic failover. */
  readonly multiAz: boolean;
  /** Refuse deletion through the API. */
  readonly deletionProtection: boolean;
  readonly databaseName: string;
  readonly masterUsername: string;
  /** Days of automated backups (0: none). */
  readonly backupRetentionDays: number;
  /** Daily backup window, UTC, `hh:mm-hh:mm`. */
  readonly backupWindow: string;
  /** Weekly maintenance window, UTC, `ddd:hh:mm-ddd:hh:mm`, not overlapping the backup window. */
  readonly maintenanceWindow: string;
  /** Log statements slower than this, in ms (`log_min_duration_statement`). */
  readonly slowQueryThresholdMs: number;
  /** Enhanced Monitoring interval, seconds. */
  readonly monitoringIntervalSeconds: number;
  /** Performance Insights retention: 7 or a multiple of 31 up to 731. */
  readonly performanceInsightsRetentionDays: number;
  /** Retention of the exported PostgreSQL logs, days. */
  readonly logRetentionDays: number;
}

export interface PostgresDatabaseProps extends PostgresSettings {
  readonly identifier: string;
  readonly accountId: string;
  readonly region: string;
  readonly vpcId: string;
  /** Isolated database subnets, one per zone. */
  readonly subnetIds: readonly string[];
  /** Security groups allowed to connect on 5432 (the EKS node security group). */
  readonly clientSecurityGroupIds: readonly string[];
  /**
   * Refuse `terraform destroy` of the instance (lifecycle `prevent_destroy`).
   * @default true
   */
  readonly preventDestroy?: boolean;
}

/**
 * RDS for PostgreSQL that keeps its data and admits only its clients:
 * - gp3 storage with autoscaling, encrypted with a customer-managed key that also encrypts
 *   Performance Insights and the master secret;
 * - the master password generated and rotated by RDS in Secrets Manager (never in Terraform
 *   state, code or outputs); IAM database authentication on;
 * - isolated subnets, not publicly accessible, a security group admitting 5432 from the given
 *   client security groups only and allowing no egress;
 * - TLS required (`rds.force_ssl`), slow queries logged, `pg_stat_statements` loaded; postgresql
 *   and upgrade logs exported to log groups we create (retention and key ours);
 * - automated backups, copy of tags to snapshots, a final snapshot on delete, deletion
 *   protection, automatic minor upgrades, Enhanced Monitoring and Performance Insights.
 */
export class PostgresDatabase extends Construct {
  public readonly instance: DbInstance;
  /** The version RDS runs, e.g. `17.6` (`engine_version_actual`). */
  public readonly engineVersionActual: string;
  public readonly address: string;
  public readonly port: number;
  public readonly databaseName: string;
  public readonly masterSecretArn: string;
  /** The instance's resource id (`db-…`): IAM database authentication names users under it. */
  public readonly resourceId: string;
  public readonly securityGroupId: string;
  public readonly dataKey: EncryptionKey;

  constructor(scope: Construct, id: string, props: PostgresDatabaseProps) {
    super(scope, id);
    const { identifier, accountId, region } = props;
    const logGroupPrefix = `/aws/rds/instance/${identifier}/`;

    this.dataKey = new EncryptionKey(this, 'data-key', {
      description: `PostgreSQL ${identifier}: storage, Performance Insights, master secret, logs`,
      alias: `${identifier}-postgres`,
      accountId,
      serviceStatements: [
        cloudWatchLogsKeyStatement(
          region,
          `arn:aws:logs:${region}:${accountId}:log-group:${logGroupPrefix}*`,
        ),
      ],
    });

    const subnetGroup = new DbSubnetGroup(this, 'subnet-group', {
      name: identifier,
      description: `Isolated database subnets of ${identifier}`,
      subnetIds: [...props.subnetIds],
    });

    const securityGroup = new SecurityGroup(this, 'security-group', {
      name: `${identifier}-postgres`,
      description: `PostgreSQL ${identifier}: 5432 from the cluster nodes only`,
      vpcId: props.vpcId,
      ingress: [
        {
          description: 'PostgreSQL from the EKS nodes',
          protocol: 'tcp',
          fromPort: POSTGRES_PORT,
          toPort: POSTGRES_PORT,
          securityGroups: [...props.clientSecurityGroupIds],
        },
      ],
      // A database answers; it opens no connections.
      egress: [],
      tags: { Name: `${identifier}-postgres` },
    });
    this.securityGroupId = securityGroup.id;

    const parameterGroup = new DbParameterGroup(this, 'parameter-group', {
      // A prefix: a major upgrade replaces the group, and the new one must exist first.
      namePrefix: `${identifier}-postgres${props.majorVersion}-`,
      family: `postgres${props.majorVersion}`,
      description: `PostgreSQL ${props.majorVersion} settings of ${identifier}`,
      parameter: [
        { name: 'rds.force_ssl', value: '1' },
        { name: 'log_min_duration_statement', value: String(props.slowQueryThresholdMs) },
        {
          name: 'shared_preload_libraries',
          value: 'pg_stat_statements',
          applyMethod: 'pending-reboot',
        },
        { name: 'pg_stat_statements.track', value: 'all' },
      ],
      lifecycle: { createBeforeDestroy: true },
    });

    const logGroups = EXPORTED_LOG_TYPES.map(
      (type) =>
        new CloudwatchLogGroup(this, `${type}-logs`, {
          name: `${logGroupPrefix}${type}`,
          retentionInDays: props.logRetentionDays,
          kmsKeyId: this.dataKey.keyArn,
        }),
    );

    const monitoringRole = new IamRole(this, 'monitoring-role', {
      name: `${identifier}-rds-monitoring`,
      description: `Enhanced Monitoring of ${identifier}`,
      assumeRolePolicy: toJson(serviceTrustPolicy('monitoring.rds.amazonaws.com', accountId)),
    });
    const monitoringPolicy = new IamRolePolicyAttachment(this, 'monitoring-policy', {
      role: monitoringRole.name,
      policyArn: 'arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole',
    });

    this.instance = new DbInstance(this, 'instance', {
      identifier,
      engine: 'postgres',
      // The major only: with automatic minor upgrades a full version would drift back to the
      // pinned minor on the next plan, and the apply would fail (RDS cannot downgrade).
      engineVersion: props.majorVersion,
      instanceClass: props.instanceClass,
      storageType: 'gp3',
      allocatedStorage: props.allocatedStorageGiB,
      maxAllocatedStorage: props.maxAllocatedStorageGiB,
      storageEncrypted: true,
      kmsKeyId: this.dataKey.keyArn,
      dbName: props.databaseName,
      username: props.masterUsername,
      manageMasterUserPassword: true,
      masterUserSecretKmsKeyId: this.dataKey.keyArn,
      iamDatabaseAuthenticationEnabled: true,
      port: POSTGRES_PORT,
      dbSubnetGroupName: subnetGroup.name,
      vpcSecurityGroupIds: [securityGroup.id],
      publiclyAccessible: false,
      multiAz: props.multiAz,
      parameterGroupName: parameterGroup.name,
      caCertIdentifier: 'rds-ca-rsa2048-g1',
      backupRetentionPeriod: props.backupRetentionDays,
      backupWindow: props.backupWindow,
      maintenanceWindow: props.maintenanceWindow,
      copyTagsToSnapshot: true,
      deleteAutomatedBackups: false,
      deletionProtection: props.deletionProtection,
      skipFinalSnapshot: false,
      // Stamped when the instance is created, so a later replacement or a second destroy cannot
      // collide with an earlier final snapshot (DBSnapshotAlreadyExists); kept thereafter.
      finalSnapshotIdentifier: `${identifier}-final-${Fn.formatdate('YYYYMMDDhhmmss', Fn.timestamp())}`,
      autoMinorVersionUpgrade: true,
      allowMajorVersionUpgrade: false,
      applyImmediately: false,
      enabledCloudwatchLogsExports: [...EXPORTED_LOG_TYPES],
      performanceInsightsEnabled: true,
      performanceInsightsKmsKeyId: this.dataKey.keyArn,
      performanceInsightsRetentionPeriod: props.performanceInsightsRetentionDays,
      monitoringInterval: props.monitoringIntervalSeconds,
      monitoringRoleArn: monitoringRole.arn,
      lifecycle: {
        preventDestroy: props.preventDestroy ?? true,
        ignoreChanges: ['final_snapshot_identifier'],
      },
      // RDS would create the log groups itself, without retention or our key.
      dependsOn: [...logGroups, monitoringPolicy],
    });
    this.engineVersionActual = this.instance.engineVersionActual;

    this.address = this.instance.address;
    this.port = this.instance.port;
    this.databaseName = props.databaseName;
    this.masterSecretArn = Token.asString(this.instance.masterUserSecret.get(0).secretArn);
    this.resourceId = this.instance.resourceId;
  }
}

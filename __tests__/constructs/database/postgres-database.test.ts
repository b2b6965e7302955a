import { describe, expect, it } from 'vitest';
import {
  PostgresDatabase,
  type PostgresDatabaseProps,
} from '../../../constructs/database/postgres-database';
import {
  expectResource,
  onlyResource,
  policyOf,
  resourcesOf,
  synthConstruct,
  type SynthJson,
} from '../../helpers/synth';

const props: PostgresDatabaseProps = {
  identifier: 'platform-prod',
  accountId: '222222222222',
  region: 'eu-west-1',
  vpcId: 'vpc-1',
  subnetIds: ['subnet-db-a', 'subnet-db-b', 'subnet-db-c'],
  clientSecurityGroupIds: ['sg-nodes'],
  majorVersion: '17',
  instanceClass: 'db.m7g.large',
  allocatedStorageGiB: 100,
  maxAllocatedStorageGiB: 500,
  multiAz: true,
  deletionProtection: true,
  databaseName: 'app',
  masterUsername: 'platform_admin',
  backupRetentionDays: 14,
  backupWindow: '02:00-03:00',
  maintenanceWindow: 'sun:04:00-sun:05:00',
  slowQueryThresholdMs: 250,
  monitoringIntervalSeconds: 30,
  performanceInsightsRetentionDays: 31,
  logRetentionDays: 365,
};

function synthDatabase(overrides: Partial<PostgresDatabaseProps> = {}): SynthJson {
  return synthConstruct(
    (scope) => new PostgresDatabase(scope, 'postgres', { ...props, ...overrides }),
  );
}

describe('PostgresDatabase', () => {
  const json = synthDatabase();
  const instance = onlyResource(json, 'aws_db_instance');
  const keyRef = expect.stringMatching(/^\$\{aws_kms_key\.postgres_data-key_[^.]+\.arn\}$/);

  it('pins the major version only, so automatic minor upgrades leave no drift', () => {
    // A full version (17.6) would be planned back after RDS moved the instance to 17.7, and the
    // apply would fail: RDS cannot downgrade.
    expect(instance.engine_version).toBe('17');
    expect(instance.auto_minor_version_upgrade).toBe(true);
  });

  it('sizes gp3 storage with autoscaling, encrypted with our key', () => {
    expect(instance).toMatchObject({
      engine: 'postgres',
      instance_class: 'db.m7g.large',
      storage_type: 'gp3',
      allocated_storage: 100,
      max_allocated_storage: 500,
      storage_encrypted: true,
      kms_key_id: keyRef,
      multi_az: true,
    });
  });

  it('lets RDS manage the master password in Secrets Manager, with our key, and turns on IAM auth', () => {
    expect(instance).toMatchObject({
      manage_master_user_password: true,
      master_user_secret_kms_key_id: keyRef,
      iam_database_authentication_enabled: true,
    });
    expect(instance.password).toBeUndefined();
    expect(JSON.stringify(json)).not.toMatch(/"password"/);
  });

  it('sits in the isolated subnets, not publicly accessible', () => {
    expect(instance.publicly_accessible).toBe(false);
    expectResource(json, 'aws_db_subnet_group', {
      subnet_ids: ['subnet-db-a', 'subnet-db-b', 'subnet-db-c'],
    });
  });

  it('admits 5432 from the client security groups only, and nothing out', () => {
    const group = onlyResource(json, 'aws_security_group');
    expect(group.ingress).toEqual([
      expect.objectContaining({
        protocol: 'tcp',
        from_port: 5432,
        to_port: 5432,
        security_groups: ['sg-nodes'],
      }),
    ]);
    expect(JSON.stringify(group.ingress)).not.toContain('cidr_blocks":["');
    expect(group.egress).toEqual([]);
  });

  it('requires TLS, logs slow queries and loads pg_stat_statements', () => {
    const group = onlyResource(json, 'aws_db_parameter_group');
    expect(group.family).toBe('postgres17');
    expect(group).toMatchObject({
      name_prefix: 'platform-prod-postgres17-',
      lifecycle: { create_before_destroy: true },
    });
    expect(group.parameter).toEqual(
      expect.arrayContaining([
        { name: 'rds.force_ssl', value: '1' },
        { name: 'log_min_duration_statement', value: '250' },
        {
          name: 'shared_preload_libraries',
          value: 'pg_stat_statements',
          apply_method: 'pending-reboot',
        },
      ]),
    );
  });

  it('exports postgresql and upgrade logs to log groups it creates first, with retention and KMS', () => {
    expect(instance.enabled_cloudwatch_logs_exports).toEqual(['postgresql', 'upgrade']);
    const groups = resourcesOf(json, 'aws_cloudwatch_log_group');
    expect(groups.map(([, g]) => g.name)).toEqual([
      '/aws/rds/instance/platform-prod/postgresql',
      '/aws/rds/instance/platform-prod/upgrade',
    ]);
    for (const [name, group] of groups) {
      expect(group).toMatchObject({ retention_in_days: 365, kms_key_id: keyRef });
      expect(instance.depends_on).toContain(`aws_cloudwatch_log_group.${name}`);
    }
    const statement = policyOf(onlyResource(json, 'aws_kms_key')).Statement[1];
    expect(statement.Condition).toEqual({
      ArnLike: {
        'kms:EncryptionContext:aws:logs:arn':
          'arn:aws:logs:eu-west-1:222222222222:log-group:/aws/rds/instance/platform-prod/*',
      },
    });
  });

  it('keeps backups and refuses to lose the data on delete', () => {
    expect(instance).toMatchObject({
      backup_retention_period: 14,
      backup_window: '02:00-03:00',
      maintenance_window: 'sun:04:00-sun:05:00',
      copy_tags_to_snapshot: true,
      deletion_protection: true,
      skip_final_snapshot: false,
      auto_minor_version_upgrade: true,
      allow_major_version_upgrade: false,
      lifecycle: { prevent_destroy: true },
    });
  });

  it('names the final snapshot by its creation time, kept thereafter, so it cannot collide', () => {
    expect(instance.final_snapshot_identifier).toBe(
      'platform-prod-final-${formatdate("YYYYMMDDhhmmss", timestamp())}',
    );
    expect(instance.lifecycle).toMatchObject({ ignore_changes: ['final_snapshot_identifier'] });
  });

  it('drops prevent_destroy only when asked (test)', () => {
    expect(
      onlyResource(synthDatabase({ preventDestroy: false }), 'aws_db_instance').lifecycle,
    ).toMatchObject({ prevent_destroy: false });
  });

  it('turns on Performance Insights with our key and Enhanced Monitoring with its role', () => {
    expect(instance).toMatchObject({
      performance_insights_enabled: true,
      performance_insights_kms_key_id: keyRef,
      performance_insights_retention_period: 31,
      monitoring_interval: 30,
      monitoring_role_arn: expect.stringMatching(/aws_iam_role\.postgres_monitoring-role/),
    });
    expect(
      policyOf(onlyResource(json, 'aws_iam_role'), 'assume_role_policy').Statement[0].Principal,
    ).toEqual({
      Service: 'monitoring.rds.amazonaws.com',
    });
    expectResource(json, 'aws_iam_role_policy_attachment', {
      policy_arn: 'arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole',
    });
  });
});

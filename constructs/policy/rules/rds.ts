import { block, each, list, type PolicyRule, type ResourceView, type StackView } from '../engine';

const instances = (view: StackView): ResourceView[] => view.of('aws_db_instance');

function parameterGroupOf(view: StackView, instance: ResourceView): ResourceView | undefined {
  const name = String(instance.config.parameter_group_name ?? '');
  return view
    .of('aws_db_parameter_group')
    .find((g) => name.includes(`aws_db_parameter_group.${g.name}.`) || name === g.config.name);
}

export const rdsRules: PolicyRule[] = [
  {
    id: 'RDS-001',
    scannerIds: ['CKV_AWS_16', 'AVD-AWS-0080'],
    title: 'Databases are encrypted with a customer-managed KMS key',
    fix: 'set storage_encrypted = true and kms_key_id = <our key>',
    check: (view) =>
      each(instances(view), (d) =>
        d.config.storage_encrypted === true && d.config.kms_key_id
          ? undefined
          : 'storage is not encrypted with a customer-managed key',
      ),
  },
  {
    id: 'RDS-002',
    scannerIds: ['CKV_AWS_17', 'AVD-AWS-0082'],
    title: 'Databases are not publicly accessible',
    fix: 'set publicly_accessible = false',
    check: (view) =>
      each(instances(view), (d) =>
        d.config.publicly_accessible === true ? 'is publicly accessible' : undefined,
      ),
  },
  {
    id: 'RDS-003',
    scannerIds: ['CKV_AWS_157'],
    title: 'Databases have a Multi-AZ standby (single-AZ is a named test trade-off)',
    fix: 'set rds.multiAz = true',
    relaxedBy: 'multi-az-database',
    check: (view) =>
      each(instances(view), (d) =>
        d.config.multi_az === true ? undefined : 'has no Multi-AZ standby',
      ),
  },
  {
    id: 'RDS-004',
    scannerIds: ['CKV_AWS_133', 'AVD-AWS-0077'],
    title: 'Production databases keep at least 7 days of backups',
    fix: 'set rds.backupRetentionDays to 7 or more',
    check: (view) =>
      view.production
        ? each(instances(view), (d) => {
            const days = Number(d.config.backup_retention_period ?? 0);
            return days < 7 ? `keeps ${days} day(s) of backups` : undefined;
          })
        : [],
  },
  {
    id: 'RDS-005',
    scannerIds: ['CKV_AWS_293'],
    title: 'Databases have deletion protection and take a final snapshot',
    fix: 'set deletion_protection = true and skip_final_snapshot = false',
    check: (view) =>
      each(instances(view), (d) => {
        if (d.config.deletion_protection !== true) return 'deletion protection is off';
        return d.config.skip_final_snapshot === false
          ? undefined
          : 'no final snapshot is taken on delete';
      }),
  },
  {
    id: 'RDS-006',
    scannerIds: ['CKV_AWS_161'],
    title: 'Databases accept IAM authentication',
    fix: 'set iam_database_authentication_enabled = true',
    check: (view) =>
      each(instances(view), (d) =>
        d.config.iam_database_authentication_enabled === true
          ? undefined
          : 'IAM authentication is off',
      ),
  },
  {
    id: 'RDS-007',
    scannerIds: ['CKV2_AWS_69'],
    title: 'PostgreSQL requires TLS (rds.force_ssl = 1)',
    fix: 'set rds.force_ssl = 1 in the parameter group',
    check: (view) =>
      each(instances(view), (d) => {
        const group = parameterGroupOf(view, d);
        const forced = (list(group?.config.parameter) as Record<string, unknown>[]).some(
          (p) => p.name === 'rds.force_ssl' && String(p.value) === '1',
        );
        return forced ? undefined : 'its parameter group does not set rds.force_ssl = 1';
      }),
  },
  {
    id: 'RDS-008',
    scannerIds: ['CKV_AWS_353', 'CKV_AWS_354', 'AVD-AWS-0133'],
    title: 'Performance Insights is on, encrypted with a customer-managed key',
    fix: 'set performance_insights_enabled = true and performance_insights_kms_key_id',
    check: (view) =>
      each(instances(view), (d) =>
        d.config.performance_insights_enabled === true && d.config.performance_insights_kms_key_id
          ? undefined
          : 'Performance Insights is off or not encrypted with our key',
      ),
  },
  {
    id: 'RDS-009',
    scannerIds: ['CKV_AWS_129'],
    title: 'Database logs are exported to CloudWatch Logs',
    fix: 'set enabled_cloudwatch_logs_exports = ["postgresql", "upgrade"]',
    check: (view) =>
      each(instances(view), (d) =>
        list(d.config.enabled_cloudwatch_logs_exports).includes('postgresql')
          ? undefined
          : 'the postgresql log is not exported',
      ),
  },
  {
    id: 'RDS-010',
    scannerIds: ['CKV_AWS_118'],
    title: 'Enhanced Monitoring is on',
    fix: 'set monitoring_interval > 0 with a monitoring_role_arn',
    check: (view) =>
      each(instances(view), (d) =>
        Number(d.config.monitoring_interval ?? 0) > 0 && d.config.monitoring_role_arn
          ? undefined
          : 'Enhanced Monitoring is off',
      ),
  },
  {
    id: 'RDS-011',
    scannerIds: ['CKV_AWS_226'],
    title: 'Minor version upgrades are applied automatically',
    fix: 'set auto_minor_version_upgrade = true',
    check: (view) =>
      each(instances(view), (d) =>
        d.config.auto_minor_version_upgrade === false
          ? 'automatic minor upgrades are off'
          : undefined,
      ),
  },
  {
    id: 'RDS-012',
    scannerIds: [],
    title: 'No database password in code or state: RDS manages the master secret',
    fix: 'remove password and set manage_master_user_password = true',
    check: (view) =>
      each(instances(view), (d) => {
        if (d.config.password !== undefined || d.config.password_wo !== undefined)
          return 'a master password is set in configuration';
        return d.config.manage_master_user_password === true
          ? undefined
          : 'the master password is not managed by RDS';
      }),
  },
  {
    id: 'REL-003',
    scannerIds: [],
    title:
      'Production databases sit in subnets of at least three zones, and are protected from destroy',
    fix: 'use a DB subnet group with a subnet per zone, and lifecycle prevent_destroy',
    check: (view) =>
      view.production
        ? [
            ...each(view.of('aws_db_subnet_group'), (g) => {
              const subnets = list(g.config.subnet_ids).length;
              return subnets < 3 ? `spans ${subnets} subnet(s)` : undefined;
            }),
            ...each(instances(view), (d) =>
              block(d.config.lifecycle)?.prevent_destroy === true
                ? undefined
                : 'lifecycle prevent_destroy is not set',
            ),
          ]
        : [],
  },
];

import type { TerraformJson } from './stacks';

/** An output of an upstream stack's mocked apply, as `terraform test -json -verbose` reports it. */
export interface StateOutput {
  readonly value: unknown;
  readonly type: unknown;
  readonly sensitive: boolean;
}

/** Renders a JSON value as an HCL expression (template markers in strings escaped). */
export function toHcl(value: unknown, indent = ''): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') {
    // Functions, not replacement strings: in those, `$$` means a single `$`.
    return JSON.stringify(value)
      .replace(/\$\{/g, () => '$${')
      .replace(/%\{/g, () => '%%{');
  }
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    return `[\n${value.map((v) => `${inner}${toHcl(v, inner)}`).join(',\n')}\n${indent}]`;
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) return '{}';
  return `{\n${entries.map(([k, v]) => `${inner}${JSON.stringify(k)} = ${toHcl(v, inner)}`).join('\n')}\n${indent}}`;
}

/**
 * The working copy of a stack for the proof: no backend (state stays in memory) and no
 * `prevent_destroy` (the test tears down what it applied; the synth tests assert the guard).
 */
export function workingCopy(json: TerraformJson): TerraformJson {
  const copy = JSON.parse(JSON.stringify(json)) as TerraformJson;
  delete copy.terraform?.backend;
  for (const blocks of Object.values(copy.resource ?? {})) {
    for (const config of Object.values(blocks)) {
      const lifecycle = config.lifecycle as Record<string, unknown> | undefined;
      if (lifecycle) {
        delete lifecycle.prevent_destroy;
        if (Object.keys(lifecycle).length === 0) delete config.lifecycle;
      }
    }
  }
  return copy;
}

/**
 * Computed attributes whose shape a consumer may parse (split an ARN, decode a URL), by type:
 * the mock provider's random strings would not survive that.
 */
export function realisticDefaults(
  region: string,
  account: string,
): Record<string, Record<string, unknown>> {
  const arn = (service: string, resource: string, scoped = true): string =>
    `arn:aws:${service}:${scoped ? region : ''}:${scoped ? account : ''}:${resource}`;
  const keyId = '0b7e4a2c-5d1f-4e8a-9c3b-2f6d8e1a7b40';
  return {
    aws_kms_key: { arn: arn('kms', `key/${keyId}`), key_id: keyId },
    aws_kms_alias: { arn: arn('kms', 'alias/mock') },
    aws_s3_bucket: {
      arn: 'arn:aws:s3:::mock-bucket',
      bucket_regional_domain_name: `mock-bucket.s3.${region}.amazonaws.com`,
    },
    aws_dynamodb_table: { arn: arn('dynamodb', 'table/mock') },
    aws_cloudwatch_log_group: { arn: arn('logs', 'log-group:/mock') },
    aws_iam_role: { arn: `arn:aws:iam::${account}:role/mock`, unique_id: 'AROAMOCKMOCKMOCKMOCK' },
    aws_iam_policy: { arn: `arn:aws:iam::${account}:policy/mock` },
    aws_iam_openid_connect_provider: {
      arn: `arn:aws:iam::${account}:oidc-provider/oidc.eks.${region}.amazonaws.com/id/MOCK`,
    },
    aws_vpc: { arn: arn('ec2', 'vpc/vpc-0mock'), id: 'vpc-0123456789abcdef0' },
    aws_subnet: { arn: arn('ec2', 'subnet/subnet-0mock') },
    aws_security_group: { arn: arn('ec2', 'security-group/sg-0mock'), id: 'sg-0123456789abcdef0' },
    aws_eks_cluster: {
      arn: arn('eks', 'cluster/mock'),
      endpoint: `https://MOCK.gr7.${region}.eks.amazonaws.com`,
      certificate_authority: [{ data: 'TU9DSy1DQQ==' }],
      identity: [{ oidc: [{ issuer: `https://oidc.eks.${region}.amazonaws.com/id/MOCK` }] }],
    },
    aws_launch_template: { id: 'lt-0123456789abcdef0', latest_version: 1 },
    aws_sqs_queue: {
      arn: arn('sqs', 'mock'),
      url: `https://sqs.${region}.amazonaws.com/${account}/mock`,
    },
    aws_sns_topic: { arn: arn('sns', 'mock') },
    aws_wafv2_web_acl: {
      arn: arn('wafv2', `regional/webacl/mock/${keyId}`),
      id: keyId,
    },
    aws_acm_certificate: { arn: arn('acm', `certificate/${keyId}`) },
    aws_codestarconnections_connection: {
      arn: arn('codeconnections', `connection/${keyId}`),
      id: arn('codeconnections', `connection/${keyId}`),
    },
    aws_codebuild_project: { arn: arn('codebuild', 'project/mock') },
    aws_db_instance: {
      arn: arn('rds', 'db:mock'),
      address: `mock.abcdefghijkl.${region}.rds.amazonaws.com`,
      endpoint: `mock.abcdefghijkl.${region}.rds.amazonaws.com:5432`,
      port: 5432,
      master_user_secret: [
        {
          secret_arn: arn('secretsmanager', 'secret:rds!db-mock-AbCdEf'),
          kms_key_id: arn('kms', `key/${keyId}`),
          secret_status: 'active',
        },
      ],
    },
  };
}

export interface TestFileOptions {
  readonly json: TerraformJson;
  /** Outputs to feed each remote state data source, by data source name. */
  readonly upstreamOutputs: Readonly<Record<string, Readonly<Record<string, StateOutput>>>>;
  readonly region: string;
  readonly account: string;
  /**
   * The stack's directory, relative to the root the test runs in, applied as the run's module.
   * @default - the root itself
   */
  readonly module?: string;
}

/**
 * The `.tftest.hcl` of a stack: the AWS provider mocked (ARN-shaped values where consumers parse
 * them), every other provider it uses mocked as it is, each `terraform_remote_state` overridden with its upstream's mocked outputs, one apply,
 * and an assertion per output (known, non-null) and per resource (created).
 */
export function testFile(options: TestFileOptions): string {
  const { json } = options;
  const lines: string[] = ['# Generated by scripts/dev/plan-offline.ts; do not edit.', ''];
  const defaults = realisticDefaults(options.region, options.account);
  const types = new Set(Object.keys(json.resource ?? {}));
  lines.push('mock_provider "aws" {');
  for (const [type, values] of Object.entries(defaults)) {
    if (!types.has(type)) continue;
    lines.push(
      `  mock_resource ${JSON.stringify(type)} {`,
      `    defaults = ${toHcl(values, '    ')}`,
      '  }',
    );
  }
  // Data sources whose values a stack parses: an EKS AMI's description carries its Kubernetes
  // patch version (the system node group's release version is read from it).
  const dataDefaults: Record<string, Record<string, unknown>> = {
    aws_ami: {
      description:
        'EKS-optimized Kubernetes node based on Amazon Linux 2023, (k8s: 1.35.0, containerd: 1.7.27)',
    },
  };
  const dataTypes = new Set(Object.keys(json.data ?? {}));
  for (const [type, values] of Object.entries(dataDefaults)) {
    if (!dataTypes.has(type)) continue;
    lines.push(
      `  mock_data ${JSON.stringify(type)} {`,
      `    defaults = ${toHcl(values, '    ')}`,
      '  }',
    );
  }
  lines.push('}', '');
  // Every other provider the stack uses (helm, kubernetes) is mocked too: Terraform reads its
  // schema from the provider it attaches to and makes up what the resources compute.
  for (const provider of Object.keys(json.terraform?.required_providers ?? {}).sort()) {
    if (provider !== 'aws') lines.push(`mock_provider ${JSON.stringify(provider)} {}`, '');
  }

  // A certificate's validation options are computed per domain, and what validates it reads them
  // by domain name: each certificate gets options for its own names.
  for (const [name, config] of Object.entries(json.resource?.aws_acm_certificate ?? {})) {
    const domains = [
      config.domain_name,
      ...((config.subject_alternative_names as unknown[]) ?? []),
    ];
    const options = domains.map((domain) => ({
      domain_name: domain,
      resource_record_name: `_0123456789abcdef.${String(domain).replace(/^\*\./, '')}.`,
      resource_record_type: 'CNAME',
      resource_record_value: '_fedcba9876543210.mock.acm-validations.aws.',
    }));
    lines.push(
      'override_resource {',
      `  target = aws_acm_certificate.${name}`,
      `  values = ${toHcl({ domain_validation_options: options }, '  ')}`,
      '}',
      '',
    );
  }
  for (const name of Object.keys(json.data?.terraform_remote_state ?? {})) {
    const outputs = Object.fromEntries(
      Object.entries(options.upstreamOutputs[name] ?? {}).map(([k, o]) => [k, o.value]),
    );
    lines.push(
      'override_data {',
      `  target = data.terraform_remote_state.${name}`,
      `  values = ${toHcl({ outputs }, '  ')}`,
      '}',
      '',
    );
  }

  lines.push('run "apply" {', '  command = apply');
  if (options.module) {
    lines.push('  module {', `    source = ${JSON.stringify(options.module)}`, '  }');
  }
  lines.push('');
  for (const name of Object.keys(json.output ?? {})) {
    lines.push(
      '  assert {',
      `    condition     = output.${name} != null`,
      `    error_message = ${JSON.stringify(`output ${name} is null after apply`)}`,
      '  }',
    );
  }
  for (const [type, blocks] of Object.entries(json.resource ?? {})) {
    for (const name of Object.keys(blocks)) {
      lines.push(
        '  assert {',
        `    condition     = ${type}.${name} != null`,
        `    error_message = ${JSON.stringify(`${type}.${name} was not created`)}`,
        '  }',
      );
    }
  }
  lines.push('}', '');
  return lines.join('\n');
}

import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import {
  DataTerraformRemoteStateS3,
  LocalBackend,
  S3Backend,
  type S3BackendConfig,
  type TerraformRemoteState,
  TerraformStack,
} from 'cdktf';
import type { Construct } from 'constructs';
import type { EnvironmentConfig } from '../environments';

/** Where a stack keeps its state. */
export type StateBackendChoice =
  | { readonly kind: 's3' }
  /**
   * Local state at `path`: only for the first apply of the tfstate stack, which creates the
   * bucket every other state lives in (see scripts/ops/bootstrap.ts).
   */
  | { readonly kind: 'local'; readonly path: string };

export interface PlatformStackProps {
  readonly environment: EnvironmentConfig;
  /**
   * @default - the environment's S3 bucket and lock table
   */
  readonly stateBackend?: StateBackendChoice;
}

/** The stack name for a component of an environment: `test-network`, `prod-rds`. */
export function stackName(environment: EnvironmentConfig, component: string): string {
  return `${environment.name}-${component}`;
}

/** The state object key of a component: `<env>/<component>.tfstate`. */
export function stateKey(environment: EnvironmentConfig, component: string): string {
  return `${environment.name}/${component}.tfstate`;
}

/**
 * Every stack of the platform: named `<env>-<component>`, with an AWS provider pinned to the
 * environment's account and region and tagged by default, and its state in the environment's
 * S3 backend.
 */
export class PlatformStack extends TerraformStack {
  public readonly environment: EnvironmentConfig;
  public readonly component: string;

  constructor(scope: Construct, component: string, props: PlatformStackProps) {
    const environment = props.environment;
    super(scope, stackName(environment, component));
    this.environment = environment;
    this.component = component;

    new AwsProvider(this, 'aws', {
      region: environment.region,
      // A deploy with credentials for any other account fails before it reads or changes anything.
      allowedAccountIds: [environment.accountId],
      defaultTags: [{ tags: defaultTags(environment, stackName(environment, component)) }],
    });

    const backend = props.stateBackend ?? { kind: 's3' };
    if (backend.kind === 'local') {
      new LocalBackend(this, { path: backend.path });
    } else {
      new PlatformS3Backend(this, s3BackendConfig(environment, component));
      // S3-native locking (Terraform >= 1.10). CDKTF 0.21 has no prop for it. The DynamoDB
      // table stays configured too, as Terraform documents for the migration period.
      this.addOverride('terraform.backend.s3.use_lockfile', true);
    }
  }
}

/** The tags every resource of a stack carries. */
export function defaultTags(environment: EnvironmentConfig, stack: string): Record<string, string> {
  return {
    ...(environment.tags.extra ?? {}),
    environment: environment.name,
    stack,
    repository: environment.tags.repository,
    owner: environment.tags.owner,
    'managed-by': 'cdktf',
  };
}

/** The S3 backend settings of one component's state. */
export function s3BackendConfig(
  environment: EnvironmentConfig,
  component: string,
): S3BackendConfig {
  return {
    bucket: environment.state.bucketName,
    key: stateKey(environment, component),
    region: environment.region,
    encrypt: true,
    ...(environment.state.kmsKeyArn ? { kmsKeyId: environment.state.kmsKeyArn } : {}),
    dynamodbTable: environment.state.lockTableName,
    allowedAccountIds: [environment.accountId],
  };
}

/**
 * The S3 backend, whose cross-stack `terraform_remote_state` reads leave out the lock table:
 * a read takes no lock, and Terraform >= 1.10 warns that `dynamodb_table` is deprecated.
 */
export class PlatformS3Backend extends S3Backend {
  constructor(
    scope: Construct,
    private readonly config: S3BackendConfig,
  ) {
    super(scope, config);
  }

  public override getRemoteStateDataSource(
    scope: Construct,
    name: string,
    _fromStack: string,
  ): TerraformRemoteState {
    const { dynamodbTable: _lockTable, kmsKeyId: _key, ...readConfig } = this.config;
    return new DataTerraformRemoteStateS3(scope, name, {
      ...readConfig,
      workspace: '${terraform.workspace}',
    });
  }
}

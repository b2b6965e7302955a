import { CodestarconnectionsConnection } from '@cdktf/provider-aws/lib/codestarconnections-connection';
import { IamOpenidConnectProvider } from '@cdktf/provider-aws/lib/iam-openid-connect-provider';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { Construct } from 'constructs';
import { policyDocument, type PolicyDocument, toJson } from '../iam/policy-document';
import { GITHUB_OIDC_AUDIENCE, GITHUB_OIDC_HOST } from './names';

/** AWS managed policies of the two roles. */
export const READ_ONLY_ACCESS_ARN = 'arn:aws:iam::aws:policy/ReadOnlyAccess';
export const ADMINISTRATOR_ACCESS_ARN = 'arn:aws:iam::aws:policy/AdministratorAccess';

/** One hour: a deploy job re-assumes the role per job, and a leaked session dies soon. */
export const CI_SESSION_SECONDS = 3600;

/** Where an environment's Terraform state lives, as the plan role needs to reach it. */
export interface StateAccess {
  /** ARN of the state bucket. */
  readonly bucketArn: string;
  /** Name of the state bucket: DynamoDB lock ids start with it. */
  readonly bucketName: string;
  /** The environment's key prefix in the bucket, without slashes (`test`: keys `test/<stack>.tfstate`). */
  readonly keyPrefix: string;
  /** ARN of the DynamoDB lock table. */
  readonly lockTableArn: string;
  /** ARN of the KMS key encrypting the bucket and the table. */
  readonly kmsKeyArn: string;
}

export interface GithubDeliveryIdentityProps {
  /** The account the roles live in. */
  readonly accountId: string;
  /** `<owner>/<name>` of the GitHub repository whose workflows may assume the roles. */
  readonly repository: string;
  /** The GitHub environment whose jobs may assume the deploy role. */
  readonly githubEnvironment: string;
  /** Name of the plan role (pull requests, `main`'s plans, drift checks). */
  readonly planRoleName: string;
  /** Name of the deploy role (jobs in `githubEnvironment` only). */
  readonly deployRoleName: string;
  /** The state the plan role reads and locks, and the deploy role may not destroy. */
  readonly state: StateAccess;
  /** Name of the CodeConnections connection to GitHub (at most 32 characters). */
  readonly connectionName: string;
}

/** The trust policy of a role GitHub Actions assumes: `aud` is AWS STS, `sub` one of `subjects`. */
export function githubTrustPolicy(
  providerArn: string,
  subjects: readonly string[],
): PolicyDocument {
  return policyDocument({
    Sid: 'GithubActionsOfThisRepository',
    Effect: 'Allow',
    Principal: { Federated: providerArn },
    Action: 'sts:AssumeRoleWithWebIdentity',
    Condition: {
      StringEquals: {
        [`${GITHUB_OIDC_HOST}:aud`]: GITHUB_OIDC_AUDIENCE,
        [`${GITHUB_OIDC_HOST}:sub`]: subjects.length === 1 ? subjects[0] : [...subjects],
      },
    },
  });
}

/**
 * The `sub` claims (GitHub's default subject template) the plan role trusts: the repository's
 * pull requests, and `main` outside any GitHub environment (its prod plan, the drift check).
 */
export function planSubjects(repository: string): string[] {
  return [`repo:${repository}:pull_request`, `repo:${repository}:ref:refs/heads/main`];
}

/**
 * The one `sub` claim the deploy role trusts: a job of the repository in the GitHub environment.
 * The environment's deployment branch policy (main only) and required reviewers are set in
 * GitHub, the one manual step of the identity (docs/delivery.md).
 */
export function deploySubject(repository: string, githubEnvironment: string): string {
  return `repo:${repository}:environment:${githubEnvironment}`;
}

/**
 * What the plan role needs beyond ReadOnlyAccess, following the S3 backend's documented
 * permissions (Terraform 1.11, `use_lockfile` with the DynamoDB table kept): read the
 * environment's states, and write nothing but locks (the `.tflock` objects and the lock items,
 * never a state object nor its `-md5` digest item).
 */
export function planStatePolicy(state: StateAccess): PolicyDocument {
  const prefix = `${state.bucketArn}/${state.keyPrefix}`;
  return policyDocument(
    { Sid: 'ListStateBucket', Effect: 'Allow', Action: 's3:ListBucket', Resource: state.bucketArn },
    { Sid: 'ReadStates', Effect: 'Allow', Action: 's3:GetObject', Resource: `${prefix}/*` },
    {
      Sid: 'WriteLockFilesOnly',
      Effect: 'Allow',
      Action: ['s3:PutObject', 's3:DeleteObject'],
      Resource: `${prefix}/*.tflock`,
    },
    {
      Sid: 'ReadLockTable',
      Effect: 'Allow',
      Action: ['dynamodb:DescribeTable', 'dynamodb:GetItem'],
      Resource: state.lockTableArn,
    },
    {
      // A lock item's id is `<bucket>/<key>`; the digest item, `<bucket>/<key>-md5`, stays out.
      Sid: 'WriteLockItemsOnly',
      Effect: 'Allow',
      Action: ['dynamodb:PutItem', 'dynamodb:DeleteItem'],
      Resource: state.lockTableArn,
      Condition: {
        'ForAllValues:StringLike': {
          'dynamodb:LeadingKeys': `${state.bucketName}/${state.keyPrefix}/*.tfstate`,
        },
      },
    },
    {
      Sid: 'UseStateKey',
      Effect: 'Allow',
      Action: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'],
      Resource: state.kmsKeyArn,
    },
  );
}

/** What the deploy role may not do, whatever AdministratorAccess allows. */
export interface GuardedIdentity {
  readonly roleArns: readonly string[];
  readonly providerArn: string;
  readonly state: StateAccess;
}

/**
 * The deploy role's explicit denials: it may not change the pipeline's own identity (the CI
 * roles, the OIDC provider), pass a CI role to a service, nor destroy or weaken the state (bucket,
 * its history, the lock table, the key) or the GitHub connection. tfstate is applied by a person.
 */
export function deployGuardPolicy(guarded: GuardedIdentity): PolicyDocument {
  const { state } = guarded;
  return policyDocument(
    {
      Sid: 'DenyChangingCiRoles',
      Effect: 'Deny',
      Action: [
        'iam:AttachRolePolicy',
        'iam:DeleteRole',
        'iam:DeleteRolePermissionsBoundary',
        'iam:DeleteRolePolicy',
        'iam:DetachRolePolicy',
        'iam:PassRole',
        'iam:PutRolePermissionsBoundary',
        'iam:PutRolePolicy',
        'iam:TagRole',
        'iam:UntagRole',
        'iam:UpdateAssumeRolePolicy',
        'iam:UpdateRole',
        'iam:UpdateRoleDescription',
      ],
      Resource: [...guarded.roleArns],
    },
    {
      Sid: 'DenyChangingGithubOidcProvider',
      Effect: 'Deny',
      Action: [
        'iam:AddClientIDToOpenIDConnectProvider',
        'iam:DeleteOpenIDConnectProvider',
        'iam:RemoveClientIDFromOpenIDConnectProvider',
        'iam:TagOpenIDConnectProvider',
        'iam:UntagOpenIDConnectProvider',
        'iam:UpdateOpenIDConnectProviderThumbprint',
      ],
      Resource: guarded.providerArn,
    },
    {
      Sid: 'DenyDestroyingStateBucket',
      Effect: 'Deny',
      Action: [
        's3:DeleteBucket',
        's3:DeleteBucketPolicy',
        's3:PutBucketPolicy',
        's3:PutBucketVersioning',
        's3:PutEncryptionConfiguration',
        's3:PutLifecycleConfiguration',
      ],
      Resource: state.bucketArn,
    },
    {
      Sid: 'DenyErasingStateHistory',
      Effect: 'Deny',
      Action: 's3:DeleteObjectVersion',
      Resource: `${state.bucketArn}/*`,
    },
    {
      Sid: 'DenyDestroyingLockTable',
      Effect: 'Deny',
      Action: ['dynamodb:DeleteTable', 'dynamodb:UpdateTable'],
      Resource: state.lockTableArn,
    },
    {
      Sid: 'DenyDisablingStateKey',
      Effect: 'Deny',
      Action: ['kms:DisableKey', 'kms:PutKeyPolicy', 'kms:ScheduleKeyDeletion'],
      Resource: state.kmsKeyArn,
    },
    {
      // Both service prefixes name the same API; any connection, since a connection's ARN
      // carries either prefix depending on when it was created.
      Sid: 'DenyDeletingGithubConnection',
      Effect: 'Deny',
      Action: ['codeconnections:DeleteConnection', 'codestar-connections:DeleteConnection'],
      Resource: '*',
    },
  );
}

/**
 * The delivery pipeline's identity in one account: GitHub's OIDC provider, a plan role
 * (ReadOnlyAccess plus the state's locks) that pull requests and `main` may assume, a deploy role
 * (AdministratorAccess, guarded) that only jobs in the matching GitHub environment may assume,
 * and the CodeConnections connection to GitHub the CodeBuild runner uses. No static keys.
 *
 * The connection is created PENDING: a person completes the GitHub handshake once in the console
 * (Developer Tools > Settings > Connections > Update pending connection).
 */
export class GithubDeliveryIdentity extends Construct {
  public readonly providerArn: string;
  public readonly planRoleArn: string;
  public readonly planRoleName: string;
  public readonly deployRoleArn: string;
  public readonly deployRoleName: string;
  public readonly connectionArn: string;
  public readonly planTrustPolicy: PolicyDocument;
  public readonly deployTrustPolicy: PolicyDocument;
  public readonly planStatePolicy: PolicyDocument;
  public readonly deployGuardPolicy: PolicyDocument;

  constructor(scope: Construct, id: string, props: GithubDeliveryIdentityProps) {
    super(scope, id);
    const { accountId, repository } = props;

    // No thumbprint_list: the provider (5.100.0) makes it optional, and IAM verifies this
    // issuer against its own library of trusted root CAs rather than a pinned thumbprint.
    const provider = new IamOpenidConnectProvider(this, 'github-oidc-provider', {
      url: `https://${GITHUB_OIDC_HOST}`,
      clientIdList: [GITHUB_OIDC_AUDIENCE],
    });
    this.providerArn = provider.arn;

    this.planTrustPolicy = githubTrustPolicy(provider.arn, planSubjects(repository));
    const plan = new IamRole(this, 'plan-role', {
      name: props.planRoleName,
      description: `Terraform plans of ${repository} (pull requests, main, drift checks): read-only, plus the state's locks`,
      assumeRolePolicy: toJson(this.planTrustPolicy),
      maxSessionDuration: CI_SESSION_SECONDS,
    });
    new IamRolePolicyAttachment(this, 'plan-read-only', {
      role: plan.name,
      policyArn: READ_ONLY_ACCESS_ARN,
    });
    this.planStatePolicy = planStatePolicy(props.state);
    new IamRolePolicy(this, 'plan-state', {
      name: 'terraform-state',
      role: plan.name,
      policy: toJson(this.planStatePolicy),
    });

    this.deployTrustPolicy = githubTrustPolicy(provider.arn, [
      deploySubject(repository, props.githubEnvironment),
    ]);
    const deploy = new IamRole(this, 'deploy-role', {
      name: props.deployRoleName,
      description: `Terraform applies of ${repository} from its GitHub environment ${props.githubEnvironment}`,
      assumeRolePolicy: toJson(this.deployTrustPolicy),
      maxSessionDuration: CI_SESSION_SECONDS,
    });
    // It creates VPCs, IAM roles, KMS keys, clusters and databases: no narrower policy covers
    // that; the guard below keeps it off the pipeline's identity and the state.
    new IamRolePolicyAttachment(this, 'deploy-administrator', {
      role: deploy.name,
      policyArn: ADMINISTRATOR_ACCESS_ARN,
    });
    this.deployGuardPolicy = deployGuardPolicy({
      roleArns: [props.planRoleName, props.deployRoleName].map(
        (name) => `arn:aws:iam::${accountId}:role/${name}`,
      ),
      providerArn: provider.arn,
      state: props.state,
    });
    new IamRolePolicy(this, 'deploy-guard', {
      name: 'guard-pipeline-identity-and-state',
      role: deploy.name,
      policy: toJson(this.deployGuardPolicy),
    });

    const connection = new CodestarconnectionsConnection(this, 'github-connection', {
      name: props.connectionName,
      providerType: 'GitHub',
    });

    this.planRoleArn = plan.arn;
    this.planRoleName = plan.name;
    this.deployRoleArn = deploy.arn;
    this.deployRoleName = deploy.name;
    this.connectionArn = connection.arn;
  }
}

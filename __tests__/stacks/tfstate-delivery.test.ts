import { describe, expect, it } from 'vitest';
import { checkStack } from '../../constructs/policy/policy-aspect';
import { policyContext } from '../../stacks/platform';
import { prodEnv, testEnv } from '../helpers/environments';
import {
  onlyResource,
  policyOf,
  type PolicyJson,
  resourcesOf,
  type SynthJson,
  synthEnvironment,
} from '../helpers/synth';

const HOST = 'token.actions.githubusercontent.com';
const list = (value: unknown): string[] =>
  value === undefined ? [] : Array.isArray(value) ? value.map(String) : [String(value)];

/** The tfstate stack of an environment, and helpers to find the delivery resources in it. */
function delivery(json: SynthJson) {
  const [providerName] = resourcesOf(json, 'aws_iam_openid_connect_provider')[0];
  const roles = Object.fromEntries(
    resourcesOf(json, 'aws_iam_role').map(([name, r]) => [String(r.name), { name, r }]),
  );
  const attachedTo = (roleName: string) =>
    resourcesOf(json, 'aws_iam_role_policy_attachment')
      .filter(([, a]) => a.role === `\${aws_iam_role.${roles[roleName].name}.name}`)
      .map(([, a]) => a.policy_arn);
  const inlineOf = (roleName: string): PolicyJson[] =>
    resourcesOf(json, 'aws_iam_role_policy')
      .filter(([, p]) => p.role === `\${aws_iam_role.${roles[roleName].name}.name}`)
      .map(([, p]) => policyOf(p));
  const ref = (type: string, prefix: string) => {
    const found = resourcesOf(json, type).find(([name]) => name.startsWith(prefix));
    return `\${${type}.${found?.[0] ?? `no ${prefix}`}.arn}`;
  };
  return {
    providerArn: `\${aws_iam_openid_connect_provider.${providerName}.arn}`,
    role: (name: string) => roles[name].r,
    trust: (name: string) => policyOf(roles[name].r, 'assume_role_policy'),
    attachedTo,
    inlineOf,
    bucketArn: ref('aws_s3_bucket', 'state-bucket_'),
    tableArn: ref('aws_dynamodb_table', 'lock-table_'),
    keyArn: ref('aws_kms_key', 'state-key_'),
  };
}

describe('TfstateStack: the delivery identity', () => {
  const prod = synthEnvironment(prodEnv());
  const json = prod.read('tfstate');
  const d = delivery(json);

  it("registers GitHub's OIDC issuer for AWS STS, with no pinned thumbprint", () => {
    const provider = onlyResource(json, 'aws_iam_openid_connect_provider');
    expect(provider.url).toBe('https://token.actions.githubusercontent.com');
    expect(provider.client_id_list).toEqual(['sts.amazonaws.com']);
    expect(provider.thumbprint_list).toBeUndefined();
  });

  it("lets the repository's pull requests and main (outside any environment) assume the plan role, nothing else", () => {
    const trust = d.trust('platform-prod-ci-plan');
    expect(trust.Statement).toEqual([
      {
        Sid: 'GithubActionsOfThisRepository',
        Effect: 'Allow',
        Principal: { Federated: d.providerArn },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: {
          StringEquals: {
            [`${HOST}:aud`]: 'sts.amazonaws.com',
            [`${HOST}:sub`]: [
              'repo:acme/platform-infra:pull_request',
              'repo:acme/platform-infra:ref:refs/heads/main',
            ],
          },
        },
      },
    ]);
  });

  it("lets only the repository's jobs in the matching GitHub environment assume the deploy role", () => {
    const trust = d.trust('platform-prod-ci-deploy');
    expect(trust.Statement).toHaveLength(1);
    const [statement] = trust.Statement;
    expect(statement).toMatchObject({
      Effect: 'Allow',
      Principal: { Federated: d.providerArn },
      Action: 'sts:AssumeRoleWithWebIdentity',
    });
    // One exact subject, compared with StringEquals: no StringLike, no wildcard.
    expect(statement.Condition).toEqual({
      StringEquals: {
        [`${HOST}:aud`]: 'sts.amazonaws.com',
        [`${HOST}:sub`]: 'repo:acme/platform-infra:environment:prod',
      },
    });
    expect(JSON.stringify(statement.Condition)).not.toMatch(/[*?]/);

    const test = delivery(synthEnvironment(testEnv()).read('tfstate'));
    expect(test.trust('platform-test-ci-deploy').Statement[0].Condition).toEqual({
      StringEquals: {
        [`${HOST}:aud`]: 'sts.amazonaws.com',
        [`${HOST}:sub`]: 'repo:acme/platform-infra:environment:test',
      },
    });
  });

  it('trusts the repository named in the config', () => {
    const other = delivery(
      synthEnvironment(prodEnv({ delivery: { repository: 'Other-Org/infra.v2' } })).read('tfstate'),
    );
    expect(
      other.trust('platform-prod-ci-deploy').Statement[0].Condition?.StringEquals[`${HOST}:sub`],
    ).toBe('repo:Other-Org/infra.v2:environment:prod');
    expect(
      other.trust('platform-prod-ci-plan').Statement[0].Condition?.StringEquals[`${HOST}:sub`],
    ).toEqual([
      'repo:Other-Org/infra.v2:pull_request',
      'repo:Other-Org/infra.v2:ref:refs/heads/main',
    ]);
  });

  it('keeps CI sessions to one hour', () => {
    expect(d.role('platform-prod-ci-plan').max_session_duration).toBe(3600);
    expect(d.role('platform-prod-ci-deploy').max_session_duration).toBe(3600);
  });

  describe('the plan role', () => {
    const [statePolicy, ...others] = d.inlineOf('platform-prod-ci-plan');
    const statements = statePolicy.Statement;
    const allowing = (action: string) =>
      statements.filter((s) => s.Effect === 'Allow' && list(s.Action).includes(action));

    it('is ReadOnlyAccess plus one inline policy for the state', () => {
      expect(d.attachedTo('platform-prod-ci-plan')).toEqual([
        'arn:aws:iam::aws:policy/ReadOnlyAccess',
      ]);
      expect(others).toEqual([]);
    });

    it("reads the environment's states and lists the bucket", () => {
      expect(allowing('s3:ListBucket').flatMap((s) => list(s.Resource))).toEqual([d.bucketArn]);
      expect(allowing('s3:GetObject').flatMap((s) => list(s.Resource))).toEqual([
        `${d.bucketArn}/prod/*`,
      ]);
    });

    it('writes nothing but lock files and lock items', () => {
      const reads = /^(s3:(Get|List)|dynamodb:(Get|Describe)|kms:(Decrypt|Describe))/;
      const writes = statements.flatMap((s) =>
        list(s.Action)
          .filter((a) => !reads.test(a))
          .map((action) => ({ action, resources: list(s.Resource), condition: s.Condition })),
      );
      expect(writes.map((w) => w.action).sort()).toEqual([
        'dynamodb:DeleteItem',
        'dynamodb:PutItem',
        'kms:Encrypt',
        'kms:GenerateDataKey',
        's3:DeleteObject',
        's3:PutObject',
      ]);
      for (const w of writes.filter((w) => w.action.startsWith('s3:'))) {
        expect(w.resources).toEqual([`${d.bucketArn}/prod/*.tflock`]);
      }
      for (const w of writes.filter((w) => w.action.startsWith('dynamodb:'))) {
        expect(w.resources).toEqual([d.tableArn]);
        // Lock ids are `<bucket>/<key>`; the state's digest item `<bucket>/<key>-md5` is excluded.
        expect(w.condition).toEqual({
          'ForAllValues:StringLike': {
            'dynamodb:LeadingKeys': 'acme-platform-tfstate-prod-222222222222/prod/*.tfstate',
          },
        });
      }
      for (const w of writes.filter((w) => w.action.startsWith('kms:'))) {
        expect(w.resources).toEqual([d.keyArn]);
      }
      expect(allowing('dynamodb:DescribeTable').flatMap((s) => list(s.Resource))).toEqual([
        d.tableArn,
      ]);
      expect(allowing('kms:Decrypt').flatMap((s) => list(s.Resource))).toEqual([d.keyArn]);
    });
  });

  describe('the deploy role', () => {
    const [guard, ...others] = d.inlineOf('platform-prod-ci-deploy');
    const denied = (sid: string) => guard.Statement.find((s) => s.Sid === sid);

    it('is AdministratorAccess with one inline policy of denials only', () => {
      expect(d.attachedTo('platform-prod-ci-deploy')).toEqual([
        'arn:aws:iam::aws:policy/AdministratorAccess',
      ]);
      expect(others).toEqual([]);
      expect(guard.Statement.map((s) => s.Effect)).toEqual(guard.Statement.map(() => 'Deny'));
    });

    it('may not change the CI roles (or pass them on) nor the OIDC provider', () => {
      expect(denied('DenyChangingCiRoles')).toMatchObject({
        Resource: [
          'arn:aws:iam::222222222222:role/platform-prod-ci-plan',
          'arn:aws:iam::222222222222:role/platform-prod-ci-deploy',
        ],
      });
      expect(list(denied('DenyChangingCiRoles')?.Action)).toEqual(
        expect.arrayContaining([
          'iam:UpdateAssumeRolePolicy',
          'iam:AttachRolePolicy',
          'iam:PutRolePolicy',
          'iam:DeleteRolePolicy',
          'iam:DetachRolePolicy',
          'iam:DeleteRole',
          'iam:PutRolePermissionsBoundary',
          'iam:PassRole',
        ]),
      );
      expect(denied('DenyChangingGithubOidcProvider')).toMatchObject({
        Resource: d.providerArn,
      });
      expect(list(denied('DenyChangingGithubOidcProvider')?.Action)).toEqual(
        expect.arrayContaining([
          'iam:DeleteOpenIDConnectProvider',
          'iam:AddClientIDToOpenIDConnectProvider',
          'iam:UpdateOpenIDConnectProviderThumbprint',
        ]),
      );
    });

    it('may not destroy the state bucket, its history, the lock table or the key, nor the GitHub connection', () => {
      expect(denied('DenyDestroyingStateBucket')).toMatchObject({ Resource: d.bucketArn });
      expect(list(denied('DenyDestroyingStateBucket')?.Action)).toEqual(
        expect.arrayContaining(['s3:DeleteBucket', 's3:PutBucketPolicy', 's3:PutBucketVersioning']),
      );
      expect(denied('DenyErasingStateHistory')).toMatchObject({
        Action: 's3:DeleteObjectVersion',
        Resource: `${d.bucketArn}/*`,
      });
      expect(denied('DenyDestroyingLockTable')).toMatchObject({
        Action: ['dynamodb:DeleteTable', 'dynamodb:UpdateTable'],
        Resource: d.tableArn,
      });
      expect(denied('DenyDisablingStateKey')).toMatchObject({
        Action: expect.arrayContaining(['kms:ScheduleKeyDeletion', 'kms:DisableKey']),
        Resource: d.keyArn,
      });
      expect(denied('DenyDeletingGithubConnection')).toMatchObject({
        Action: ['codeconnections:DeleteConnection', 'codestar-connections:DeleteConnection'],
        Resource: '*',
      });
    });
  });

  it('creates the GitHub connection for the runner (pending until a person authorizes it)', () => {
    expect(onlyResource(json, 'aws_codestarconnections_connection')).toMatchObject({
      name: 'platform-prod-github',
      provider_type: 'GitHub',
    });
  });

  it('outputs the two role ARNs and the connection ARN', () => {
    const value = (name: string) => String(json.output?.[name]?.value);
    expect(value('ci_plan_role_arn')).toMatch(
      /^\$\{aws_iam_role\.github-delivery_plan-role_\w+\.arn\}$/,
    );
    expect(value('ci_deploy_role_arn')).toMatch(
      /^\$\{aws_iam_role\.github-delivery_deploy-role_\w+\.arn\}$/,
    );
    expect(value('github_connection_arn')).toMatch(
      /^\$\{aws_codestarconnections_connection\.github-delivery_github-connection_\w+\.arn\}$/,
    );
  });

  it('passes the policy with AdministratorAccess as its one reviewed exception', () => {
    const findings = checkStack(prod.stacks.tfstate, policyContext(prodEnv()));
    const delivery = findings.filter((f) => f.resource.path.includes('/github-delivery/'));
    expect(delivery.map((f) => [f.rule.id, f.resource.path])).toEqual([
      ['IAM-002', 'prod-tfstate/github-delivery/deploy-administrator'],
    ]);
    expect(delivery[0].suppressedBecause).toMatch(
      /^the CI deploy role applies every stack but tfstate/,
    );
  });
});

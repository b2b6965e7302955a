import {
  each,
  list,
  type PolicyRule,
  type PolicyStatementJson,
  type ResourceView,
  statements,
  type StackView,
} from '../engine';

/** Identity policy documents of a stack: inline role policies, managed policies, role inline_policy. */
function identityPolicies(
  view: StackView,
): { resource: ResourceView; statements: PolicyStatementJson[] }[] {
  return [
    ...view
      .of('aws_iam_role_policy', 'aws_iam_policy', 'aws_iam_user_policy', 'aws_iam_group_policy')
      .map((r) => ({
        resource: r,
        statements: statements(r.config.policy),
      })),
    ...view.of('aws_iam_role').map((r) => ({
      resource: r,
      statements: (list(r.config.inline_policy) as Record<string, unknown>[]).flatMap((p) =>
        statements(p.policy),
      ),
    })),
  ];
}

const allowed = (s: PolicyStatementJson): boolean => s.Effect === 'Allow';
const onEverything = (s: PolicyStatementJson): boolean => list(s.Resource).includes('*');
const actionsOf = (s: PolicyStatementJson): string[] => list(s.Action).map(String);
const READ = /^[a-z0-9-]+:(Describe|Get|List)/;

function perStatement(
  view: StackView,
  problem: (s: PolicyStatementJson) => string | undefined,
): { resource: ResourceView; problem: string }[] {
  return identityPolicies(view).flatMap(({ resource, statements: list_ }) =>
    list_.flatMap((s) => {
      const found = problem(s);
      return found ? [{ resource, problem: `${s.Sid ? `statement ${s.Sid}: ` : ''}${found}` }] : [];
    }),
  );
}

export const iamRules: PolicyRule[] = [
  {
    id: 'IAM-001',
    scannerIds: ['CKV_AWS_1', 'CKV_AWS_62', 'CKV_AWS_355', 'AVD-AWS-0057'],
    title: 'No policy allows every action on every resource',
    fix: 'list the actions and resources the principal needs',
    check: (view) =>
      perStatement(view, (s) =>
        allowed(s) && onEverything(s) && actionsOf(s).some((a) => a === '*' || a === '*:*')
          ? 'allows * on *'
          : undefined,
      ),
  },
  {
    id: 'IAM-002',
    scannerIds: ['CKV_AWS_274'],
    title: 'AdministratorAccess is attached to nothing',
    fix: 'attach a least-privilege policy instead',
    check: (view) => [
      ...each(
        view.of(
          'aws_iam_role_policy_attachment',
          'aws_iam_policy_attachment',
          'aws_iam_user_policy_attachment',
        ),
        (a) =>
          String(a.config.policy_arn).endsWith(':policy/AdministratorAccess')
            ? 'attaches AdministratorAccess'
            : undefined,
      ),
      ...each(view.of('aws_iam_role'), (r) =>
        list(r.config.managed_policy_arns).some((arn) =>
          String(arn).endsWith(':policy/AdministratorAccess'),
        )
          ? 'attaches AdministratorAccess'
          : undefined,
      ),
    ],
  },
  {
    id: 'IAM-003',
    scannerIds: ['CKV_AWS_286'],
    title: 'iam:PassRole is never allowed on *',
    fix: 'name the roles that may be passed, and the service with iam:PassedToService',
    check: (view) =>
      perStatement(view, (s) =>
        allowed(s) &&
        onEverything(s) &&
        actionsOf(s).some((a) => ['iam:PassRole', 'iam:*', '*'].includes(a))
          ? 'allows iam:PassRole on *'
          : undefined,
      ),
  },
  {
    id: 'IAM-004',
    scannerIds: ['CKV_AWS_290'],
    title: 'Write actions on * only with a condition, or a reviewed suppression',
    fix: 'scope the resources, add a condition (e.g. on a tag), or suppress with the reason the service requires it',
    check: (view) =>
      perStatement(view, (s) => {
        if (!allowed(s) || !onEverything(s) || s.Condition) return undefined;
        const writes = actionsOf(s).filter((a) => !READ.test(a) && a !== 'pricing:GetProducts');
        return writes.length ? `allows ${writes.join(', ')} on * without a condition` : undefined;
      }),
  },
  {
    id: 'IAM-005',
    scannerIds: [],
    title: 'Pod Identity and IRSA roles trust exactly one service account',
    fix: 'condition the trust on the namespace and service account (PodIdentityRole does)',
    check: (view) =>
      each(view.of('aws_iam_role'), (r) => {
        for (const s of statements(r.config.assume_role_policy)) {
          const principal = (s.Principal ?? {}) as { Service?: unknown; Federated?: unknown };
          const conditions = JSON.stringify(s.Condition ?? {});
          if (list(principal.Service).includes('pods.eks.amazonaws.com')) {
            if (
              !conditions.includes('aws:RequestTag/kubernetes-namespace') ||
              !conditions.includes('aws:RequestTag/kubernetes-service-account')
            ) {
              return 'trusts EKS Pod Identity without naming a namespace and service account';
            }
          }
          if (
            list(principal.Federated).some((p) => String(p).includes('oidc-provider')) &&
            !/:sub"/.test(conditions)
          ) {
            return 'trusts an OIDC provider without a :sub condition';
          }
        }
        return undefined;
      }),
  },
];

import type { Suppression } from '../constructs/policy/engine';

/**
 * Reviewed exceptions to the policy rules (constructs/policy). Each names one rule, the construct
 * paths it covers and why. `npm run policy` lists them beside the rules, and docs/security.md
 * explains them. Add one only with a reason a reviewer can check.
 */
export const POLICY_SUPPRESSIONS: readonly Suppression[] = [
  {
    rule: 'S3-003',
    path: '*-tfstate/access-log-bucket/**',
    justification:
      'S3 server access log delivery cannot write to a bucket whose default encryption is SSE-KMS; the log bucket uses SSE-S3 (AES-256)',
  },
  {
    rule: 'S3-008',
    path: '*-tfstate/access-log-bucket/**',
    justification:
      'this is the access log bucket itself: logging it would need another bucket, and so on',
  },
  {
    rule: 'S3-003',
    path: '*-tfstate/alb-access-logs/**',
    justification:
      'Application Load Balancer access log delivery supports only SSE-S3 (Amazon S3-managed keys) on the target bucket (ELB user guide, "Enable access logs for your Application Load Balancer"); the ALB access log bucket uses SSE-S3 (AES-256)',
  },
  {
    rule: 'IAM-004',
    path: '*-eks-infra/load-balancer-controller/**',
    justification:
      "the AWS Load Balancer Controller's published policy: it creates security groups, load balancers, listeners, rules and target groups whose ARNs do not exist before creation, and attaches WAF/Shield; deletes and modifications are conditioned on its cluster tag",
  },
  {
    rule: 'IAM-002',
    path: '*-tfstate/github-delivery/deploy-administrator',
    justification:
      "the CI deploy role applies every stack but tfstate: it creates VPCs, IAM roles and policies, KMS keys, EKS clusters and RDS databases, which no narrower policy covers; only main's jobs in the environment's GitHub environment (required reviewers in prod) can assume it, and an explicit deny keeps it off the CI roles, the GitHub OIDC provider, the state bucket, lock table and key, and the GitHub connection",
  },
];

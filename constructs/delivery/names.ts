/**
 * The delivery pipeline's names, shared by the stacks that create these things and by the
 * scripts and workflows that use them (docs/delivery.md). One place, so a workflow never holds a
 * hand-copied ARN: `npm run -s ci:env -- <env>` prints them from the environment's config.
 */

/** The two roles GitHub Actions assumes through OIDC in an environment's account. */
export type CiRoleKind = 'plan' | 'deploy';

/** `platform-<env>-ci-plan`: read-only, plus the state; pull requests and drift checks. */
/** `platform-<env>-ci-deploy`: applies; only `main` in the matching GitHub environment. */
export function ciRoleName(environmentName: string, kind: CiRoleKind): string {
  return `platform-${environmentName}-ci-${kind}`;
}

export function ciRoleArn(accountId: string, environmentName: string, kind: CiRoleKind): string {
  return `arn:aws:iam::${accountId}:role/${ciRoleName(environmentName, kind)}`;
}

/**
 * The CodeBuild project that hosts GitHub Actions runners in the environment's private subnets
 * (for the stacks that talk to the cluster API). A job runs on it with
 * `runs-on: codebuild-<project>-${{ github.run_id }}-${{ github.run_attempt }}`.
 */
export function runnerProjectName(environmentName: string): string {
  return `platform-${environmentName}-gha-runner`;
}

/** The `runs-on` label prefix of that runner: append `-<run_id>-<run_attempt>`. */
export function runnerLabelPrefix(environmentName: string): string {
  return `codebuild-${runnerProjectName(environmentName)}`;
}

/**
 * The CodeConnections connection to GitHub (in `<env>-tfstate`), created pending: a person
 * authorizes it once in the console (docs/delivery.md, One-time setup).
 */
export function githubConnectionName(environmentName: string): string {
  return `platform-${environmentName}-github`;
}

/** The GitHub environment whose jobs may assume the deploy role (required reviewers in prod). */
export function githubEnvironmentName(environmentName: string): string {
  return environmentName;
}

/** The OIDC issuer of GitHub Actions, and the audience its tokens carry for AWS. */
export const GITHUB_OIDC_HOST = 'token.actions.githubusercontent.com';
export const GITHUB_OIDC_AUDIENCE = 'sts.amazonaws.com';

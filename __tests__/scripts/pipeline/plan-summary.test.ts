import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import {
  drifted,
  driftMarker,
  formatDriftIssue,
  formatSummary,
  MAX_SUMMARY_CHARACTERS,
  type PlanJson,
  readPlans,
  SUMMARY_MARKER,
  summarizePlan,
} from '../../../scripts/pipeline/plan-summary';
import { terraformEnvironment } from '../../../scripts/lib/terraform';
import {
  makePlans,
  PLAN_FIXTURE_ACCOUNT,
  PLAN_FIXTURE_STACK,
  stateWith,
  synthesizePlanFixture,
} from '../../fixtures/plan-summary-app';
import { announce, mirror, describeWithTerraform } from '../../helpers/offline-proof';
import { tempDir } from '../../helpers/paths';
import { runScript } from '../../helpers/process';
import { onlyResourceName, readStackJson } from '../../helpers/synth';

announce();

function run(...args: string[]) {
  return runScript('pipeline/plan-summary.ts', ...args);
}

const read = (dir: string, stack: string): PlanJson =>
  JSON.parse(readFileSync(join(dir, `${stack}.json`), 'utf8')) as PlanJson;

describeWithTerraform('plan:summary, on real `terraform show -json` output', () => {
  // Three plans of one small stack built from the repository's constructs (a KMS key, the state
  // lock table, a secure bucket), by the real Terraform and AWS provider, offline.
  const plans = join(tempDir('plan-summary-plans'), 'plans');
  let table: string;
  let key: string;
  beforeAll(async () => {
    const work = tempDir('plan-summary-work');
    const outdir = join(work, 'out');
    synthesizePlanFixture(outdir);
    const stackDir = join(outdir, 'stacks', PLAN_FIXTURE_STACK);
    const json = readStackJson(outdir, PLAN_FIXTURE_STACK);
    table = onlyResourceName(json, 'aws_dynamodb_table');
    key = onlyResourceName(json, 'aws_kms_key');
    // The provider's plugin sockets go in a directory of the test's.
    const tmp = join(work, 'tmp');
    mkdirSync(tmp);
    mkdirSync(plans);
    const env = terraformEnvironment(work, {
      ...process.env,
      TF_PROVIDER_MIRROR: mirror,
      TF_PLUGIN_CACHE_DIR: join(work, 'plugin-cache'),
      TF_IN_AUTOMATION: '1',
      TMPDIR: tmp,
    });
    mkdirSync(join(work, 'plugin-cache'));
    const arn = (service: string, resource: string) =>
      `arn:aws:${service}:eu-west-1:${PLAN_FIXTURE_ACCOUNT}:${resource}`;
    await makePlans(stackDir, plans, env, [
      // (1) a first deploy: everything created.
      { stack: 'test-fresh' },
      // (2) the lock table was deployed under another name: renaming it replaces it. The key
      // was deployed with another description: updated in place. A bucket whose construct was
      // removed: destroyed. (One plan for the three: each plan and show reads the AWS schema.)
      {
        stack: 'test-change',
        state: stateWith([
          {
            type: 'aws_dynamodb_table',
            name: table,
            schemaVersion: 1,
            attributes: {
              id: 'fx-plan-lock-old',
              name: 'fx-plan-lock-old',
              arn: arn('dynamodb', 'table/fx-plan-lock-old'),
              billing_mode: 'PAY_PER_REQUEST',
              hash_key: 'LockID',
              attribute: [{ name: 'LockID', type: 'S' }],
            },
          },
          {
            type: 'aws_kms_key',
            name: key,
            schemaVersion: 0,
            attributes: {
              id: '0c1d2e3f-0000-4000-8000-000000000001',
              key_id: '0c1d2e3f-0000-4000-8000-000000000001',
              arn: arn('kms', 'key/0c1d2e3f-0000-4000-8000-000000000001'),
              description: 'an older description',
              enable_key_rotation: true,
              deletion_window_in_days: 30,
              key_usage: 'ENCRYPT_DECRYPT',
              customer_master_key_spec: 'SYMMETRIC_DEFAULT',
            },
          },
          {
            type: 'aws_s3_bucket',
            name: 'old-logs',
            schemaVersion: 0,
            attributes: {
              id: 'fx-plan-old-logs',
              bucket: 'fx-plan-old-logs',
              arn: 'arn:aws:s3:::fx-plan-old-logs',
              force_destroy: false,
            },
          },
        ]),
      },
      // (3) nothing to do: a destroy plan with nothing deployed.
      { stack: 'test-empty', destroy: true },
    ]);
  }, 120_000);

  it('reads the actions of a real plan: a first deploy creates everything', () => {
    const plan = summarizePlan('test-fresh', read(plans, 'test-fresh'));
    expect(plan.changes).toHaveLength(10);
    expect(new Set(plan.changes.map((c) => c.action))).toEqual(new Set(['create']));
    expect(plan.changes.map((c) => c.address)).toContain(`aws_dynamodb_table.${table}`);

    const summary = formatSummary([plan]);
    expect(summary.split('\n')[0]).toBe(SUMMARY_MARKER);
    expect(summary).not.toContain('[!CAUTION]');
    expect(summary).toContain(
      '| `test-fresh` | 10 | 0 | 0 | 0 | 1 output change: the stacks that read it change once this is applied |',
    );
    // The output other stacks would read is named, in the stack's details.
    expect(plan.outputs).toEqual(['lock_table_name']);
    expect(summary).toContain('Outputs that change');
    expect(summary).toContain('- `lock_table_name`');
    expect(summary).toContain('<details><summary><code>test-fresh</code>: 10 to add</summary>');
    expect(summary).toContain(`- create \`aws_dynamodb_table.${table}\``);
  });

  it('calls out the replaced lock table first, with the attribute that forces it, and not the key updated in place', () => {
    const plan = summarizePlan('test-change', read(plans, 'test-change'));
    const byAddress = Object.fromEntries(plan.changes.map((c) => [c.address, c]));
    expect(byAddress[`aws_dynamodb_table.${table}`]).toEqual({
      address: `aws_dynamodb_table.${table}`,
      type: 'aws_dynamodb_table',
      action: 'replace',
      stateful: true,
      reason: '`name` forces replacement',
    });
    expect(byAddress[`aws_kms_key.${key}`]).toMatchObject({ action: 'update', stateful: true });

    const summary = formatSummary([plan]);
    const lines = summary.split('\n');
    const caution = lines.indexOf('> [!CAUTION]');
    expect(caution).toBeGreaterThan(0);
    // Before the table and the lists: the first thing after the title.
    expect(lines.slice(0, caution)).toEqual([SUMMARY_MARKER, '## Terraform plans', '']);
    expect(lines[caution + 1]).toContain(
      '**2 stateful resources would be replaced or destroyed.**',
    );
    const warning = lines.slice(caution, lines.indexOf('', caution));
    expect(warning).toContain(
      `> - **replace** \`aws_dynamodb_table.${table}\` in \`test-change\`: \`name\` forces replacement`,
    );
    expect(warning.join('\n')).not.toContain('aws_kms_key');
    expect(summary).toContain(
      '| `test-change` | 8 | 1 | 1 | 1 | ⚠️ 2 stateful replaced or destroyed; 1 output change: the stacks that read it change once this is applied |',
    );
  });

  it('calls out a destroyed bucket, saying why it goes', () => {
    const plan = summarizePlan('test-change', read(plans, 'test-change'));
    expect(plan.changes.find((c) => c.action === 'delete')).toEqual({
      address: 'aws_s3_bucket.old-logs',
      type: 'aws_s3_bucket',
      action: 'delete',
      stateful: true,
      reason: 'it was removed from the configuration',
    });
    const summary = formatSummary([plan]);
    expect(
      summary.indexOf('> - **destroy** `aws_s3_bucket.old-logs` in `test-change`'),
    ).toBeLessThan(summary.indexOf('| Stack |'));
    // In the stack's list, the destroy comes before the creates.
    const details = summary.slice(summary.indexOf('<details>'));
    expect(details.indexOf('**destroy**')).toBeLessThan(details.indexOf('- create'));
  });

  it('summarizes every plan of a directory as a process: the warnings first, then one row each', async () => {
    const result = await run(plans);
    expect(result.status, result.stderr).toBe(0);
    const summary = result.stdout;
    expect(summary.startsWith(`${SUMMARY_MARKER}\n`)).toBe(true);
    expect(summary).toContain('**2 stateful resources would be replaced or destroyed.**');
    const table = summary.indexOf('| Stack |');
    expect(summary.indexOf('in `test-change`')).toBeLessThan(table);
    expect(summary).toContain('3 stacks planned, 2 with changes.');
    expect(summary).toContain('| `test-empty` | 0 | 0 | 0 | 0 | no changes |');
    expect(summary).not.toContain('<code>test-empty</code>');
  });

  it('gathers the warnings of several stacks in one block before the table, counted together', () => {
    const changed = read(plans, 'test-change');
    const summary = formatSummary([
      summarizePlan('test-a', changed),
      summarizePlan('test-b', changed),
    ]);
    const table = summary.indexOf('| Stack |');
    expect(summary).toContain('**4 stateful resources would be replaced or destroyed.**');
    for (const stack of ['test-a', 'test-b']) {
      expect(summary.indexOf(`in \`${stack}\``)).toBeGreaterThan(0);
      expect(summary.indexOf(`in \`${stack}\``)).toBeLessThan(table);
    }
  });

  it('lists the drifted stacks and writes the drift issue of one, as a process', async () => {
    const drifted = await run(plans, '--drifted');
    expect(drifted.stdout.trim().split('\n')).toEqual(['test-change', 'test-fresh']);
    const issue = await run(plans, '--stack-issue', 'test-change');
    expect(issue.status, issue.stderr).toBe(0);
    expect(issue.stdout.split('\n')[0]).toBe(driftMarker('test-change'));
    expect(issue.stdout).toContain('> [!CAUTION]');
    expect(issue.stdout).toContain(
      '### What applying the configuration would do: 8 to add, 1 to change, 1 to replace, 1 to destroy',
    );
    const unknown = await run(plans, '--stack-issue', 'test-nothing');
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain(
      '--stack-issue names no plan in ' +
        plans +
        ', got "test-nothing". Fix: use one of test-change, test-empty, test-fresh',
    );
  });

  it('shows what changed outside Terraform in the drift issue', () => {
    // Terraform reports drift only after a refresh, which needs AWS: this drift entry is the
    // real plan's own change of the key, in the same shape.
    const real = read(plans, 'test-change');
    const keyChange = real.resource_changes?.find((r) => r.address === `aws_kms_key.${key}`);
    const plan = summarizePlan('test-change', { ...real, resource_drift: [keyChange!] });
    expect(formatDriftIssue(plan)).toContain(
      `### Changed outside Terraform (1)\n\n- \`aws_kms_key.${key}\` (update)`,
    );
    expect(formatSummary([plan])).toContain('1 changed outside Terraform');
  });

  it('reports a plan that changes only an output: its readers change at deploy', () => {
    // The empty plan, with the first deploy's output change: Terraform's exit code 2 all the same.
    const empty = read(plans, 'test-empty');
    const fresh = read(plans, 'test-fresh');
    const plan = summarizePlan('test-outputs', {
      ...empty,
      output_changes: fresh.output_changes,
    });
    expect(plan.changes).toEqual([]);
    expect(plan.outputs).toEqual(['lock_table_name']);
    expect(drifted(plan)).toBe(true);
    const summary = formatSummary([plan]);
    expect(summary).toContain('1 stack planned, 1 with changes.');
    expect(summary).toMatch(/\| `test-outputs` \| 0 \| 0 \| 0 \| 0 \| 1 output change: /);
    expect(summary).not.toContain('no changes |');
  });

  it('stays within a comment: long lists are cut, and left out altogether past the limit', () => {
    const real = read(plans, 'test-fresh');
    const change = real.resource_changes![0];
    const many = (n: number): PlanJson => ({
      ...real,
      resource_changes: Array.from({ length: n }, (_, i) => ({
        ...change,
        address: `${change.address}-${i}`,
      })),
    });
    const cut = formatSummary([summarizePlan('test-many', many(80))]);
    expect(cut.match(/^- create /gm)).toHaveLength(50);
    expect(cut).toContain("- … and 30 more: see the plan in the workflow run's artifacts");

    const stacks = Array.from({ length: 30 }, (_, i) => summarizePlan(`test-s${i}`, many(80)));
    const long = formatSummary(stacks);
    expect(long.length).toBeLessThanOrEqual(MAX_SUMMARY_CHARACTERS);
    expect(long).toContain('The lists of changes are left out');
    expect(long).toContain('| `test-s29` | 80 | 0 | 0 | 0 |');
  });

  it('reports a file that is not a plan, and refuses an unknown flag', async () => {
    const dir = tempDir('plan-summary-bad');
    writeFileSync(join(dir, 'test-broken.json'), 'Error: no credentials');
    writeFileSync(join(dir, 'test-other.json'), '{"errors": []}');
    const plans = readPlans(dir);
    const summary = formatSummary(plans);
    expect(summary).toMatch(/\| `test-broken` \| 0 \| 0 \| 0 \| 0 \| plan unreadable: /);
    expect(summary).toContain(
      '| `test-other` | 0 | 0 | 0 | 0 | plan unreadable: it is not `terraform show -json` output (no format_version) |',
    );
    const flag = await run(dir, '--comment');
    expect(flag.status).toBe(2);
    expect(flag.stderr).toContain("Unknown option '--comment'");
    expect(flag.stderr).toContain('usage: npm run -s plan:summary');
  });
});

/**
 * `npm run -s plan:summary -- <dir>`: a Markdown summary of every plan in `<dir>` (one
 * `<stack>.json` each, from `terraform show -json tfplan`), for the job summary and the pull
 * request's comment. Its first line, `<!-- platform-plan-summary -->`, is how the workflow finds
 * its own comment to update it. Stateful resources replaced or destroyed come first, then a table
 * of adds, changes, replaces and destroys per stack, then each stack's changes.
 *
 * `--stack-issue <stack>`: the body of the drift issue of that stack (a scheduled plan that is not
 * empty: Terraform would change what runs, or saw it changed outside Terraform).
 * `--drifted`: the stacks whose plan is not empty, one a line.
 *
 * It reports; it does not judge: exit 0 whatever the plans hold, 2 on a bad command line, 1 when
 * `<dir>` cannot be read.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseCommandLine, runCommand, ScriptError, UsageError } from './cli';

export const USAGE = [
  'usage: npm run -s plan:summary -- <dir>                      (Markdown for the job summary and PR comment)',
  '       npm run -s plan:summary -- <dir> --stack-issue <stack> (the drift issue body of one stack)',
  '       npm run -s plan:summary -- <dir> --drifted             (the stacks whose plan is not empty)',
].join('\n');

/** The marker the workflow finds its comment by. */
export const SUMMARY_MARKER = '<!-- platform-plan-summary -->';
/** The marker of a stack's drift issue. */
export const driftMarker = (stack: string): string => `<!-- platform-drift: ${stack} -->`;

/**
 * Resource types whose replacement or destruction loses data or something the platform cannot
 * recreate as it was: called out before anything else.
 *
 * - State and logs: `aws_s3_bucket` (Terraform state, access logs), `aws_dynamodb_table` (the
 *   state lock table).
 * - Databases and volumes: `aws_db_instance`, `aws_rds_cluster`, `aws_ebs_volume`,
 *   `aws_efs_file_system`, and a Kubernetes `PersistentVolumeClaim` or `PersistentVolume`, whose
 *   deletion deletes its EBS volume under a `Delete` reclaim policy (the gp3 class's).
 * - Keys and secrets: `aws_kms_key` (a destroyed key makes everything it encrypted unreadable
 *   once its deletion window ends), `aws_secretsmanager_secret` (the values are not in state).
 * - `aws_eks_cluster` (every workload and in-cluster object with it), `aws_ecr_repository` (the
 *   images the environments run), `aws_route53_zone` (a new zone gets new name servers, breaking
 *   the parent's delegation).
 *
 * Not `helm_release`: uninstalling a release leaves the volumes its StatefulSets claimed (Helm
 * does not delete a StatefulSet's PVCs), and calling every release out would bury the resources
 * that do lose data. Its replacement still shows in the stack's table and list.
 */
export const STATEFUL_TYPES: ReadonlySet<string> = new Set([
  'aws_s3_bucket',
  'aws_dynamodb_table',
  'aws_db_instance',
  'aws_rds_cluster',
  'aws_ebs_volume',
  'aws_efs_file_system',
  'aws_kms_key',
  'aws_secretsmanager_secret',
  'aws_eks_cluster',
  'aws_ecr_repository',
  'aws_route53_zone',
  'kubernetes_persistent_volume_claim',
  'kubernetes_persistent_volume_claim_v1',
  'kubernetes_persistent_volume',
  'kubernetes_persistent_volume_v1',
]);

/** The parts of `terraform show -json` output the summary reads. */
export interface PlanJson {
  readonly terraform_version?: string;
  readonly resource_changes?: readonly ResourceChange[];
  readonly resource_drift?: readonly ResourceChange[];
  readonly output_changes?: Readonly<Record<string, { readonly actions: readonly string[] }>>;
  readonly errored?: boolean;
}

export interface ResourceChange {
  readonly address: string;
  readonly mode?: 'managed' | 'data';
  readonly type: string;
  readonly action_reason?: string;
  readonly change: {
    readonly actions: readonly string[];
    readonly replace_paths?: readonly (readonly (string | number)[])[];
  };
}

export type Action = 'create' | 'update' | 'replace' | 'delete' | 'forget' | 'no-op' | 'read';

/** One resource's planned change, as the summary shows it. */
export interface Change {
  readonly address: string;
  readonly type: string;
  readonly action: Action;
  readonly stateful: boolean;
  /** Why Terraform replaces or deletes it, when the plan says. */
  readonly reason?: string;
}

export interface StackPlan {
  readonly stack: string;
  /** Why there is no plan to read (the file is not `terraform show -json` output). */
  readonly unreadable?: string;
  readonly errored: boolean;
  readonly changes: readonly Change[];
  /** Resources changed outside Terraform since the last apply. */
  readonly drift: readonly Change[];
  /**
   * The outputs the plan adds, changes or removes: other stacks read them (the cross-stack
   * references), so their plans change once this one is applied.
   */
  readonly outputs: readonly string[];
}

/** The action of a change: Terraform writes a replacement as delete+create or create+delete. */
export function actionOf(actions: readonly string[]): Action {
  const key = [...actions].sort().join(',');
  if (key === 'create,delete') return 'replace';
  if (actions.length === 1 && /^(create|update|delete|forget|no-op|read)$/.test(actions[0])) {
    return actions[0] as Action;
  }
  // Anything newer (Terraform's create-then-forget) is a change that creates: show it as one.
  return actions.includes('create') ? 'create' : actions.includes('delete') ? 'delete' : 'update';
}

/** `["server_side_encryption", 0, "kms_key_arn"]` → `server_side_encryption[0].kms_key_arn` */
export function attributePath(path: readonly (string | number)[]): string {
  return path
    .map((step, i) =>
      typeof step === 'number'
        ? `[${step}]`
        : /^\w+$/.test(step)
          ? `${i ? '.' : ''}${step}`
          : `[${JSON.stringify(step)}]`,
    )
    .join('');
}

const REASONS: Readonly<Record<string, string>> = {
  replace_because_tainted: 'it is tainted',
  replace_by_request: 'replacement was requested (-replace)',
  replace_by_triggers: 'a `replace_triggered_by` reference changed',
  delete_because_no_resource_config: 'it was removed from the configuration',
  delete_because_no_module: 'its module was removed from the configuration',
  delete_because_wrong_repetition: 'its count or for_each was removed or added',
  delete_because_count_index: 'its count index no longer exists',
  delete_because_each_key: 'its for_each key no longer exists',
  delete_because_no_move_target: 'its moved target does not exist',
};

function reasonOf(resource: ResourceChange, action: Action): string | undefined {
  const paths = resource.change.replace_paths ?? [];
  if (action === 'replace' && paths.length > 0) {
    const attributes = paths.map((p) => code(attributePath(p))).join(', ');
    return `${attributes} ${paths.length === 1 ? 'forces' : 'force'} replacement`;
  }
  return resource.action_reason ? REASONS[resource.action_reason] : undefined;
}

function toChange(resource: ResourceChange): Change {
  const action = actionOf(resource.change.actions);
  const reason = reasonOf(resource, action);
  return {
    address: resource.address,
    type: resource.type,
    action,
    stateful: STATEFUL_TYPES.has(resource.type),
    ...(reason ? { reason } : {}),
  };
}

/** The changes of one plan that do something: managed resources, not no-ops or reads. */
export function summarizePlan(stack: string, plan: PlanJson): StackPlan {
  const managed = (list: readonly ResourceChange[] | undefined) =>
    (list ?? [])
      .filter((r) => r.mode !== 'data')
      .map(toChange)
      .filter((c) => c.action !== 'no-op' && c.action !== 'read');
  const outputs = Object.entries(plan.output_changes ?? {})
    .filter(([, change]) => actionOf(change.actions) !== 'no-op')
    .map(([name]) => name)
    .sort();
  return {
    stack,
    errored: plan.errored === true,
    changes: managed(plan.resource_changes),
    drift: managed(plan.resource_drift),
    outputs,
  };
}

/** Every `<stack>.json` of `dir`, summarized, by stack name. */
export function readPlans(dir: string): StackPlan[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new ScriptError(
      `${dir} is not a directory of plans. Fix: pass the directory the workflow wrote <stack>.json files to (terraform show -json tfplan > <dir>/<stack>.json)`,
    );
  }
  return readdirSync(dir)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => readPlan(join(dir, file)));
}

function readPlan(path: string): StackPlan {
  const stack = basename(path, '.json');
  let plan: PlanJson;
  try {
    plan = JSON.parse(readFileSync(path, 'utf8')) as PlanJson;
  } catch (error) {
    return {
      stack,
      unreadable: (error as Error).message,
      errored: true,
      changes: [],
      drift: [],
      outputs: [],
    };
  }
  if (typeof plan !== 'object' || plan === null || !('format_version' in plan)) {
    const unreadable = 'it is not `terraform show -json` output (no format_version)';
    return { stack, unreadable, errored: true, changes: [], drift: [], outputs: [] };
  }
  return summarizePlan(stack, plan);
}

export interface Counts {
  readonly create: number;
  readonly update: number;
  readonly replace: number;
  readonly delete: number;
}

export function countsOf(plan: StackPlan): Counts {
  const count = (action: Action) => plan.changes.filter((c) => c.action === action).length;
  return {
    create: count('create'),
    update: count('update'),
    replace: count('replace'),
    delete: count('delete'),
  };
}

/** Stateful resources the plan replaces or destroys. */
export const dangerous = (plan: StackPlan): Change[] =>
  plan.changes.filter((c) => c.stateful && (c.action === 'replace' || c.action === 'delete'));

/** Whether a scheduled plan of the stack found drift: a change to make, or one made outside. */
export const drifted = (plan: StackPlan): boolean =>
  plan.changes.length > 0 || plan.drift.length > 0 || plan.outputs.length > 0 || plan.errored;

const escapeHtml = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A Markdown code span; a backtick inside would end it early. */
const code = (text: string): string => `\`${text.replace(/`/g, "'")}\``;

const VERBS: Readonly<Record<Action, string>> = {
  delete: 'destroy',
  replace: 'replace',
  update: 'update',
  create: 'create',
  forget: 'forget (removed from state, kept in AWS)',
  'no-op': 'no change',
  read: 'read',
};
const SEVERITY: readonly Action[] = ['delete', 'replace', 'update', 'forget', 'create'];

function changeLine(change: Change, stack?: string): string {
  const verb =
    change.action === 'delete' || change.action === 'replace'
      ? `**${VERBS[change.action]}**`
      : VERBS[change.action];
  const where = stack ? ` in ${code(stack)}` : '';
  return `- ${verb} ${code(change.address)}${where}${change.reason ? `: ${change.reason}` : ''}`;
}

/** A list, at most `limit` lines, the rest counted. */
function bounded(lines: readonly string[], limit: number): string[] {
  if (lines.length <= limit) return [...lines];
  return [
    ...lines.slice(0, limit),
    `- … and ${lines.length - limit} more: see the plan in the workflow run's artifacts`,
  ];
}

const bySeverity = (changes: readonly Change[]): Change[] =>
  [...changes].sort((a, b) => SEVERITY.indexOf(a.action) - SEVERITY.indexOf(b.action));

function countsPhrase(counts: Counts): string {
  const parts = [
    [counts.create, 'to add'],
    [counts.update, 'to change'],
    [counts.replace, 'to replace'],
    [counts.delete, 'to destroy'],
  ]
    .filter(([n]) => Number(n) > 0)
    .map(([n, what]) => `${n} ${what}`);
  return parts.length > 0 ? parts.join(', ') : 'no changes';
}

function note(plan: StackPlan): string {
  if (plan.unreadable) return `plan unreadable: ${plan.unreadable.replace(/\|/g, '\\|')}`;
  const notes = [
    plan.errored ? 'plan errored' : '',
    dangerous(plan).length > 0 ? `⚠️ ${dangerous(plan).length} stateful replaced or destroyed` : '',
    plan.drift.length > 0 ? `${plan.drift.length} changed outside Terraform` : '',
    plan.outputs.length > 0
      ? `${plan.outputs.length} output${plan.outputs.length === 1 ? '' : 's'} change: the stacks that read ${plan.outputs.length === 1 ? 'it' : 'them'} change once this is applied`
      : '',
    plan.changes.length === 0 && plan.outputs.length === 0 && !plan.errored ? 'no changes' : '',
  ];
  return notes.filter(Boolean).join('; ');
}

/** Markdown stays under GitHub's 65,536-character comment limit, with room to spare. */
export const MAX_SUMMARY_CHARACTERS = 60_000;
const MAX_LINES_PER_LIST = 50;

/** The warning block for stateful resources replaced or destroyed, or nothing. */
function warningBlock(plans: readonly StackPlan[]): string[] {
  const lines = plans.flatMap((plan) => dangerous(plan).map((c) => changeLine(c, plan.stack)));
  if (lines.length === 0) return [];
  const what = lines.length === 1 ? 'stateful resource' : 'stateful resources';
  return [
    '> [!CAUTION]',
    `> **${lines.length} ${what} would be replaced or destroyed.** What they hold (state, data, keys, volumes, images) is lost unless it is moved first: review these before anything else.`,
    '>',
    ...bounded(lines, MAX_LINES_PER_LIST).map((line) => `> ${line}`),
    '',
  ];
}

function details(plan: StackPlan): string[] {
  if (plan.changes.length === 0 && plan.drift.length === 0 && plan.outputs.length === 0) return [];
  const lines = [
    // Markdown is not rendered inside <summary>: HTML it is.
    `<details><summary><code>${escapeHtml(plan.stack)}</code>: ${countsPhrase(countsOf(plan))}</summary>`,
    '',
    ...bounded(
      bySeverity(plan.changes).map((c) => changeLine(c)),
      MAX_LINES_PER_LIST,
    ),
  ];
  if (plan.outputs.length > 0) {
    lines.push(
      '',
      'Outputs that change (other stacks read them through `terraform_remote_state`):',
      '',
      ...bounded(
        plan.outputs.map((name) => `- ${code(name)}`),
        MAX_LINES_PER_LIST,
      ),
    );
  }
  if (plan.drift.length > 0) {
    lines.push(
      '',
      'Changed outside Terraform since the last apply:',
      '',
      ...bounded(
        plan.drift.map((c) => `- ${code(c.address)} (${c.action})`),
        MAX_LINES_PER_LIST,
      ),
    );
  }
  return [...lines, '', '</details>', ''];
}

/** The summary of every plan, for the job summary and the pull request comment. */
export function formatSummary(plans: readonly StackPlan[]): string {
  const head = [SUMMARY_MARKER, '## Terraform plans', ''];
  if (plans.length === 0) {
    return [...head, 'No stack was planned: this change touches no stack.', ''].join('\n');
  }
  const withChanges = plans.filter((p) => p.changes.length > 0 || p.outputs.length > 0).length;
  const table = [
    `${plans.length} stack${plans.length === 1 ? '' : 's'} planned, ${withChanges} with changes.`,
    '',
    '| Stack | Add | Change | Replace | Destroy | Note |',
    '|---|--:|--:|--:|--:|---|',
    ...plans.map((plan) => {
      const c = countsOf(plan);
      return `| ${code(plan.stack)} | ${c.create} | ${c.update} | ${c.replace} | ${c.delete} | ${note(plan)} |`;
    }),
    '',
  ];
  const top = [...head, ...warningBlock(plans), ...table];
  const full = [...top, ...plans.flatMap(details)].join('\n');
  if (full.length <= MAX_SUMMARY_CHARACTERS) return full;
  // Too long for a comment: the warning and the table stay, each stack's list goes.
  return [
    ...top,
    `_The lists of changes are left out: they pass GitHub's size limit for a comment. Each stack's full plan is in the workflow run's artifacts._`,
    '',
  ].join('\n');
}

/** The body of the drift issue of one stack. */
export function formatDriftIssue(plan: StackPlan): string {
  const lines = [
    driftMarker(plan.stack),
    `## Drift in ${code(plan.stack)}`,
    '',
    `The scheduled plan of ${code(plan.stack)} is not empty: what runs in AWS differs from the configuration on \`main\`. Find out who changed what, then either apply the configuration (a pull request, or re-running the deploy) or change the configuration to match.`,
    '',
  ];
  if (plan.unreadable || plan.errored) {
    lines.push(
      `**The plan did not complete** (${plan.unreadable ?? 'terraform reported errors'}): see the workflow run's log.`,
      '',
    );
  }
  lines.push(...warningBlock([plan]));
  if (plan.drift.length > 0) {
    lines.push(
      `### Changed outside Terraform (${plan.drift.length})`,
      '',
      ...bounded(
        plan.drift.map((c) => `- ${code(c.address)} (${c.action})`),
        MAX_LINES_PER_LIST,
      ),
      '',
    );
  }
  lines.push(`### What applying the configuration would do: ${countsPhrase(countsOf(plan))}`, '');
  lines.push(
    ...bounded(
      bySeverity(plan.changes).map((c) => changeLine(c)),
      MAX_LINES_PER_LIST,
    ),
    '',
  );
  return lines.join('\n');
}

export function main(args: readonly string[]): void {
  const { values, positionals } = parseCommandLine(args, {
    'stack-issue': { type: 'string' },
    drifted: { type: 'boolean' },
  });
  if (positionals.length !== 1) {
    throw new UsageError(`expected one <dir>, got ${JSON.stringify(positionals.join(' '))}`);
  }
  if (values['stack-issue'] !== undefined && values.drifted) {
    throw new UsageError('--stack-issue and --drifted do not go together');
  }
  const plans = readPlans(positionals[0]);
  const stack = values['stack-issue'];
  if (stack !== undefined) {
    const plan = plans.find((p) => p.stack === stack);
    if (!plan) {
      throw new UsageError(
        `--stack-issue names no plan in ${positionals[0]}, got ${JSON.stringify(stack)}. Fix: use one of ${plans.map((p) => p.stack).join(', ') || '(none: the directory holds no <stack>.json)'}`,
      );
    }
    console.log(formatDriftIssue(plan));
  } else if (values.drifted) {
    plans.filter(drifted).forEach((p) => console.log(p.stack));
  } else {
    console.log(formatSummary(plans));
  }
}

if (require.main === module) runCommand(USAGE, () => main(process.argv.slice(2)));

/**
 * The teardown of an environment (`npm run teardown -- <env>`, docs/teardown.md): which stacks
 * it destroys and in which order, the cluster clean-up between them, and the run itself with
 * its summary. Commands go through a {@link CommandRunner}, so tests can run it against fakes.
 *
 * Order, and why:
 *   1. `<env>-service-*`: the workloads, which own the Ingresses and Services;
 *   2. the cluster's Ingresses and LoadBalancer Services: the AWS Load Balancer Controller
 *      deletes their ALBs and NLBs, and its finalizer releases each object only once it has;
 *   3. the Karpenter NodePools, then until no NodeClaim or Karpenter node is left: their EC2
 *      instances are not in any stack's state and hold ENIs in the private subnets;
 *   4. `<env>-eks-k8s`, `<env>-rds`, `<env>-eks-infra`, `<env>-network`: consumers before
 *      producers. rds reads eks-infra's node security group (its ingress rule names it), so it
 *      goes first, while the group still exists.
 * Without steps 2 and 3, load balancers and instances that no Terraform state knows of would
 * outlive the cluster and keep the VPC's subnets and security groups from being deleted.
 * `<env>-tfstate` (the account bootstrap) is never destroyed here.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { isProduction, type EnvironmentConfig } from '../../environments';
import { synthesizePlatform } from '../../stacks/platform';

/** Components never destroyed by the teardown. */
export const KEPT_COMPONENTS: Readonly<Record<string, string>> = {
  tfstate: 'the account bootstrap (state bucket, lock table), never destroyed by this script',
};
/** Each service's stack is `<env>-service-<name>`. */
export const SERVICE_PREFIX = 'service-';
/** Destroyed after the cluster is emptied, in this order: consumers before producers. */
export const INFRASTRUCTURE_ORDER = ['eks-k8s', 'rds', 'eks-infra', 'network'] as const;

export const DEFAULT_TIMEOUT = '10m';
const KARPENTER_NODE_LABEL = 'karpenter.sh/nodepool';

export type TeardownStep =
  | { readonly kind: 'destroy-stack'; readonly stack: string }
  | { readonly kind: 'connect' }
  | { readonly kind: 'ingresses' }
  | { readonly kind: 'load-balancer-services' }
  | { readonly kind: 'karpenter-nodes' };

export interface TeardownPlan {
  readonly environment: EnvironmentConfig;
  readonly steps: readonly TeardownStep[];
  /** Stacks of the environment that are kept, with why. */
  readonly kept: readonly { readonly stack: string; readonly reason: string }[];
}

/** A refusal or failure; its message is the one line the user sees. */
export class TeardownError extends Error {}

/**
 * The steps for the environment's stacks (as synthesized), in teardown order. Stacks that do
 * not exist (services not yet added) are left out; a stack with no place in the order is
 * refused, since destroying around it could leave its resources blocking the network's.
 */
export function planTeardown(
  environment: EnvironmentConfig,
  stackNames: readonly string[],
): TeardownPlan {
  const prefix = `${environment.name}-`;
  const components = new Set<string>();
  for (const name of stackNames) {
    if (!name.startsWith(prefix)) {
      throw new TeardownError(
        `stack ${name} does not belong to ${environment.name}: the synth returned another environment's stacks`,
      );
    }
    components.add(name.slice(prefix.length));
  }
  const known = (c: string): boolean =>
    Object.hasOwn(KEPT_COMPONENTS, c) ||
    c.startsWith(SERVICE_PREFIX) ||
    (INFRASTRUCTURE_ORDER as readonly string[]).includes(c);
  const unknown = [...components].filter((c) => !known(c));
  if (unknown.length > 0) {
    throw new TeardownError(
      `${unknown.map((c) => prefix + c).join(', ')} has no place in the teardown order: add it to ` +
        'INFRASTRUCTURE_ORDER in scripts/ops/teardown-steps.ts (consumers before producers) and to docs/teardown.md',
    );
  }
  const destroy = (component: string): TeardownStep => ({
    kind: 'destroy-stack',
    stack: prefix + component,
  });
  const services = [...components].filter((c) => c.startsWith(SERVICE_PREFIX)).sort();
  return {
    environment,
    steps: [
      ...services.map(destroy),
      { kind: 'connect' },
      { kind: 'ingresses' },
      { kind: 'load-balancer-services' },
      { kind: 'karpenter-nodes' },
      ...INFRASTRUCTURE_ORDER.filter((c) => components.has(c)).map(destroy),
    ],
    kept: Object.entries(KEPT_COMPONENTS)
      .filter(([c]) => components.has(c))
      .map(([c, reason]) => ({ stack: prefix + c, reason })),
  };
}

export function stepLabel(step: TeardownStep, environment: EnvironmentConfig): string {
  switch (step.kind) {
    case 'destroy-stack':
      return `destroy ${step.stack}`;
    case 'connect':
      return `connect to cluster ${environment.eks.clusterName}`;
    case 'ingresses':
      return 'delete Ingresses (their ALBs)';
    case 'load-balancer-services':
      return 'delete LoadBalancer Services (their NLBs)';
    case 'karpenter-nodes':
      return 'delete Karpenter NodePools, wait for their nodes';
  }
}

// ---------------------------------------------------------------------------------------------
// Running commands

export interface CommandResult {
  readonly status: number | null;
  readonly signal: string | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Set when the command could not be started (e.g. not on PATH). */
  readonly error?: string;
}

/** `none` streams everything; `stdout` captures stdout; `all` captures stdout and stderr. */
export type Capture = 'none' | 'stdout' | 'all';

export interface CommandRunner {
  run(command: string, args: readonly string[], capture: Capture): CommandResult;
}

/**
 * The environment of every command: no checkpoint calls, one environment synthesized by
 * `cdktf destroy`, and the project's `node_modules/.bin` appended to PATH, so a cdktf on PATH
 * (or a test's fake) comes first and the project's is the fallback.
 */
export function childEnvironment(
  base: NodeJS.ProcessEnv,
  root: string,
  environmentName: string,
): NodeJS.ProcessEnv {
  const path = [base.PATH, join(root, 'node_modules', '.bin')].filter(Boolean).join(delimiter);
  return { ...base, CHECKPOINT_DISABLE: '1', PLATFORM_ENV: environmentName, PATH: path };
}

/** Runs commands in `root` with `env`, resolving them through `env.PATH`. */
export function processRunner(root: string, env: NodeJS.ProcessEnv): CommandRunner {
  return {
    run(command, args, capture) {
      const result = spawnSync(command, [...args], {
        cwd: root,
        env,
        encoding: 'utf8',
        maxBuffer: 256 * 1024 * 1024,
        stdio:
          capture === 'none'
            ? 'inherit'
            : ['ignore', 'pipe', capture === 'all' ? 'pipe' : 'inherit'],
      });
      return {
        status: result.status,
        signal: result.signal,
        stdout: result.stdout ?? '',
        stderr: result.stderr ?? '',
        ...(result.error ? { error: result.error.message } : {}),
      };
    },
  };
}

/** A command line as a shell would take it back. */
export function shellLine(command: string, args: readonly string[]): string {
  return [command, ...args]
    .map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`))
    .join(' ');
}

// ---------------------------------------------------------------------------------------------
// The commands of each step

export interface CommandOptions {
  /** The kubeconfig file every kubectl call uses. */
  readonly kubeconfig: string;
  /** How long each kubectl deletion or wait may take, e.g. `10m`. */
  readonly timeout: string;
}

const clusterArgs = (environment: EnvironmentConfig): string[] => [
  '--name',
  environment.eks.clusterName,
  '--region',
  environment.region,
];

export const commands = {
  destroy: (stack: string): string[] => [
    'destroy',
    stack,
    '--auto-approve',
    // cdktf refuses to destroy a stack while a stack that reads it is still in the app, even
    // if that one was destroyed a step earlier: the order is this script's, not cdktf's.
    '--ignore-missing-stack-dependencies',
  ],
  describeCluster: (environment: EnvironmentConfig): string[] => [
    'eks',
    'describe-cluster',
    ...clusterArgs(environment),
    '--query',
    'cluster.status',
    '--output',
    'text',
  ],
  updateKubeconfig: (environment: EnvironmentConfig, o: CommandOptions): string[] => [
    'eks',
    'update-kubeconfig',
    ...clusterArgs(environment),
    '--kubeconfig',
    o.kubeconfig,
  ],
  kubectl: (o: CommandOptions, ...args: string[]): string[] => [
    '--kubeconfig',
    o.kubeconfig,
    ...args,
  ],
};

/** What the cluster clean-up waits on: a resource and the selector of the ones that count. */
interface Watched {
  readonly resource: string;
  readonly selector: readonly string[];
}
const NODECLAIMS: Watched = { resource: 'nodeclaims.karpenter.sh', selector: ['--all'] };
const KARPENTER_NODES: Watched = { resource: 'node', selector: ['-l', KARPENTER_NODE_LABEL] };

/** kubectl's arguments for each action, after `--kubeconfig <file>` (commands.kubectl). */
export const kube = {
  deleteIngresses: (timeout: string): string[] => [
    'delete',
    'ingress',
    '--all',
    '--all-namespaces',
    '--wait=true',
    `--timeout=${timeout}`,
  ],
  listIngresses: (): string[] => ['get', 'ingress', '--all-namespaces', '-o', 'name'],
  listServices: (): string[] => ['get', 'services', '--all-namespaces', '-o', 'json'],
  deleteService: (name: string, namespace: string, timeout: string): string[] => [
    'delete',
    'service',
    name,
    '--namespace',
    namespace,
    '--wait=true',
    `--timeout=${timeout}`,
  ],
  listKarpenterCrds: (): string[] => [
    'get',
    'crd',
    'nodepools.karpenter.sh',
    NODECLAIMS.resource,
    '-o',
    'name',
    '--ignore-not-found',
  ],
  deleteNodePools: (timeout: string): string[] => [
    'delete',
    'nodepools.karpenter.sh',
    '--all',
    '--wait=true',
    `--timeout=${timeout}`,
  ],
  list: (w: Watched): string[] => ['get', w.resource, ...w.selector, '-o', 'name'],
  waitDeleted: (w: Watched, timeout: string): string[] => [
    'wait',
    '--for=delete',
    w.resource,
    ...w.selector,
    `--timeout=${timeout}`,
  ],
};

/** The commands a step runs (those that depend on what the cluster holds, as templates). */
export function stepCommands(
  step: TeardownStep,
  environment: EnvironmentConfig,
  o: CommandOptions,
): string[] {
  const kubectl = (args: string[]) => shellLine('kubectl', commands.kubectl(o, ...args));
  switch (step.kind) {
    case 'destroy-stack':
      return [shellLine('cdktf', commands.destroy(step.stack))];
    case 'connect':
      return [
        shellLine('aws', commands.describeCluster(environment)),
        `${shellLine('aws', commands.updateKubeconfig(environment, o))}   (if the cluster exists; if not, the next three steps are skipped)`,
      ];
    case 'ingresses':
      return [kubectl(kube.deleteIngresses(o.timeout)), kubectl(kube.listIngresses())];
    case 'load-balancer-services':
      return [
        kubectl(kube.listServices()),
        `${kubectl(kube.deleteService('<name>', '<namespace>', o.timeout))}   (each Service of type LoadBalancer)`,
      ];
    case 'karpenter-nodes':
      return [
        kubectl(kube.deleteNodePools(o.timeout)),
        kubectl(kube.waitDeleted(NODECLAIMS, o.timeout)),
        kubectl(kube.waitDeleted(KARPENTER_NODES, o.timeout)),
      ];
  }
}

// ---------------------------------------------------------------------------------------------
// The run

export type Outcome =
  | { readonly status: 'done'; readonly seconds: number; readonly note?: string }
  | { readonly status: 'skipped'; readonly reason: string }
  | { readonly status: 'failed'; readonly seconds: number }
  | { readonly status: 'not run' };

export interface StepReport {
  readonly label: string;
  readonly outcome: Outcome;
}

export interface TeardownReport {
  readonly steps: readonly StepReport[];
  /** The one line saying what failed and what to do; absent when every step succeeded. */
  readonly failure?: string;
}

export interface TeardownContext extends CommandOptions {
  readonly run: CommandRunner;
  /** Progress. */
  readonly log: (line: string) => void;
  /** What a command printed on stderr that the run captured to read. */
  readonly logError: (line: string) => void;
  /** The command that runs the teardown again, for the failure line. */
  readonly rerun: string;
  /** A signal received since the start; the run stops before the next step. */
  readonly interrupted?: () => string | undefined;
}

/** Thrown inside a step: the step failed, and the message says why and what to do. */
class StepFailure extends Error {}

/** What a step that did not fail did: skipped (why), or done (with an optional note). */
type StepResult = { readonly skipped?: string; readonly note?: string };

const lines = (output: string): string[] => output.split('\n').filter((l) => l.trim() !== '');
const someOf = (items: readonly string[]): string =>
  items.slice(0, 5).join(', ') + (items.length > 5 ? ` and ${items.length - 5} more` : '');

/** Runs the plan's steps in order, stopping at the first failure. */
export function executeTeardown(plan: TeardownPlan, ctx: TeardownContext): TeardownReport {
  const { environment } = plan;
  const cluster = environment.eks.clusterName;
  const rerun = `then re-run \`${ctx.rerun}\` (the steps already done are no-ops)`;
  const reach =
    'is the API reachable from here? (docs/eks.md, "Reaching the cluster with kubectl")';
  const controllerLogs =
    'check the AWS Load Balancer Controller runs and what it logs (kubectl -n kube-system logs deploy/aws-load-balancer-controller)';
  const drainHint =
    'check `kubectl get nodeclaims` and the Karpenter controller logs (kubectl -n kube-system logs deploy/karpenter; a PodDisruptionBudget can hold a drain)';
  let clusterGone = false;

  const exec = (command: string, args: readonly string[], capture: Capture): CommandResult => {
    ctx.log(`$ ${shellLine(command, args)}`);
    const result = ctx.run.run(command, args, capture);
    if (result.error !== undefined) {
      throw new StepFailure(`cannot run ${command} (${result.error}): put it on PATH, ${rerun}`);
    }
    // A Ctrl-C reaches the command too; it may exit with a status of its own rather than die.
    const signal = result.signal ?? ctx.interrupted?.();
    if (signal !== null && signal !== undefined) {
      throw new StepFailure(`${command} was interrupted by ${signal}; ${rerun}`);
    }
    return result;
  };
  /** Runs a command that must succeed; `hint` says what to look at when it does not. */
  const must = (command: string, args: readonly string[], hint: string, capture: Capture) => {
    const result = exec(command, args, capture);
    if (result.status !== 0) {
      throw new StepFailure(`${command} exited ${result.status}: ${hint}, ${rerun}`);
    }
    return result.stdout;
  };
  const kubectl = (hint: string, args: string[], capture: Capture = 'none'): string =>
    must('kubectl', commands.kubectl(ctx, ...args), hint, capture);
  const list = (what: string, args: string[]): string[] =>
    lines(kubectl(`listing ${what} failed; ${reach}`, args, 'stdout'));

  /**
   * Waits until `kubectl get <resource> <selector>` lists nothing. `kubectl wait --for=delete`
   * with a selector exits non-zero when nothing matches (the last one may go between the two
   * calls), so its exit code is not the verdict: the listing after it is.
   */
  const waitUntilGone = (what: string, hint: string, watched: Watched) => {
    const get = () => list(what, kube.list(watched));
    if (get().length === 0) return;
    exec('kubectl', commands.kubectl(ctx, ...kube.waitDeleted(watched, ctx.timeout)), 'none');
    const left = get();
    if (left.length > 0) {
      throw new StepFailure(
        `${what} are still there after ${ctx.timeout} (${someOf(left)}): ${hint}, ${rerun}`,
      );
    }
  };

  const loadBalancerServices = () =>
    parseLoadBalancerServices(
      kubectl(`listing Services failed; ${reach}`, kube.listServices(), 'stdout'),
    );

  const destroyStack = (stack: string): StepResult => {
    const rds = stack === `${environment.name}-rds`;
    if (rds && environment.rds.deletionProtection) ctx.log(deletionProtectionNote(environment));
    const hint =
      rds && environment.rds.deletionProtection
        ? 'turn off the deletion protection as the note above says'
        : stack === `${environment.name}-network`
          ? `if a subnet or security group is still in use, find what holds it (aws ec2 describe-network-interfaces --region ${environment.region} --filters Name=vpc-id,Values=<vpc id>) and delete it`
          : 'fix what Terraform reported above';
    must('cdktf', commands.destroy(stack), hint, 'none');
    return {};
  };

  const connect = (): StepResult => {
    const describe = exec('aws', commands.describeCluster(environment), 'all');
    if (describe.status !== 0) {
      // Only "no such cluster" means nothing can be left in it. Any other error (expired
      // credentials, access denied) must not skip the clean-up that keeps the VPC deletable.
      if (/ResourceNotFoundException/.test(describe.stderr)) {
        clusterGone = true;
        return {
          skipped: `cluster ${cluster} does not exist (eks-infra already destroyed?), so nothing is left in it`,
        };
      }
      ctx.logError(describe.stderr.trimEnd());
      throw new StepFailure(
        `aws eks describe-cluster exited ${describe.status}, so whether ${cluster} still exists is unknown: ` +
          `check your credentials are for account ${environment.accountId} (aws sts get-caller-identity), ${rerun}`,
      );
    }
    ctx.log(`cluster ${cluster}: ${describe.stdout.trim()}`);
    must(
      'aws',
      commands.updateKubeconfig(environment, ctx),
      `could not write a kubeconfig for ${cluster}`,
      'none',
    );
    return {};
  };

  const ingresses = (): StepResult => {
    if (isProduction(environment.name)) ctx.log(loadBalancerProtectionNote());
    kubectl(
      `the Ingresses were not all deleted within ${ctx.timeout}; the controller releases an Ingress only once its ALB is deleted: ${controllerLogs}`,
      kube.deleteIngresses(ctx.timeout),
    );
    const left = list('Ingresses', kube.listIngresses());
    if (left.length > 0) {
      throw new StepFailure(
        `Ingresses are still there after the deletion (${someOf(left)}): ${controllerLogs}, ${rerun}`,
      );
    }
    return {};
  };

  const loadBalancers = (): StepResult => {
    const found = loadBalancerServices();
    if (found.length === 0) return { note: 'none found' };
    for (const { name, namespace } of found) {
      kubectl(
        `Service ${namespace}/${name} was not deleted within ${ctx.timeout}; ${controllerLogs}`,
        kube.deleteService(name, namespace, ctx.timeout),
      );
    }
    const left = loadBalancerServices().map((s) => `${s.namespace}/${s.name}`);
    if (left.length > 0) {
      throw new StepFailure(
        `LoadBalancer Services are still there after the deletion (${someOf(left)}): ${controllerLogs}, ${rerun}`,
      );
    }
    return { note: `${found.length} deleted` };
  };

  const karpenterNodes = (): StepResult => {
    const crds = list('CRDs', kube.listKarpenterCrds());
    const has = (crd: string) => crds.some((line) => line.endsWith(`/${crd}`));
    const karpenter = has('nodepools.karpenter.sh');
    if (karpenter) {
      kubectl(
        `the NodePools were not deleted within ${ctx.timeout}; ${drainHint}`,
        kube.deleteNodePools(ctx.timeout),
      );
    } else {
      ctx.log('no NodePool CRD in the cluster: Karpenter is not installed');
    }
    // A NodeClaim can hold an instance that has not joined the cluster as a node yet.
    if (has(NODECLAIMS.resource)) waitUntilGone('Karpenter NodeClaims', drainHint, NODECLAIMS);
    waitUntilGone(
      `nodes labelled ${KARPENTER_NODE_LABEL}`,
      karpenter ? drainHint : 'with no Karpenter to remove them, terminate their EC2 instances',
      KARPENTER_NODES,
    );
    return karpenter ? {} : { note: 'Karpenter is not installed' };
  };

  const runStep = (step: TeardownStep): StepResult => {
    switch (step.kind) {
      case 'destroy-stack':
        return destroyStack(step.stack);
      case 'connect':
        return connect();
      case 'ingresses':
        return ingresses();
      case 'load-balancer-services':
        return loadBalancers();
      case 'karpenter-nodes':
        return karpenterNodes();
    }
  };

  const reports: StepReport[] = [];
  let failure: string | undefined;
  plan.steps.forEach((step, index) => {
    const label = stepLabel(step, environment);
    if (failure !== undefined) {
      reports.push({ label, outcome: { status: 'not run' } });
      return;
    }
    const position = `${index + 1}/${plan.steps.length}`;
    const signal = ctx.interrupted?.();
    if (signal !== undefined) {
      failure = `teardown stopped before step ${position} (${label}): interrupted by ${signal}; ${rerun}`;
      reports.push({ label, outcome: { status: 'not run' } });
      return;
    }
    ctx.log(`\n==> [${position}] ${label}`);
    if (clusterGone && step.kind !== 'destroy-stack') {
      const reason = `cluster ${cluster} does not exist, so nothing is left in it`;
      ctx.log(`skipped: ${reason}`);
      reports.push({ label, outcome: { status: 'skipped', reason } });
      return;
    }
    const started = Date.now();
    const seconds = () => Math.round((Date.now() - started) / 1000);
    try {
      const result = runStep(step);
      if (result.skipped !== undefined) {
        ctx.log(`skipped: ${result.skipped}`);
        reports.push({ label, outcome: { status: 'skipped', reason: result.skipped } });
      } else {
        const note = result.note !== undefined ? { note: result.note } : {};
        reports.push({ label, outcome: { status: 'done', seconds: seconds(), ...note } });
      }
    } catch (error) {
      if (!(error instanceof StepFailure)) throw error;
      failure = `teardown failed at step ${position} (${label}): ${error.message}`;
      reports.push({ label, outcome: { status: 'failed', seconds: seconds() } });
    }
  });
  return { steps: reports, ...(failure !== undefined ? { failure } : {}) };
}

/** The Services of type LoadBalancer in `kubectl get services -A -o json` output. */
export function parseLoadBalancerServices(json: string): { name: string; namespace: string }[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw new StepFailure('`kubectl get services -o json` printed something other than JSON');
  }
  const items =
    typeof parsed === 'object' && parsed !== null && 'items' in parsed ? parsed.items : undefined;
  if (!Array.isArray(items)) {
    throw new StepFailure('`kubectl get services -o json` printed no item list');
  }
  return items.flatMap((item: unknown) => {
    const service = item as {
      metadata?: { name?: unknown; namespace?: unknown };
      spec?: { type?: unknown };
    };
    const { name, namespace } = service.metadata ?? {};
    return service.spec?.type === 'LoadBalancer' &&
      typeof name === 'string' &&
      typeof namespace === 'string'
      ? [{ name, namespace }]
      : [];
  });
}

/**
 * What the operator must do before prod's Ingresses can go: the shared ALB has deletion
 * protection (eks-k8s's IngressClassParams), and the controller cannot delete it until the
 * class's parameters turn it off.
 */
export function loadBalancerProtectionNote(): string {
  return 'note: prod\'s load balancer has deletion protection, so its Ingresses cannot be deleted until it is lifted: set deletion_protection.enabled to "false" in `kubectl get ingressclassparams alb -o yaml` (kubectl edit ingressclassparams alb), wait for the controller to apply it, then run the teardown (docs/teardown.md)';
}

/** What the operator must do before `cdktf destroy <env>-rds` can succeed. */
export function deletionProtectionNote(environment: EnvironmentConfig): string {
  const command = shellLine('aws', [
    'rds',
    'modify-db-instance',
    '--db-instance-identifier',
    environment.rds.instanceIdentifier,
    '--no-deletion-protection',
    '--apply-immediately',
    '--region',
    environment.region,
  ]);
  const preventDestroy = isProduction(environment.name)
    ? `, and ${environment.name}-rds also has prevent_destroy (stacks/rds-stack.ts), which only a reviewed change removes`
    : '';
  return (
    `note: ${environment.rds.instanceIdentifier} has deletion protection, so \`cdktf destroy ${environment.name}-rds\` ` +
    `fails until you turn it off (this script does not): ${command}${preventDestroy}`
  );
}

/** The closing table: every step and its outcome, then the stacks kept. */
export function formatSummary(plan: TeardownPlan, report: TeardownReport): string {
  const outcome = (o: Outcome): string => {
    switch (o.status) {
      case 'done':
        return `done (${o.seconds} s)${o.note ? `: ${o.note}` : ''}`;
      case 'skipped':
        return `skipped: ${o.reason}`;
      case 'failed':
        return `FAILED (${o.seconds} s)`;
      case 'not run':
        return 'not run';
    }
  };
  const rows = [
    ...report.steps.map((s, i) => [`${i + 1}`, s.label, outcome(s.outcome)]),
    ...plan.kept.map((k) => ['-', `keep ${k.stack}`, `kept: ${k.reason}`]),
  ];
  const width = Math.max(...rows.map((r) => r[1].length), 'step'.length);
  return [
    `\nSummary: teardown of ${plan.environment.name}`,
    `  #  ${'step'.padEnd(width)}  outcome`,
    ...rows.map(([n, label, text]) => `  ${n.padEnd(2)} ${label.padEnd(width)}  ${text}`),
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------
// Arguments

export type TeardownArgs =
  | { readonly help: true }
  | {
      readonly help: false;
      readonly environment: EnvironmentConfig;
      readonly dryRun: boolean;
      readonly timeout: string;
    };

export function usage(all: readonly EnvironmentConfig[]): string {
  return [
    `usage: npm run teardown -- <${all.map((e) => e.name).join('|')}> [--confirm <env>] [--dry-run] [--timeout <duration>]`,
    '',
    "Destroys an environment's stacks: its services first, then its Ingresses, LoadBalancer",
    'Services and Karpenter nodes (so no load balancer or instance is left in the VPC), then',
    'eks-k8s, rds, eks-infra and network. Never <env>-tfstate. Guide: docs/teardown.md.',
    '',
    '  --confirm <env>       required for prod: the name of the environment, again',
    '  --dry-run             print the steps and their commands; run nothing',
    `  --timeout <duration>  how long each kubectl deletion may wait (default ${DEFAULT_TIMEOUT}; e.g. 90s, 20m, 1h)`,
    '  --help                print this',
  ].join('\n');
}

const VALID_FLAGS = '--confirm <env>, --dry-run, --timeout <duration>, --help';

/** Parses the command line; throws a {@link TeardownError} for anything it refuses. */
export function parseTeardownArgs(
  argv: readonly string[],
  all: readonly EnvironmentConfig[],
): TeardownArgs {
  const positional: string[] = [];
  let confirm: string | undefined;
  let timeout = DEFAULT_TIMEOUT;
  let dryRun = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.startsWith('--') ? splitFlag(arg) : [arg, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined || v.startsWith('-')) {
        throw new TeardownError(`${flag} needs a value (valid flags: ${VALID_FLAGS})`);
      }
      return v;
    };
    if (flag === '--help' || flag === '-h') return { help: true };
    else if (flag === '--dry-run' && inline === undefined) dryRun = true;
    else if (flag === '--confirm') confirm = value();
    else if (flag === '--timeout') timeout = value();
    else if (flag.startsWith('-')) {
      throw new TeardownError(`unknown flag ${arg}; valid flags: ${VALID_FLAGS}`);
    } else positional.push(arg);
  }
  const names = all.map((e) => e.name).join(', ');
  if (positional.length !== 1) {
    throw new TeardownError(
      positional.length === 0
        ? `name the environment to destroy: one of ${names} (npm run teardown -- --help)`
        : `one environment at a time, got ${positional.join(' ')}`,
    );
  }
  const [name] = positional;
  const environment = all.find((e) => e.name === name);
  if (!environment) {
    throw new TeardownError(`unknown environment ${JSON.stringify(name)}; valid: ${names}`);
  }
  if (!/^[1-9]\d*[smh]$/.test(timeout)) {
    throw new TeardownError(
      `--timeout must be a whole number of seconds, minutes or hours such as 90s or 15m, got ${JSON.stringify(timeout)}`,
    );
  }
  if (confirm !== undefined && confirm !== name) {
    throw new TeardownError(
      `--confirm ${confirm} does not name the environment being destroyed (${name}); nothing was run`,
    );
  }
  if (isProduction(name) && confirm !== name && !dryRun) {
    throw new TeardownError(
      `${name} is production: confirm by name with \`npm run teardown -- ${name} --confirm ${name}\`; nothing was run`,
    );
  }
  return { help: false, environment, dryRun, timeout };
}

function splitFlag(arg: string): [string, string | undefined] {
  const eq = arg.indexOf('=');
  return eq === -1 ? [arg, undefined] : [arg.slice(0, eq), arg.slice(eq + 1)];
}

// ---------------------------------------------------------------------------------------------
// The command

export interface TeardownIo {
  readonly environments: readonly EnvironmentConfig[];
  /** The project root: commands run here; its node_modules/.bin is the fallback on PATH. */
  readonly root: string;
  /** The environment the commands inherit (before {@link childEnvironment}). */
  readonly env: NodeJS.ProcessEnv;
  /** Where the temporary directories go. @default - the OS's (TMPDIR) */
  readonly tmpRoot?: string;
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  /** The environment's stacks. @default - synthesized in a temporary directory */
  readonly listStacks?: (environment: EnvironmentConfig) => readonly string[];
  /** @default - a runner that spawns the commands */
  readonly runner?: CommandRunner;
  readonly interrupted?: () => string | undefined;
}

/**
 * The names of the environment's stacks: synthesizes the app in-process into a temporary
 * directory under `tmpRoot`, and removes it again, also when the synth fails.
 */
export function discoverStacks(
  all: readonly EnvironmentConfig[],
  environment: EnvironmentConfig,
  tmpRoot: string = tmpdir(),
): string[] {
  const outdir = mkdtempSync(join(tmpRoot, 'teardown-synth-'));
  try {
    const app = synthesizePlatform(all, { environmentName: environment.name, outdir });
    return app.node.children.map((c) => c.node.id);
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** `npm run teardown -- <env> …`: returns the exit code (0 done, 1 failed, 2 refused). */
export function runTeardown(argv: readonly string[], io: TeardownIo): number {
  let args: TeardownArgs;
  try {
    args = parseTeardownArgs(argv, io.environments);
  } catch (error) {
    if (!(error instanceof TeardownError)) throw error;
    io.err(`teardown: ${error.message}`);
    return 2;
  }
  if (args.help) {
    io.out(usage(io.environments));
    return 0;
  }
  const { environment, dryRun, timeout } = args;
  const name = environment.name;
  const tmpRoot = io.tmpRoot ?? tmpdir();

  io.out(`==> listing the stacks of ${name} (synthesizing it)`);
  let plan: TeardownPlan;
  try {
    const stacks = (io.listStacks ?? ((e) => discoverStacks(io.environments, e, tmpRoot)))(
      environment,
    );
    plan = planTeardown(environment, stacks);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (!(error instanceof TeardownError)) io.err(message);
    io.err(
      error instanceof TeardownError
        ? `teardown: ${message}; nothing was run`
        : `teardown: synthesizing ${name} to list its stacks failed (above); fix it and re-run, nothing was run`,
    );
    return 1;
  }

  const rerun = `npm run teardown -- ${name}${isProduction(name) ? ` --confirm ${name}` : ''}`;
  io.out(
    `Teardown of ${name} (account ${environment.accountId}, ${environment.region}, cluster ${environment.eks.clusterName}): ${plan.steps.length} steps`,
  );
  for (const kept of plan.kept) io.out(`${kept.stack} is kept: ${kept.reason}.`);

  if (dryRun) {
    const options = { kubeconfig: '<temporary kubeconfig>', timeout };
    plan.steps.forEach((step, i) => {
      io.out(`\n[${i + 1}/${plan.steps.length}] ${stepLabel(step, environment)}`);
      const rds = step.kind === 'destroy-stack' && step.stack === `${name}-rds`;
      if (rds && environment.rds.deletionProtection) {
        io.out(`    ${deletionProtectionNote(environment)}`);
      }
      if (step.kind === 'ingresses' && isProduction(name)) {
        io.out(`    ${loadBalancerProtectionNote()}`);
      }
      for (const line of stepCommands(step, environment, options)) io.out(`    $ ${line}`);
    });
    io.out('\nDry run: nothing was run.');
    return 0;
  }

  const kubeDir = mkdtempSync(join(tmpRoot, 'teardown-kube-'));
  let report: TeardownReport;
  try {
    report = executeTeardown(plan, {
      run: io.runner ?? processRunner(io.root, childEnvironment(io.env, io.root, name)),
      log: io.out,
      logError: io.err,
      kubeconfig: join(kubeDir, 'kubeconfig'),
      timeout,
      rerun,
      ...(io.interrupted ? { interrupted: io.interrupted } : {}),
    });
  } finally {
    rmSync(kubeDir, { recursive: true, force: true });
  }
  io.out(formatSummary(plan, report));
  if (report.failure !== undefined) {
    io.err(report.failure);
    return 1;
  }
  io.out(
    `\n${name} is torn down, except: ${plan.kept.map((k) => k.stack).join(', ') || 'nothing'}.`,
  );
  return 0;
}

import {
  chmodSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { delimiter, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { environments, type EnvironmentConfig } from '../../../environments';
import {
  childEnvironment,
  discoverStacks,
  planTeardown,
  runTeardown,
  stepLabel,
  TeardownError,
  type TeardownIo,
} from '../../../scripts/ops/teardown-steps';
import { prodEnv, testEnv } from '../../helpers/environments';
import { ROOT, tempDir, TSX } from '../../helpers/paths';
import { runCommand } from '../../helpers/process';

// Deletion protection pinned on: the committed test config may turn it off to be torn down.
const test = testEnv({ rds: { deletionProtection: true } });
const prod = prodEnv();

const NOT_FOUND =
  'An error occurred (ResourceNotFoundException) when calling the DescribeCluster operation: No cluster found for name: platform-test.';

/**
 * One POSIX shell stand-in for `cdktf`, `kubectl` and `aws` (a node script would cost 40 ms a
 * call). It appends its name and argv to $FAKE_LOG, and answers what the teardown reads:
 * - `aws eks update-kubeconfig … --kubeconfig <f>` writes <f>; kubectl refuses to run (exit 99)
 *   without an existing `--kubeconfig` file;
 * - listings print $FAKE_INGRESSES, $FAKE_SERVICES (JSON), $FAKE_CRDS, $FAKE_NODECLAIMS,
 *   $FAKE_NODES until the matching delete or wait ran, unless $FAKE_STUCK names that kind;
 * - a call whose line matches the glob $FAKE_FAIL prints $FAKE_FAIL_STDERR and exits
 *   $FAKE_FAIL_CODE (default 1).
 */
const FAKE = `#!/bin/sh
name=$(basename "$0")
line="$name $*"
printf '%s\\n' "$line" >> "$FAKE_LOG"
kubeconfig=""
prev=""
for arg in "$@"; do
  [ "$prev" = "--kubeconfig" ] && kubeconfig="$arg"
  prev="$arg"
done
case "$line" in
  \${FAKE_FAIL:-no-failure})
    [ -n "$FAKE_FAIL_STDERR" ] && printf '%s\\n' "$FAKE_FAIL_STDERR" >&2
    exit "\${FAKE_FAIL_CODE:-1}";;
esac
if [ "$name" = kubectl ] && [ ! -f "$kubeconfig" ]; then
  echo "fake kubectl: no kubeconfig at '$kubeconfig'" >&2
  exit 99
fi
state="$FAKE_LOG.gone"
mkdir -p "$state"
gone() { case " $FAKE_STUCK " in *" $1 "*) ;; *) touch "$state/$1";; esac; }
show() { [ -f "$state/$1" ] || printf '%s\\n' "$2"; }
no_items='{"items":[]}'
crds='customresourcedefinition.apiextensions.k8s.io/nodepools.karpenter.sh
customresourcedefinition.apiextensions.k8s.io/nodeclaims.karpenter.sh'
case "$line" in
  "aws eks describe-cluster "*) echo ACTIVE;;
  "aws eks update-kubeconfig "*) echo "apiVersion: v1" > "$kubeconfig";;
  *" delete ingress "*) gone ingresses;;
  *" get ingress "*) show ingresses "$FAKE_INGRESSES";;
  *" delete service "*) gone services;;
  *" get services "*) [ -f "$state/services" ] && echo "$no_items" || echo "\${FAKE_SERVICES:-$no_items}";;
  *" get crd "*) echo "\${FAKE_CRDS-$crds}";;
  *" wait --for=delete nodeclaims"*) gone nodeclaims;;
  *" get nodeclaims"*) show nodeclaims "$FAKE_NODECLAIMS";;
  *" wait --for=delete node "*) gone nodes;;
  *" get node "*) show nodes "$FAKE_NODES";;
esac
exit 0
`;

interface Fakes {
  readonly dir: string;
  readonly log: string;
  /** The environment the commands get: the fakes first on PATH. */
  readonly env: NodeJS.ProcessEnv;
}

function fakes(settings: Record<string, string> = {}): Fakes {
  const dir = tempDir('teardown-fakes');
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  writeFileSync(join(dir, 'fake.sh'), FAKE);
  chmodSync(join(dir, 'fake.sh'), 0o755);
  for (const name of ['cdktf', 'kubectl', 'aws'])
    symlinkSync(join(dir, 'fake.sh'), join(bin, name));
  const log = join(dir, 'calls.log');
  writeFileSync(log, '');
  return {
    dir,
    log,
    env: {
      ...process.env,
      ...settings,
      FAKE_LOG: log,
      PATH: `${bin}${delimiter}${process.env.PATH}`,
    },
  };
}

/** The calls the fakes saw, with the temporary kubeconfig's path written as K. */
function calls(fake: Fakes): string[] {
  return readFileSync(fake.log, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => l.replace(/--kubeconfig \S+\/kubeconfig/, '--kubeconfig K'));
}

/** Stack names per environment, synthesized once for the file (see the `discoverStacks` test). */
const synthesized = new Map<string, readonly string[]>();

function teardown(
  argv: string[],
  fake: Fakes,
  options: Partial<TeardownIo> = {},
): { status: number; out: string; err: string; tmpRoot: string } {
  const out: string[] = [];
  const err: string[] = [];
  const tmpRoot = tempDir('teardown-tmp');
  const status = runTeardown(argv, {
    environments: [test, prod],
    root: ROOT,
    env: fake.env,
    tmpRoot,
    out: (line) => out.push(line),
    err: (line) => err.push(line),
    listStacks: (e) => {
      const stacks = synthesized.get(e.name);
      if (!stacks) throw new Error(`no synthesized stacks for ${e.name}`);
      return stacks;
    },
    ...options,
  });
  return { status, out: out.join('\n'), err: err.join('\n'), tmpRoot };
}

const K = '--kubeconfig K';
const CLUSTER_STEPS = (env: EnvironmentConfig) => [
  `aws eks describe-cluster --name ${env.eks.clusterName} --region ${env.region} --query cluster.status --output text`,
  `aws eks update-kubeconfig --name ${env.eks.clusterName} --region ${env.region} ${K}`,
  `kubectl ${K} delete ingress --all --all-namespaces --wait=true --timeout=10m`,
  `kubectl ${K} get ingress --all-namespaces -o name`,
  `kubectl ${K} get services --all-namespaces -o json`,
  `kubectl ${K} get crd nodepools.karpenter.sh nodeclaims.karpenter.sh -o name --ignore-not-found`,
  `kubectl ${K} delete nodepools.karpenter.sh --all --wait=true --timeout=10m`,
  `kubectl ${K} get nodeclaims.karpenter.sh --all -o name`,
  `kubectl ${K} get node -l karpenter.sh/nodepool -o name`,
];
/** The stacks test has had from the start, for runs whose step numbers the test spells out. */
const BASE_STACKS = ['test-tfstate', 'test-network', 'test-eks-infra', 'test-rds'];

/** The synthesized service stacks, which go first, in name order. */
const serviceStacks = (stacks: readonly string[]) =>
  stacks.filter((s) => /-service-/.test(s)).sort();
const destroy = (stack: string) =>
  `cdktf destroy ${stack} --auto-approve --ignore-missing-stack-dependencies`;

beforeAll(() => {
  // The real discovery, once: an in-process synth into a temporary directory it removes.
  for (const env of [test, prod]) {
    const tmpRoot = tempDir('teardown-discover');
    synthesized.set(env.name, discoverStacks(environments, env, tmpRoot));
    expect(readdirSync(tmpRoot)).toEqual([]);
  }
});

describe('the teardown order', () => {
  const labels = (env: EnvironmentConfig, stacks: string[]) =>
    planTeardown(env, stacks).steps.map((s) => stepLabel(s, env));

  it('destroys the services, empties the cluster, then eks-k8s, rds, eks-infra and network', () => {
    // GIVEN every stack the platform will have, in no particular order
    const stacks = [
      'test-network',
      'test-service-frontend',
      'test-tfstate',
      'test-rds',
      'test-eks-k8s',
      'test-eks-infra',
      'test-service-backend',
    ];
    // THEN
    expect(labels(test, stacks)).toEqual([
      'destroy test-service-backend',
      'destroy test-service-frontend',
      'connect to cluster platform-test',
      'delete Ingresses (their ALBs)',
      'delete LoadBalancer Services (their NLBs)',
      'delete Karpenter NodePools, wait for their nodes',
      'destroy test-eks-k8s',
      'destroy test-rds',
      'destroy test-eks-infra',
      'destroy test-network',
    ]);
    expect(planTeardown(test, stacks).kept).toEqual([
      { stack: 'test-tfstate', reason: expect.stringContaining('never destroyed') },
    ]);
  });

  it('orders the synthesized stacks, leaving out those not built yet, and never tfstate', () => {
    // eks-k8s and the services' stacks are being added: today's app may or may not have them.
    const stacks = synthesized.get('test') ?? [];
    expect(stacks).toEqual(
      expect.arrayContaining(['test-tfstate', 'test-network', 'test-eks-infra', 'test-rds']),
    );
    const steps = labels(test, [...stacks]);
    expect(steps.filter((s) => s.startsWith('destroy test-') && !s.includes('-service-'))).toEqual(
      ['test-eks-k8s', 'test-rds', 'test-eks-infra', 'test-network']
        .filter((s) => stacks.includes(s))
        .map((s) => `destroy ${s}`),
    );
    expect(steps.join('\n')).not.toContain('tfstate');
  });

  it('throws when a stack has no place in the order', () => {
    expect(() => planTeardown(test, ['test-network', 'test-dns'])).toThrow(
      new TeardownError(
        'test-dns has no place in the teardown order: add it to INFRASTRUCTURE_ORDER in scripts/ops/teardown-steps.ts (consumers before producers) and to docs/teardown.md',
      ),
    );
  });

  it('appends the project node_modules/.bin to PATH, and sets PLATFORM_ENV and CHECKPOINT_DISABLE', () => {
    const env = childEnvironment({ PATH: '/fakes:/usr/bin', HOME: '/root' }, '/repo', 'test');
    expect(env).toEqual({
      PATH: `/fakes:/usr/bin${delimiter}/repo/node_modules/.bin`,
      HOME: '/root',
      CHECKPOINT_DISABLE: '1',
      PLATFORM_ENV: 'test',
    });
  });
});

describe('npm run teardown (fake cdktf, kubectl and aws first on PATH)', () => {
  it('runs, for test: the cluster clean-up, then rds, eks-infra and network; never tfstate', () => {
    const fake = fakes();
    const { status, out, err, tmpRoot } = teardown(['test'], fake);
    expect(err).toBe('');
    expect(status).toBe(0);
    const stacks = synthesized.get('test') ?? [];
    expect(calls(fake)).toEqual([
      ...serviceStacks(stacks).map(destroy),
      ...CLUSTER_STEPS(test),
      ...['test-eks-k8s', 'test-rds', 'test-eks-infra', 'test-network']
        .filter((s) => stacks.includes(s))
        .map(destroy),
    ]);
    expect(calls(fake).join('\n')).not.toContain('tfstate');
    expect(out).toContain('test-tfstate is kept: the account bootstrap');
    expect(out).toMatch(
      /note: platform-test has deletion protection, .*aws rds modify-db-instance --db-instance-identifier platform-test --no-deletion-protection --apply-immediately --region eu-west-1$/m,
    );
    expect(out).toMatch(
      /Summary: teardown of test\n.*\n {2}1 {2}destroy test-service-backend +done.*\n {2}2 {2}destroy test-service-frontend +done.*\n {2}3 {2}connect to cluster platform-test +done/,
    );
    expect(out).toMatch(/destroy test-network +done \(\d+ s\)/);
    expect(out).toMatch(/keep test-tfstate +kept: /);
    // The kubeconfig's directory is gone; the synth's was never made here (stacks injected).
    expect(readdirSync(tmpRoot)).toEqual([]);
  });

  it('destroys the services first, and deletes Ingresses before NodePools before any other destroy', () => {
    const fake = fakes();
    const stacks = [
      'test-tfstate',
      'test-network',
      'test-eks-infra',
      'test-rds',
      'test-eks-k8s',
      'test-service-frontend',
      'test-service-backend',
    ];
    const { status } = teardown(['test'], fake, { listStacks: () => stacks });
    expect(status).toBe(0);
    const log = calls(fake);
    expect(log).toEqual([
      destroy('test-service-backend'),
      destroy('test-service-frontend'),
      ...CLUSTER_STEPS(test),
      destroy('test-eks-k8s'),
      destroy('test-rds'),
      destroy('test-eks-infra'),
      destroy('test-network'),
    ]);
    const at = (call: string) => log.indexOf(call);
    const ingress = log.findIndex((c) => c.includes(' delete ingress '));
    const nodePools = log.findIndex((c) => c.includes(' delete nodepools.karpenter.sh '));
    expect(ingress).toBeLessThan(nodePools);
    for (const stack of ['test-eks-k8s', 'test-rds', 'test-eks-infra', 'test-network']) {
      expect(nodePools).toBeLessThan(at(destroy(stack)));
    }
    expect(at(destroy('test-service-frontend'))).toBeLessThan(ingress);
    expect(at(destroy('test-rds'))).toBeLessThan(at(destroy('test-eks-infra')));
  });

  it('passes --kubeconfig, a file that exists, to every kubectl call', () => {
    // The fake kubectl exits 99 when its --kubeconfig file does not exist.
    const fake = fakes();
    expect(teardown(['test'], fake).status).toBe(0);
    const kubectl = readFileSync(fake.log, 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('kubectl '));
    expect(kubectl.length).toBeGreaterThan(5);
    for (const call of kubectl) expect(call).toMatch(/^kubectl --kubeconfig \/\S+\/kubeconfig /);
  });

  it('deletes LoadBalancer Services, and waits for NodeClaims and Karpenter nodes', () => {
    const service = (namespace: string, name: string, type: string) => ({
      metadata: { namespace, name },
      spec: { type },
    });
    const fake = fakes({
      FAKE_SERVICES: JSON.stringify({
        items: [
          service('default', 'kubernetes', 'ClusterIP'),
          service('shop', 'edge', 'LoadBalancer'),
          service('ops', 'grafana', 'LoadBalancer'),
        ],
      }),
      FAKE_NODECLAIMS: 'nodeclaim.karpenter.sh/default-abcde',
      FAKE_NODES: 'node/ip-10-20-64-10.eu-west-1.compute.internal',
    });
    const { status, out } = teardown(['test'], fake);
    expect(status).toBe(0);
    const log = calls(fake);
    const from = log.indexOf(`kubectl ${K} get services --all-namespaces -o json`);
    expect(log.slice(from, from + 4)).toEqual([
      `kubectl ${K} get services --all-namespaces -o json`,
      `kubectl ${K} delete service edge --namespace shop --wait=true --timeout=10m`,
      `kubectl ${K} delete service grafana --namespace ops --wait=true --timeout=10m`,
      `kubectl ${K} get services --all-namespaces -o json`,
    ]);
    const nodes = log.findIndex((c) => c.includes(' delete nodepools.karpenter.sh '));
    expect(log.slice(nodes, nodes + 7)).toEqual([
      `kubectl ${K} delete nodepools.karpenter.sh --all --wait=true --timeout=10m`,
      `kubectl ${K} get nodeclaims.karpenter.sh --all -o name`,
      `kubectl ${K} wait --for=delete nodeclaims.karpenter.sh --all --timeout=10m`,
      `kubectl ${K} get nodeclaims.karpenter.sh --all -o name`,
      `kubectl ${K} get node -l karpenter.sh/nodepool -o name`,
      `kubectl ${K} wait --for=delete node -l karpenter.sh/nodepool --timeout=10m`,
      `kubectl ${K} get node -l karpenter.sh/nodepool -o name`,
    ]);
    expect(out).toMatch(/delete LoadBalancer Services \(their NLBs\) +done \(\d+ s\): 2 deleted/);
  });

  it('stops before any later destroy, exit 1, when deleting the Ingresses times out', () => {
    const fake = fakes({ FAKE_FAIL: 'kubectl * delete ingress *' });
    const { status, out, err, tmpRoot } = teardown(['test'], fake, {
      listStacks: () => BASE_STACKS,
    });
    expect(status).toBe(1);
    expect(err.split('\n')).toEqual([
      'teardown failed at step 2/7 (delete Ingresses (their ALBs)): kubectl exited 1: the Ingresses were not all deleted within 10m; the controller releases an Ingress only once its ALB is deleted: check the AWS Load Balancer Controller runs and what it logs (kubectl -n kube-system logs deploy/aws-load-balancer-controller), then re-run `npm run teardown -- test` (the steps already done are no-ops)',
    ]);
    expect(calls(fake).at(-1)).toContain(' delete ingress ');
    expect(calls(fake).join('\n')).not.toContain('cdktf');
    expect(out).toMatch(/delete Ingresses \(their ALBs\) +FAILED/);
    expect(out).toMatch(/destroy test-network +not run/);
    expect(readdirSync(tmpRoot)).toEqual([]);
  });

  it('fails when Karpenter nodes are still there after the wait', () => {
    const fake = fakes({ FAKE_NODES: 'node/ip-10-20-64-10', FAKE_STUCK: 'nodes' });
    const { status, err } = teardown(['test'], fake, { listStacks: () => BASE_STACKS });
    expect(status).toBe(1);
    expect(err).toMatch(
      /^teardown failed at step 4\/7 \(delete Karpenter NodePools, wait for their nodes\): nodes labelled karpenter.sh\/nodepool are still there after 10m \(node\/ip-10-20-64-10\): check `kubectl get nodeclaims`/,
    );
    expect(calls(fake).join('\n')).not.toContain('cdktf');
  });

  it('fails when an Ingress is still listed after the deletion', () => {
    const fake = fakes({
      FAKE_INGRESSES: 'ingress.networking.k8s.io/shop',
      FAKE_STUCK: 'ingresses',
    });
    const { status, err } = teardown(['test'], fake);
    expect(status).toBe(1);
    expect(err).toContain(
      'Ingresses are still there after the deletion (ingress.networking.k8s.io/shop)',
    );
    expect(calls(fake).join('\n')).not.toContain('nodepools');
  });

  it('skips the cluster steps when the cluster is gone, and still destroys the stacks', () => {
    const fake = fakes({
      FAKE_FAIL: 'aws eks describe-cluster *',
      FAKE_FAIL_CODE: '254',
      FAKE_FAIL_STDERR: NOT_FOUND,
    });
    const { status, out } = teardown(['test'], fake, {
      listStacks: () => BASE_STACKS,
    });
    expect(status).toBe(0);
    expect(calls(fake)).toEqual([
      CLUSTER_STEPS(test)[0],
      destroy('test-rds'),
      destroy('test-eks-infra'),
      destroy('test-network'),
    ]);
    expect(out).toContain(
      'skipped: cluster platform-test does not exist (eks-infra already destroyed?), so nothing is left in it',
    );
    expect(out).toMatch(
      /delete Ingresses \(their ALBs\) +skipped: cluster platform-test does not exist/,
    );
    expect(out).toMatch(/delete Karpenter NodePools, wait for their nodes +skipped: /);
  });

  it('stops when describe-cluster fails for another reason than a missing cluster', () => {
    const fake = fakes({
      FAKE_FAIL: 'aws eks describe-cluster *',
      FAKE_FAIL_CODE: '254',
      FAKE_FAIL_STDERR:
        'An error occurred (AccessDeniedException) when calling the DescribeCluster operation',
    });
    const { status, err } = teardown(['test'], fake, { listStacks: () => BASE_STACKS });
    expect(status).toBe(1);
    expect(err.split('\n')).toEqual([
      'An error occurred (AccessDeniedException) when calling the DescribeCluster operation',
      expect.stringMatching(
        /^teardown failed at step 1\/7 \(connect to cluster platform-test\): aws eks describe-cluster exited 254, so whether platform-test still exists is unknown: check your credentials are for account 111111111111/,
      ),
    ]);
    expect(calls(fake)).toEqual([CLUSTER_STEPS(test)[0]]);
  });

  it('stops at a failing cdktf destroy: rds fails, eks-infra and network are not run', () => {
    const fake = fakes({ FAKE_FAIL: 'cdktf destroy test-rds *' });
    const { status, out, err } = teardown(['test'], fake, { listStacks: () => BASE_STACKS });
    expect(status).toBe(1);
    expect(err).toMatch(
      /^teardown failed at step 5\/7 \(destroy test-rds\): cdktf exited 1: turn off the deletion protection as the note above says, then re-run `npm run teardown -- test`/,
    );
    expect(calls(fake).at(-1)).toBe(destroy('test-rds'));
    expect(out).toMatch(/destroy test-eks-infra +not run\n.*destroy test-network +not run/);
  });

  it('prints no deletion-protection note when the database has none', () => {
    const fake = fakes({ FAKE_FAIL: 'cdktf destroy test-rds *' });
    const unprotected = testEnv({ rds: { deletionProtection: false } });
    const { out, err } = teardown(['test'], fake, {
      environments: [unprotected, prod],
      listStacks: () => BASE_STACKS,
    });
    expect(out).not.toContain('deletion protection');
    expect(err).toContain('(destroy test-rds): cdktf exited 1: fix what Terraform reported above');
  });

  it('skips the NodePool deletion when Karpenter is not installed, and still checks for its nodes', () => {
    const fake = fakes({ FAKE_CRDS: '' });
    const { status, out } = teardown(['test'], fake, { listStacks: () => BASE_STACKS });
    expect(status).toBe(0);
    const log = calls(fake).join('\n');
    expect(log).not.toContain('delete nodepools');
    expect(log).not.toContain('nodeclaims.karpenter.sh --all');
    expect(log).toContain(`kubectl ${K} get node -l karpenter.sh/nodepool -o name`);
    expect(out).toMatch(/wait for their nodes +done \(\d+ s\): Karpenter is not installed/);
  });

  it('stops when interrupted, during a command or before the next, removing the kubeconfig', () => {
    // A Ctrl-C while the first command runs: it exits 0 anyway, the run stops there.
    let signal: string | undefined;
    const during = teardown(['test'], fakes(), {
      listStacks: () => BASE_STACKS,
      runner: {
        run: () => {
          signal = 'SIGINT';
          return { status: 0, signal: null, stdout: 'ACTIVE', stderr: '' };
        },
      },
      interrupted: () => signal,
    });
    expect(during.status).toBe(1);
    expect(during.err).toMatch(
      /^teardown failed at step 1\/7 \(connect to cluster platform-test\): aws was interrupted by SIGINT; then re-run/,
    );
    expect(readdirSync(during.tmpRoot)).toEqual([]);

    // A Ctrl-C while the stacks are being listed: nothing runs.
    const fake = fakes();
    let early: string | undefined;
    const before = teardown(['test'], fake, {
      listStacks: () => {
        early = 'SIGTERM';
        return BASE_STACKS;
      },
      interrupted: () => early,
    });
    expect(before.status).toBe(1);
    expect(before.err).toMatch(
      /^teardown stopped before step 1\/7 \(connect to cluster platform-test\): interrupted by SIGTERM/,
    );
    expect(calls(fake)).toEqual([]);
    expect(before.out).toMatch(/destroy test-network +not run/);
  });

  it('refuses prod without --confirm prod, running nothing', () => {
    const fake = fakes();
    const { status, err, out } = teardown(['prod'], fake);
    expect(status).toBe(2);
    expect(err).toBe(
      'teardown: prod is production: confirm by name with `npm run teardown -- prod --confirm prod`; nothing was run',
    );
    expect(out).toBe('');
    expect(calls(fake)).toEqual([]);
    expect(teardown(['prod', '--confirm', 'test'], fake).err).toBe(
      'teardown: --confirm test does not name the environment being destroyed (prod); nothing was run',
    );
    expect(calls(fake)).toEqual([]);
  });

  it('tears prod down with --confirm prod, noting deletion protection and prevent_destroy', () => {
    const fake = fakes();
    const { status, out } = teardown(['prod', '--confirm', 'prod'], fake);
    expect(status).toBe(0);
    const stacks = synthesized.get('prod') ?? [];
    expect(calls(fake)).toEqual([
      ...serviceStacks(stacks).map(destroy),
      ...CLUSTER_STEPS(prod),
      ...['prod-eks-k8s', 'prod-rds', 'prod-eks-infra', 'prod-network']
        .filter((s) => stacks.includes(s))
        .map(destroy),
    ]);
    expect(out).toContain(
      `aws rds modify-db-instance --db-instance-identifier ${prod.rds.instanceIdentifier} --no-deletion-protection --apply-immediately --region ${prod.region}, and prod-rds also has prevent_destroy`,
    );
    // The shared ALB is deletion-protected in prod: the note comes before the Ingresses go.
    const note = out.indexOf("note: prod's load balancer has deletion protection");
    expect(note).toBeGreaterThan(-1);
    expect(note).toBeLessThan(out.indexOf('delete ingress'));
  });

  it('refuses an unknown environment, flag or timeout with one line, running nothing', () => {
    const fake = fakes();
    const refused = (argv: string[]) => {
      const result = teardown(argv, fake);
      expect(result.status).toBe(2);
      expect(result.out).toBe('');
      return result.err;
    };
    expect(refused(['staging'])).toBe('teardown: unknown environment "staging"; valid: test, prod');
    expect(refused(['test', '--force'])).toBe(
      'teardown: unknown flag --force; valid flags: --confirm <env>, --dry-run, --timeout <duration>, --help',
    );
    expect(refused(['test', '--timeout', 'soon'])).toMatch(/^teardown: --timeout must be /);
    expect(refused([])).toBe(
      'teardown: name the environment to destroy: one of test, prod (npm run teardown -- --help)',
    );
    expect(calls(fake)).toEqual([]);
  });

  it('prints usage for --help', () => {
    const { status, out } = teardown(['--help'], fakes());
    expect(status).toBe(0);
    expect(out).toMatch(/^usage: npm run teardown -- <test\|prod> \[--confirm <env>\]/);
  });

  it('prints the plan and runs nothing with --dry-run (prod too, without --confirm)', () => {
    const fake = fakes();
    const { status, out } = teardown(['prod', '--dry-run', '--timeout=20m'], fake);
    expect(status).toBe(0);
    expect(calls(fake)).toEqual([]);
    expect(out).toContain(
      "$ kubectl --kubeconfig '<temporary kubeconfig>' delete ingress --all --all-namespaces --wait=true --timeout=20m",
    );
    expect(out).toContain(`$ ${destroy('prod-network')}`);
    expect(out).toContain("note: prod's load balancer has deletion protection");
    expect(out).toContain('Dry run: nothing was run.');
  });

  it('removes the synth directory when the synth fails, and runs nothing', () => {
    const fake = fakes();
    const broken = [testEnv({ region: 'mars-1' }), prod];
    const { status, err, tmpRoot } = teardown(['test'], fake, {
      environments: broken,
      listStacks: undefined,
    });
    expect(status).toBe(1);
    expect(err.split('\n').at(-1)).toBe(
      'teardown: synthesizing test to list its stacks failed (above); fix it and re-run, nothing was run',
    );
    expect(err).toContain('environments.test.region');
    expect(calls(fake)).toEqual([]);
    expect(readdirSync(tmpRoot)).toEqual([]);
  });
});

describe('npx tsx scripts/ops/teardown.ts (the real script, as a process)', () => {
  it('tears test down against the fakes and leaves no temporary directory', async () => {
    const fake = fakes();
    const tmp = tempDir('teardown-process-tmp');
    const result = await runCommand(TSX, ['scripts/ops/teardown.ts', 'test'], {
      cwd: ROOT,
      env: { ...fake.env, TMPDIR: tmp, CHECKPOINT_DISABLE: '1' },
    });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const stacks = synthesized.get('test') ?? [];
    expect(calls(fake)).toEqual([
      ...serviceStacks(stacks).map(destroy),
      ...CLUSTER_STEPS(test),
      ...['test-eks-k8s', 'test-rds', 'test-eks-infra', 'test-network']
        .filter((s) => stacks.includes(s))
        .map(destroy),
    ]);
    expect(result.stdout).toContain('Summary: teardown of test');
    expect(result.stdout).toContain('test is torn down, except: test-tfstate.');
    // tsx keeps its compile cache in TMPDIR; nothing of the teardown's may remain.
    expect(readdirSync(tmp).filter((entry) => !entry.startsWith('tsx-'))).toEqual([]);
  });
});

import { spawn } from 'node:child_process';
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { terraformEnvironment } from '../../lib/terraform';
import { providerBinary, type ProviderServer, startProviderServer } from './provider-server';
import { pruneUnavailable } from './prune';
import { type SchemaServer, startSchemaServer } from './schema-server';
import { SERVED_PROVIDERS, type ServedProvider } from './served-providers';
import { dependencyOrder, type SynthesizedStack, type TerraformJson } from './stacks';
import { type StateOutput, type TestFileOptions, testFile, workingCopy } from './tftest';

export type StepResult = 'passed' | 'failed' | 'not run';

export interface StackResult {
  readonly stack: string;
  /**
   * passed: every resource validated and mock-applied. partial: the part that could be checked
   * passed, `unchecked` resources could not be (see `uncheckedReason`). unchecked: nothing in it
   * can be checked here (only providers that are not installed). failed / not run: no proof.
   */
  readonly status: 'passed' | 'partial' | 'unchecked' | 'failed' | 'not run';
  readonly resourcesApplied: number;
  readonly resourcesTotal: number;
  readonly unchecked: number;
  readonly uncheckedReason: string;
  readonly validate: StepResult;
  readonly apply: StepResult;
  readonly seconds: number;
  /** Terraform's own words when something failed. */
  readonly output: string;
}

export interface ProofOptions {
  readonly stacks: readonly SynthesizedStack[];
  /** Scratch directory: one working directory per stack, plus the CLI config. */
  readonly workDir: string;
  /** Filesystem mirror of the providers; `undefined` uses Terraform's registry. */
  readonly providerMirror?: string;
  /**
   * Plugin cache shared across runs, so the provider is copied once.
   * @default `TF_PLUGIN_CACHE_DIR`, else `<workDir>/plugin-cache`
   */
  readonly pluginCacheDir?: string;
  /** @default the number of cores */
  readonly concurrency?: number;
  readonly terraformBinary?: string;
  /**
   * Start each installed provider once and attach every Terraform command to it.
   * @default true
   */
  readonly shareProviders?: boolean;
  /** Provider binaries to start instead of the installed ones (tests). @default - the installed */
  readonly providerBinaries?: Readonly<Record<string, string>>;
  /**
   * Providers that cannot be installed here, served from their schema instead (Terraform attaches
   * to them; `terraform test` mocks them), by local name.
   * @default SERVED_PROVIDERS (helm and kubernetes)
   */
  readonly servedProviders?: Readonly<Record<string, ServedProvider>>;
  /** Longest a Terraform command may run, per stack it proves. @default 300 s */
  readonly commandTimeoutMs?: number;
  readonly onResult?: (result: StackResult) => void;
  /** Progress: a stack's step has started (`test`, `validate`). */
  readonly onStep?: (stack: string, step: string) => void;
}

/** A shared provider stopped during the run: every result after it is meaningless. */
export class ProviderCrashError extends Error {
  constructor(address: string, pid: number, why: string) {
    super(
      `The ${address.split('/').pop()} provider that the proof's Terraform commands share (pid ${pid}) ${why}\n` +
        'No stack can be proven without it. Run the proof again; if it happens again, run it with ' +
        '--no-shared-provider to give each command its own provider, and report the output above.',
    );
    this.name = 'ProviderCrashError';
  }
}

/** The default of ProofOptions.commandTimeoutMs. */
const COMMAND_TIMEOUT_MS = 300_000;

interface CommandOutput {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function run(
  binary: string,
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
  timeoutMs = COMMAND_TIMEOUT_MS,
): Promise<CommandOutput> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (status) => {
      clearTimeout(timer);
      const timeout = timedOut
        ? `\nterraform ${args[0]} was stopped after ${timeoutMs / 1000} s without finishing.`
        : '';
      resolve({
        status: timedOut ? null : status,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8') + timeout,
      });
    });
  });
}

/** Providers that can be installed: those in the mirror, or any when the registry is used. */
export function availableProviders(
  mirror: string | undefined,
  required: Iterable<string>,
): Set<string> {
  if (!mirror) return new Set(required);
  const dir = join(mirror, 'registry.terraform.io', 'hashicorp');
  return new Set(existsSync(dir) ? readdirSync(dir) : []);
}

interface TestRunOutcome {
  readonly passed: boolean;
  readonly outputs: Record<string, StateOutput>;
  readonly resources: string[];
  readonly diagnostics: string;
  /** Seconds from the file's first message to its last (its share of the command). */
  readonly seconds: number;
}

/**
 * Reads `terraform test -json -verbose` over several test files, one outcome per file: whether
 * its run passed, the applied state's outputs and resources, its diagnostics. A diagnostic of no
 * file (the command's own) goes to every file.
 */
export function parseTestJsonByFile(stdout: string): Map<string, TestRunOutcome> {
  interface Draft {
    passed: boolean;
    outputs: Record<string, StateOutput>;
    resources: string[];
    diagnostics: string[];
    first: number;
    last: number;
  }
  const files = new Map<string, Draft>();
  const general: string[] = [];
  const draft = (file: string, at: number): Draft => {
    let d = files.get(file);
    if (!d) {
      d = { passed: false, outputs: {}, resources: [], diagnostics: [], first: at, last: at };
      files.set(file, d);
    }
    d.first = Math.min(d.first, at);
    d.last = Math.max(d.last, at);
    return d;
  };
  for (const line of stdout.split('\n')) {
    if (!line.startsWith('{')) continue;
    const message = JSON.parse(line) as Record<string, unknown>;
    const type = message.type;
    const file = message['@testfile'] as string | undefined;
    const at = Date.parse(String(message['@timestamp'] ?? '')) || 0;
    const target = file ? draft(file, at) : undefined;
    if (type === 'test_state' && target) {
      const state = message.test_state as {
        outputs?: Record<string, StateOutput>;
        root_module?: { resources?: { address: string; mode: string }[] };
      };
      target.outputs = state.outputs ?? {};
      target.resources = (state.root_module?.resources ?? [])
        .filter((r) => r.mode === 'managed')
        .map((r) => r.address);
    } else if (type === 'test_file' && target) {
      const progress = message.test_file as { progress?: string; status?: string };
      if (progress.progress === 'complete') target.passed = progress.status === 'pass';
    } else if (type === 'diagnostic' || message['@level'] === 'error') {
      const diagnostic = message.diagnostic as { summary?: string; detail?: string } | undefined;
      const text = diagnostic
        ? `${diagnostic.summary ?? ''}: ${diagnostic.detail ?? ''}`.trim()
        : String(message['@message']);
      (target?.diagnostics ?? general).push(text);
    }
  }
  return new Map(
    [...files].map(([file, d]) => [
      file,
      {
        passed: d.passed,
        outputs: d.outputs,
        resources: d.resources,
        diagnostics: [...general, ...d.diagnostics].join('\n'),
        seconds: Math.round((d.last - d.first) / 100) / 10,
      },
    ]),
  );
}

function countResources(json: TerraformJson): number {
  return Object.values(json.resource ?? {}).reduce(
    (n, blocks) => n + Object.keys(blocks).length,
    0,
  );
}

function providerOfJson(json: TerraformJson): { region: string; account: string } {
  const aws = json.provider?.aws?.[0] ?? {};
  const accounts = aws.allowed_account_ids as string[] | undefined;
  return { region: String(aws.region ?? 'us-east-1'), account: accounts?.[0] ?? '123456789012' };
}

/**
 * Validates and mock-applies every stack, upstream before downstream, independent stacks
 * concurrently. A stack whose upstream did not pass is not run (and so not reported as passed).
 */
export async function runOfflineProof(options: ProofOptions): Promise<StackResult[]> {
  const terraform = options.terraformBinary ?? 'terraform';
  mkdirSync(options.workDir, { recursive: true });
  const pluginCacheDir =
    options.pluginCacheDir ??
    process.env.TF_PLUGIN_CACHE_DIR ??
    join(options.workDir, 'plugin-cache');
  mkdirSync(pluginCacheDir, { recursive: true });
  const env = terraformEnvironment(options.workDir, {
    ...process.env,
    ...(options.providerMirror ? { TF_PROVIDER_MIRROR: options.providerMirror } : {}),
    TF_PLUGIN_CACHE_DIR: pluginCacheDir,
    TF_IN_AUTOMATION: '1',
  });

  const ordered = dependencyOrder(options.stacks);
  const required = new Set(
    ordered.flatMap((s) => Object.keys(s.json.terraform?.required_providers ?? {})),
  );
  const available = availableProviders(options.providerMirror, required);
  // What cannot be installed here but is served from its schema, in this process: Terraform's
  // init installs nothing for it, and every command attaches to it.
  const servedProviders = options.servedProviders ?? SERVED_PROVIDERS;
  const served = [...required].filter((p) => !available.has(p) && servedProviders[p]);
  for (const provider of served) available.add(provider);

  // One `terraform init -backend=false` for the run, against the mirror (or the registry), into
  // the shared plugin cache: a failed install is reported before any stack runs, and no
  // provider is copied twice.
  const usable = [...required].filter((p) => available.has(p) && !served.includes(p));
  const warmDir = join(options.workDir, '.warm-cache');
  if (usable.length > 0) {
    rmSync(warmDir, { recursive: true, force: true });
    mkdirSync(warmDir, { recursive: true });
    const requiredProviders = Object.fromEntries(
      usable.map((p) => {
        const spec = ordered.map((s) => s.json.terraform?.required_providers?.[p]).find(Boolean);
        return [
          p,
          { source: spec?.source ?? p, ...(spec?.version ? { version: spec.version } : {}) },
        ];
      }),
    );
    writeFileSync(
      join(warmDir, 'main.tf.json'),
      JSON.stringify({ terraform: { required_providers: requiredProviders } }),
    );
    const warm = await run(
      terraform,
      ['init', '-backend=false', '-input=false', '-no-color'],
      warmDir,
      env,
    );
    if (warm.status !== 0) {
      throw new Error(
        `terraform init could not install the providers. Check that TF_PROVIDER_MIRROR (now ${options.providerMirror ?? 'unset: the registry'}) holds them (npm run -s find-provider-mirror), or run online. Terraform said:\n${warm.stdout}${warm.stderr}`,
      );
    }
  }

  // One provider process per installed provider for the whole run, which every command attaches
  // to: each would otherwise start the 700 MB AWS provider and load its schema again.
  const servers: ProviderServer[] = [];
  const schemaServers: SchemaServer[] = [];
  try {
    // The installed providers start loading first; the served schemas are built (seconds of
    // this process's CPU for kubernetes') while they do.
    const starting: Promise<ProviderServer>[] = [];
    if (options.shareProviders ?? true) {
      for (const provider of usable) {
        const binary =
          options.providerBinaries?.[provider] ??
          providerBinary(join(warmDir, '.terraform'), provider);
        if (binary) starting.push(startProviderServer(provider, binary, undefined, env));
      }
    }
    const started = Promise.allSettled(starting);
    try {
      for (const provider of served) {
        const serve = servedProviders[provider];
        if (serve) schemaServers.push(await startSchemaServer(serve.schema()));
      }
    } finally {
      for (const outcome of await started) {
        if (outcome.status === 'fulfilled') servers.push(outcome.value);
      }
    }
    const failed = (await started).find((outcome) => outcome.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
    if (servers.length + schemaServers.length > 0) {
      env.TF_REATTACH_PROVIDERS = JSON.stringify(
        Object.fromEntries(
          [...servers, ...schemaServers].map((server) => [server.address, server.reattach]),
        ),
      );
    }
    // After any failed command: is the shared provider the cause? Dead, or not answering.
    const providerProblem = (output: string): ProviderCrashError | undefined => {
      const crash = servers.find((server) => server.crashed());
      if (crash) return new ProviderCrashError(crash.address, crash.pid, crash.crashed() ?? '');
      const silent = /Failed to load plugin schemas|Failed to obtain provider schema/.exec(output);
      if (silent && servers.length > 0) {
        const [server] = servers;
        const why = `did not answer: Terraform said "${silent[0]}".`;
        return new ProviderCrashError(server.address, server.pid, why);
      }
      return undefined;
    };
    const results = await proveStacks(
      ordered,
      options,
      env,
      terraform,
      warmDir,
      available,
      providerProblem,
    );
    const crash = providerProblem('');
    if (crash) throw crash;
    return results;
  } finally {
    await Promise.all([...servers, ...schemaServers].map((server) => server.stop()));
  }
}

async function proveStacks(
  ordered: readonly SynthesizedStack[],
  options: ProofOptions,
  env: NodeJS.ProcessEnv,
  terraform: string,
  warmDir: string,
  available: Set<string>,
  providerProblem: (output: string) => Error | undefined,
): Promise<StackResult[]> {
  const inRun = new Set(ordered.map((s) => s.name));
  const concurrency = Math.max(1, options.concurrency ?? availableParallelism());
  const timeout = options.commandTimeoutMs;
  const warmed = existsSync(join(warmDir, '.terraform'));

  // The root every `terraform test` runs in: no resources of its own, a test file per stack
  // whose run applies that stack's working directory as its module. One command proves many
  // stacks, so the provider's schema (seconds of CPU for AWS's) is read once per command, not
  // once per stack.
  const rootDir = join(options.workDir, '.proof');
  rmSync(rootDir, { recursive: true, force: true });
  mkdirSync(join(rootDir, 'tests'), { recursive: true });
  writeFileSync(join(rootDir, 'main.tf.json'), '{}\n');
  const testFilePath = (stack: string) => `tests/${stack}.tftest.hcl`;
  // A stack's test file in the root: its run applies the stack's working copy as its module,
  // fed its upstreams' outputs.
  const writeTestFile = (
    stack: string,
    json: TerraformJson,
    upstreamOutputs: TestFileOptions['upstreamOutputs'],
  ): void =>
    writeFileSync(
      join(rootDir, testFilePath(stack)),
      testFile({ json, upstreamOutputs, module: `../${stack}`, ...providerOfJson(json) }),
    );

  // Static preparation, upstream first: prune what cannot be checked here (including reads of
  // upstream outputs that were pruned themselves) and write each working directory.
  const prepared = new Map<string, Prepared>();
  for (const stack of ordered) {
    const missingUpstream = stack.remoteStates.flatMap((rs) =>
      (prepared.get(rs.upstream)?.removedOutputs ?? []).map(
        (o) => `data.terraform_remote_state.${rs.name}.outputs.${o}`,
      ),
    );
    const pruned = pruneUnavailable(stack.json, available, missingUpstream);
    const unchecked = pruned.removed.filter(
      (r) => !r.address.startsWith('output.') && !r.address.startsWith('data.'),
    ).length;
    const missingProviders = [
      ...new Set(pruned.removed.map((r) => r.reason).filter((r) => r.startsWith('provider'))),
    ];
    const uncheckedReason =
      unchecked > 0
        ? `${missingProviders.join('; ') || 'upstream outputs unchecked'}${missingProviders.length ? ' (and what depends on it)' : ''}`
        : '';
    const json = workingCopy(pruned.json);
    const dir = join(options.workDir, stack.name);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'cdk.tf.json'), JSON.stringify(json, null, 2));
    // Initialized once for the whole run (the warm-up init): each stack gets its provider links
    // and lock file, for the `terraform validate` that explains a failed test. A per-stack init
    // would reinstall into the shared cache and race.
    if (warmed) linkWarmInit(warmDir, dir);
    const checkable = countResources(json) > 0 || Object.keys(json.output ?? {}).length > 0;
    // Its file in the root before the root's `terraform init`, which records the module; written
    // again with the upstreams' outputs when its turn comes.
    if (checkable) writeTestFile(stack.name, json, {});
    prepared.set(stack.name, {
      stack,
      json,
      dir,
      unchecked,
      uncheckedReason,
      removedOutputs: pruned.removedOutputs,
      checkable,
    });
  }
  if ([...prepared.values()].some((p) => p.checkable)) {
    if (warmed) linkWarmInit(warmDir, rootDir);
    const init = await run(
      terraform,
      ['init', '-backend=false', '-input=false', '-no-color'],
      rootDir,
      env,
      timeout,
    );
    if (init.status !== 0) {
      const problem = providerProblem(`${init.stdout}${init.stderr}`);
      if (problem) throw problem;
      throw new Error(
        `terraform init of the proof's root (${rootDir}) failed:\n${init.stdout}${init.stderr}`,
      );
    }
  }

  const applied = new Map<string, Record<string, StateOutput>>();
  const results = new Map<string, StackResult>();
  const settle = (result: StackResult): void => {
    results.set(result.stack, result);
    options.onResult?.(result);
  };
  const baseOf = (item: Prepared) => ({
    stack: item.stack.name,
    resourcesTotal: countResources(item.stack.json),
    unchecked: item.unchecked,
    uncheckedReason: item.uncheckedReason,
  });

  // Waves: every stack whose upstreams have settled, split into at most `concurrency` commands
  // (Terraform is CPU-bound) of about equal weight, each `terraform test` of those stacks' files.
  for (;;) {
    const waiting = [...prepared.values()].filter((p) => !results.has(p.stack.name));
    if (waiting.length === 0) break;
    const ready = waiting.filter((p) =>
      p.stack.dependsOn.every((dep) => !inRun.has(dep) || results.has(dep)),
    );
    if (ready.length === 0) throw new Error('offline proof: no stack is ready (a cycle?)');
    const wave: Prepared[] = [];
    for (const item of ready) {
      const base = baseOf(item);
      if (!item.checkable) {
        settle({
          ...base,
          status: item.unchecked > 0 ? 'unchecked' : 'not run',
          resourcesApplied: 0,
          uncheckedReason: item.uncheckedReason || 'nothing to check',
          validate: 'not run',
          apply: 'not run',
          seconds: 0,
          output: '',
        });
        continue;
      }
      const blocked = item.stack.dependsOn.filter((dep) => !applied.has(dep));
      if (blocked.length > 0) {
        settle({
          ...base,
          status: 'not run',
          resourcesApplied: 0,
          unchecked: base.resourcesTotal,
          uncheckedReason: blocked
            .map((dep) =>
              inRun.has(dep)
                ? `upstream ${dep} did not pass`
                : `upstream ${dep} is not part of this run`,
            )
            .join('; '),
          validate: 'not run',
          apply: 'not run',
          seconds: 0,
          output: '',
        });
        continue;
      }
      const upstreamOutputs = Object.fromEntries(
        item.stack.remoteStates.map((rs) => [rs.name, applied.get(rs.upstream) ?? {}]),
      );
      writeTestFile(item.stack.name, item.json, upstreamOutputs);
      wave.push(item);
    }
    // A stack's weight: its resources, plus one for the file itself.
    const groups = balancedGroups(
      wave,
      Math.min(concurrency, wave.length),
      (item) => countResources(item.json) + 1,
    );
    // Settled, not raced: a provider crash seen by one command still lets the others finish
    // before the providers are stopped.
    const outcomes = await Promise.allSettled(
      groups.map(async (group) => {
        for (const item of group) options.onStep?.(item.stack.name, 'test');
        const test = await run(
          terraform,
          [
            'test',
            '-json',
            '-verbose',
            '-no-color',
            ...group.map((item) => `-filter=${testFilePath(item.stack.name)}`),
          ],
          rootDir,
          env,
          (timeout ?? COMMAND_TIMEOUT_MS) * group.length,
        );
        const byFile = parseTestJsonByFile(test.stdout);
        for (const item of group) {
          const result = await judge(item, byFile.get(testFilePath(item.stack.name)), test);
          if (result.status === 'passed' || result.status === 'partial') {
            applied.set(item.stack.name, byFile.get(testFilePath(item.stack.name))!.outputs);
          }
          settle(result);
        }
      }),
    );
    const rejected = outcomes.find((o) => o.status === 'rejected');
    if (rejected) throw (rejected as PromiseRejectedResult).reason;
  }

  // A stack passes when its file passed and every resource of it is in the applied state; else
  // `terraform validate` in its own directory says whether the configuration or the apply failed.
  async function judge(
    item: Prepared,
    outcome: TestRunOutcome | undefined,
    test: CommandOutput,
  ): Promise<StackResult> {
    const base = baseOf(item);
    const expected = Object.entries(item.json.resource ?? {}).flatMap(([type, blocks]) =>
      Object.keys(blocks).map((name) => `${type}.${name}`),
    );
    const resources = outcome?.resources ?? [];
    const notCreated = !outcome?.passed
      ? []
      : expected.filter(
          (address) => !resources.some((r) => r === address || r.startsWith(`${address}[`)),
        );
    const tested = outcome?.seconds ?? 0;
    if (outcome?.passed && notCreated.length === 0) {
      return {
        ...base,
        status: item.unchecked > 0 ? 'partial' : 'passed',
        resourcesApplied: resources.length,
        validate: 'passed',
        apply: 'passed',
        seconds: tested,
        output: '',
      };
    }
    const problem = providerProblem(`${test.stdout}${test.stderr}`);
    if (problem) throw problem;
    options.onStep?.(item.stack.name, 'validate');
    const validateStarted = Date.now();
    const validate = await run(terraform, ['validate', '-no-color'], item.dir, env, timeout);
    const seconds = Math.round((tested + (Date.now() - validateStarted) / 1000) * 10) / 10;
    if (validate.status !== 0) {
      return {
        ...base,
        status: 'failed',
        resourcesApplied: 0,
        validate: 'failed',
        apply: 'not run',
        seconds,
        output: `${validate.stdout}${validate.stderr}`,
      };
    }
    if (!outcome) {
      // Its file never ran: the command failed as a whole (another stack of the root that does
      // not load, a timeout). That stack fails in its validate; this one is not proven.
      return {
        ...base,
        status: 'not run',
        resourcesApplied: 0,
        unchecked: base.resourcesTotal,
        uncheckedReason: 'its terraform test command failed before its file ran',
        validate: 'passed',
        apply: 'not run',
        seconds,
        output: `${test.stdout.slice(-4000)}\n${test.stderr}`.trim(),
      };
    }
    const why = notCreated.length > 0 ? `not created: ${notCreated.join(', ')}\n` : '';
    return {
      ...base,
      status: 'failed',
      resourcesApplied: resources.length,
      validate: 'passed',
      apply: 'failed',
      seconds,
      output: `${why}${outcome.diagnostics}\n${test.stderr}`.trim(),
    };
  }

  return ordered.map((s) => results.get(s.name)!);
}

/** The warm-up init's provider links and lock file, in another working directory. */
function linkWarmInit(warmDir: string, dir: string): void {
  cpSync(join(warmDir, '.terraform'), join(dir, '.terraform'), {
    recursive: true,
    verbatimSymlinks: true,
  });
  copyFileSync(join(warmDir, '.terraform.lock.hcl'), join(dir, '.terraform.lock.hcl'));
}

/**
 * Splits `items` into `count` groups of about equal total weight (heaviest first, each to the
 * lightest group so far), keeping the input order inside each group.
 */
export function balancedGroups<T>(
  items: readonly T[],
  count: number,
  weight: (item: T) => number,
): T[][] {
  const groups = Array.from({ length: Math.max(1, count) }, () => ({
    load: 0,
    members: [] as number[],
  }));
  const byWeight = items
    .map((item, index) => ({ index, w: weight(item) }))
    .sort((a, b) => b.w - a.w);
  for (const { index, w } of byWeight) {
    // The lightest group so far; of equal ones, the one with fewer stacks (weights may be 0).
    const lightest = groups.reduce((min, g) =>
      g.load < min.load || (g.load === min.load && g.members.length < min.members.length) ? g : min,
    );
    lightest.load += w;
    lightest.members.push(index);
  }
  return groups
    .filter((g) => g.members.length > 0)
    .map((g) => g.members.sort((a, b) => a - b).map((i) => items[i]));
}

interface Prepared {
  readonly stack: SynthesizedStack;
  readonly json: TerraformJson;
  readonly dir: string;
  readonly unchecked: number;
  readonly uncheckedReason: string;
  readonly removedOutputs: readonly string[];
  /** False when nothing is left once unavailable providers are pruned. */
  readonly checkable: boolean;
}

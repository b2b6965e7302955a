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
import { terraformEnvironment } from '../terraform';
import { providerBinary, type ProviderServer, startProviderServer } from './provider-server';
import { pruneUnavailable } from './prune';
import { dependencyOrder, type SynthesizedStack, type TerraformJson } from './stacks';
import { type StateOutput, testFile, workingCopy } from './tftest';

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
  /** Longest a single Terraform command may run. @default 300 s */
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
  timeoutMs = 300_000,
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
}

/** Reads `terraform test -json -verbose`: run status, the applied state's outputs and resources. */
export function parseTestJson(stdout: string): TestRunOutcome {
  let passed = false;
  let outputs: Record<string, StateOutput> = {};
  let resources: string[] = [];
  const diagnostics: string[] = [];
  for (const line of stdout.split('\n')) {
    if (!line.startsWith('{')) continue;
    const message = JSON.parse(line) as Record<string, unknown>;
    const type = message.type;
    if (type === 'test_state') {
      const state = message.test_state as {
        outputs?: Record<string, StateOutput>;
        root_module?: { resources?: { address: string; mode: string }[] };
      };
      outputs = state.outputs ?? {};
      resources = (state.root_module?.resources ?? [])
        .filter((r) => r.mode === 'managed')
        .map((r) => r.address);
    } else if (type === 'test_summary') {
      passed = (message.test_summary as { status?: string }).status === 'pass';
    } else if (type === 'diagnostic' || message['@level'] === 'error') {
      const diagnostic = message.diagnostic as { summary?: string; detail?: string } | undefined;
      diagnostics.push(
        diagnostic
          ? `${diagnostic.summary ?? ''}: ${diagnostic.detail ?? ''}`.trim()
          : String(message['@message']),
      );
    }
  }
  return { passed, outputs, resources, diagnostics: diagnostics.join('\n') };
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

  // One `terraform init -backend=false` for the run, against the mirror (or the registry), into
  // the shared plugin cache: a failed install is reported before any stack runs, and no
  // provider is copied twice.
  const usable = [...required].filter((p) => available.has(p));
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
  try {
    if (options.shareProviders ?? true) {
      for (const provider of usable) {
        const binary =
          options.providerBinaries?.[provider] ??
          providerBinary(join(warmDir, '.terraform'), provider);
        if (binary) servers.push(await startProviderServer(provider, binary));
      }
    }
    if (servers.length > 0) {
      env.TF_REATTACH_PROVIDERS = JSON.stringify(
        Object.fromEntries(servers.map((server) => [server.address, server.reattach])),
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
    await Promise.all(servers.map((server) => server.stop()));
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
  const slots = createSlots(concurrency);
  const timeout = options.commandTimeoutMs;

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
    mkdirSync(join(dir, 'tests'), { recursive: true });
    writeFileSync(join(dir, 'cdk.tf.json'), JSON.stringify(json, null, 2));
    // Initialized once for the whole run (the warm-up init): each stack gets its provider links
    // and lock file. A per-stack init would reinstall into the shared cache and race.
    if (existsSync(join(warmDir, '.terraform'))) {
      cpSync(join(warmDir, '.terraform'), join(dir, '.terraform'), {
        recursive: true,
        verbatimSymlinks: true,
      });
      copyFileSync(join(warmDir, '.terraform.lock.hcl'), join(dir, '.terraform.lock.hcl'));
    }
    prepared.set(stack.name, {
      stack,
      json,
      dir,
      unchecked,
      uncheckedReason,
      removedOutputs: pruned.removedOutputs,
      checkable: countResources(json) > 0 || Object.keys(json.output ?? {}).length > 0,
    });
  }

  // Each stack once its upstreams have applied: `terraform test`, the mocked apply fed their
  // outputs. It validates the configuration first, against the real provider (the core's
  // schema checks and the provider's own validators alike), so a separate `terraform validate`
  // runs only when the test fails, to say which step it failed in.
  const applied = new Map<string, Record<string, StateOutput>>();
  const results = new Map<string, Promise<StackResult>>();
  for (const item of prepared.values()) {
    const { stack, json, dir, unchecked, uncheckedReason, checkable } = item;
    const total = countResources(stack.json);
    const base = { stack: stack.name, resourcesTotal: total, unchecked, uncheckedReason };
    const upstreamResults = stack.dependsOn.filter((d) => inRun.has(d)).map((d) => results.get(d)!);
    results.set(
      stack.name,
      (async (): Promise<StackResult> => {
        await Promise.all(upstreamResults);
        if (!checkable) {
          return {
            ...base,
            status: unchecked > 0 ? 'unchecked' : 'not run',
            resourcesApplied: 0,
            uncheckedReason: uncheckedReason || 'nothing to check',
            validate: 'not run',
            apply: 'not run',
            seconds: 0,
            output: '',
          };
        }
        const blocked = stack.dependsOn.filter((dep) => !applied.has(dep));
        if (blocked.length > 0) {
          return {
            ...base,
            status: 'not run',
            resourcesApplied: 0,
            unchecked: total,
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
          };
        }
        const upstreamOutputs = Object.fromEntries(
          stack.remoteStates.map((rs) => [rs.name, applied.get(rs.upstream) ?? {}]),
        );
        writeFileSync(
          join(dir, 'tests', 'offline.tftest.hcl'),
          testFile({ json, upstreamOutputs, ...providerOfJson(json) }),
        );
        // Seconds Terraform ran for this stack, not the wait for a free slot.
        let started = 0;
        const test = await slots.run('high', () => {
          started = Date.now();
          options.onStep?.(stack.name, 'test');
          return run(terraform, ['test', '-json', '-verbose', '-no-color'], dir, env, timeout);
        });
        const tested = elapsed(started);
        const outcome = parseTestJson(test.stdout);
        const expected = Object.entries(json.resource ?? {}).flatMap(([type, blocks]) =>
          Object.keys(blocks).map((name) => `${type}.${name}`),
        );
        const notCreated = !outcome.passed
          ? []
          : expected.filter(
              (address) =>
                !outcome.resources.some((r) => r === address || r.startsWith(`${address}[`)),
            );
        if (test.status === 0 && outcome.passed && notCreated.length === 0) {
          applied.set(stack.name, outcome.outputs);
          return {
            ...base,
            status: unchecked > 0 ? 'partial' : 'passed',
            resourcesApplied: outcome.resources.length,
            validate: 'passed',
            apply: 'passed',
            seconds: tested,
            output: '',
          };
        }
        let validateStarted = 0;
        const problem = providerProblem(`${test.stdout}${test.stderr}`);
        if (problem) throw problem;
        const validate = await slots.run('high', () => {
          validateStarted = Date.now();
          options.onStep?.(stack.name, 'validate');
          return run(terraform, ['validate', '-no-color'], dir, env, timeout);
        });
        const seconds = Math.round((tested + elapsed(validateStarted)) * 10) / 10;
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
        const why = notCreated.length > 0 ? `not created: ${notCreated.join(', ')}\n` : '';
        return {
          ...base,
          status: 'failed',
          resourcesApplied: outcome.resources.length,
          validate: 'passed',
          apply: 'failed',
          seconds,
          output: `${why}${outcome.diagnostics}\n${test.stderr}`.trim(),
        };
      })().then((result) => {
        options.onResult?.(result);
        return result;
      }),
    );
  }
  return Promise.all(ordered.map((s) => results.get(s.name)!));
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

function elapsed(started: number): number {
  return Math.round((Date.now() - started) / 100) / 10;
}

/**
 * At most `limit` Terraform processes at once (they are CPU-bound). Waiting 'high' tasks start
 * before 'low' ones. The proof now queues everything as 'high' (its validations run only after a
 * failed test, in the same chain), so the lanes are kept for a task that may wait its turn.
 */
export function createSlots(limit: number): {
  run<T>(priority: 'high' | 'low', task: () => Promise<T>): Promise<T>;
} {
  let active = 0;
  const queues: Record<'high' | 'low', (() => void)[]> = { high: [], low: [] };
  const next = (): void => {
    if (active >= limit) return;
    const start = queues.high.shift() ?? queues.low.shift();
    if (start) {
      active++;
      start();
    }
  };
  return {
    run<T>(priority: 'high' | 'low', task: () => Promise<T>): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        queues[priority].push(() => {
          task()
            .then(resolve, reject)
            .finally(() => {
              active--;
              next();
            });
        });
        next();
      });
    },
  };
}

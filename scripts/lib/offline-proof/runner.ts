import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { terraformEnvironment } from '../terraform';
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
  readonly onResult?: (result: StackResult) => void;
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
): Promise<CommandOutput> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', reject);
    child.on('close', (status) =>
      resolve({
        status,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      }),
    );
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

  // Fill the plugin cache once, so a failed install is reported before any stack runs.
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
        `terraform init could not install the providers:\n${warm.stdout}${warm.stderr}`,
      );
    }
  }

  // Without a lock file, Terraform >= 1.4 installs into the cache again on every init, and two
  // concurrent inits collide on the same directory. Inits take ~0.6 s: run them one at a time.
  // (Copying a lock file in would avoid the reinstall but costs a hash of the 700 MB provider.)
  let initQueue: Promise<unknown> = Promise.resolve();
  const serialized = <T>(task: () => Promise<T>): Promise<T> => {
    const next = initQueue.then(task, task);
    initQueue = next.catch(() => undefined);
    return next;
  };

  const results = new Map<string, StackResult>();
  const applied = new Map<
    string,
    { outputs: Record<string, StateOutput>; removedOutputs: readonly string[] }
  >();
  const inRun = new Set(ordered.map((s) => s.name));

  const proveStack = async (stack: SynthesizedStack): Promise<StackResult> => {
    const started = Date.now();
    const seconds = (): number => Math.round((Date.now() - started) / 100) / 10;
    const total = countResources(stack.json);
    const base = { stack: stack.name, resourcesTotal: total, resourcesApplied: 0 };

    const blocked = stack.dependsOn.filter((dep) => !applied.has(dep));
    if (blocked.length > 0) {
      return {
        ...base,
        status: 'not run',
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

    const missingUpstream = stack.remoteStates.flatMap((rs) =>
      (applied.get(rs.upstream)?.removedOutputs ?? []).map(
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

    const dir = join(options.workDir, stack.name);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(join(dir, 'tests'), { recursive: true });
    const json = workingCopy(pruned.json);
    writeFileSync(join(dir, 'cdk.tf.json'), JSON.stringify(json, null, 2));
    const upstreamOutputs = Object.fromEntries(
      stack.remoteStates.map((rs) => [rs.name, applied.get(rs.upstream)?.outputs ?? {}]),
    );
    writeFileSync(
      join(dir, 'tests', 'offline.tftest.hcl'),
      testFile({ json, upstreamOutputs, ...providerOfJson(json) }),
    );

    const fail = (
      step: 'validate' | 'apply',
      output: string,
      resourcesApplied = 0,
    ): StackResult => ({
      ...base,
      resourcesApplied,
      status: 'failed',
      unchecked,
      uncheckedReason,
      validate: step === 'validate' ? 'failed' : 'passed',
      apply: step === 'validate' ? 'not run' : 'failed',
      seconds: seconds(),
      output,
    });

    if (countResources(json) === 0 && Object.keys(json.output ?? {}).length === 0) {
      return {
        ...base,
        // Only providers we cannot install: reported, never passed. An empty stack is a mistake.
        status: unchecked > 0 ? 'unchecked' : 'not run',
        unchecked,
        uncheckedReason: uncheckedReason || 'nothing to check',
        validate: 'not run',
        apply: 'not run',
        seconds: seconds(),
        output: '',
      };
    }

    const init = await serialized(() =>
      run(terraform, ['init', '-backend=false', '-input=false', '-no-color'], dir, env),
    );
    if (init.status !== 0)
      return fail('validate', `terraform init failed:\n${init.stdout}${init.stderr}`);
    const validate = await run(terraform, ['validate', '-no-color'], dir, env);
    if (validate.status !== 0) return fail('validate', `${validate.stdout}${validate.stderr}`);
    const test = await run(terraform, ['test', '-json', '-verbose', '-no-color'], dir, env);
    const outcome = parseTestJson(test.stdout);
    const expected = Object.entries(json.resource ?? {}).flatMap(([type, blocks]) =>
      Object.keys(blocks).map((name) => `${type}.${name}`),
    );
    const notCreated = !outcome.passed
      ? []
      : expected.filter(
          (address) => !outcome.resources.some((r) => r === address || r.startsWith(`${address}[`)),
        );
    if (test.status !== 0 || !outcome.passed || notCreated.length > 0) {
      const why = notCreated.length > 0 ? `not created: ${notCreated.join(', ')}\n` : '';
      return fail(
        'apply',
        `${why}${outcome.diagnostics}\n${test.stderr}`.trim(),
        outcome.resources.length,
      );
    }
    applied.set(stack.name, { outputs: outcome.outputs, removedOutputs: pruned.removedOutputs });
    return {
      ...base,
      status: unchecked > 0 ? 'partial' : 'passed',
      resourcesApplied: outcome.resources.length,
      unchecked,
      uncheckedReason,
      validate: 'passed',
      apply: 'passed',
      seconds: seconds(),
      output: '',
    };
  };

  // Schedule: start any stack whose upstreams are finished, up to `concurrency` at once.
  const concurrency = Math.max(1, options.concurrency ?? availableParallelism());
  const pending = [...ordered];
  const running = new Map<string, Promise<void>>();
  while (pending.length > 0 || running.size > 0) {
    const readyIndex = pending.findIndex((s) =>
      s.dependsOn.every((d) => results.has(d) || !inRun.has(d)),
    );
    if (readyIndex >= 0 && running.size < concurrency) {
      const [stack] = pending.splice(readyIndex, 1);
      const task = proveStack(stack).then((result) => {
        results.set(stack.name, result);
        running.delete(stack.name);
        options.onResult?.(result);
      });
      running.set(stack.name, task);
      continue;
    }
    await Promise.race(running.values());
  }
  return ordered.map((s) => results.get(s.name)!);
}

/**
 * `npm run bench [-- --runs N]`: what a developer waits for, each figure the median of N runs
 * (default 3) beside its goal. Exits 1 if a goal is missed. `npm run bench:synth` (`--synth`)
 * measures the synth rows only, without Terraform.
 *
 * - the README's synth (`npm run synth`, the app itself) and, for reference, the cdktf CLI's;
 * - loading `@cdktf/provider-aws` from its package root, which the synth must stay below (why
 *   every resource is imported from its own path);
 * - the offline proof (`npm run plan:offline`): its wall time and each stack's seconds.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NO_PROVIDER_MIRROR, resolveProviderMirror } from './find-provider-mirror';
import { childEnvironment } from '../lib/terraform';
import { planOffline } from './plan-offline';
import { REPO_ROOT } from '../lib/root';

const BIN = join(REPO_ROOT, 'node_modules', '.bin');
const PROOF_GOAL_SECONDS = 20;

/** How many stacks the last `npm run synth` said it wrote. */
let synthesizedStacks = 0;

function seconds(command: string, args: string[], env: NodeJS.ProcessEnv = {}): number {
  const outdir = mkdtempSync(join(tmpdir(), 'bench-'));
  const started = process.hrtime.bigint();
  const result = spawnSync(command, args, {
    cwd: REPO_ROOT,
    env: childEnvironment(process.env, { CDKTF_OUTDIR: join(outdir, 'out'), ...env }),
    encoding: 'utf8',
  });
  const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
  rmSync(outdir, { recursive: true, force: true });
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} failed (${result.status}):\n${result.stderr}`);
  }
  synthesizedStacks = Number(
    /Synthesized (\d+) stacks/.exec(result.stdout)?.[1] ?? synthesizedStacks,
  );
  return elapsed;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

interface Row {
  readonly what: string;
  readonly values: readonly number[];
  readonly goal: string;
  /** Undefined: a reference figure, no goal of its own. */
  readonly met?: boolean;
}

async function main(argv: string[]): Promise<number> {
  const runsAt = argv.indexOf('--runs');
  const runs = runsAt >= 0 ? Number(argv[runsAt + 1]) : 3;
  const synthOnly = argv.includes('--synth');
  // The same mirror as npm run plan:offline and npm test; the synth rows need none.
  if (!synthOnly && !process.env.TF_PROVIDER_MIRROR) {
    console.log('looking for a provider mirror (TF_PROVIDER_MIRROR is not set)…');
  }
  const mirror = synthOnly ? undefined : resolveProviderMirror();
  if (!mirror && !synthOnly) {
    console.error(
      `bench: ${NO_PROVIDER_MIRROR}; or run npm run bench:synth for the synth rows only.`,
    );
    return 1;
  }
  const app: number[] = [];
  const cli: number[] = [];
  const root: number[] = [];
  const proof: number[] = [];
  const perStack = new Map<string, number[]>();
  for (let i = 1; i <= runs; i++) {
    process.stdout.write(`run ${i} of ${runs}: npm run synth`);
    app.push(seconds('npm', ['run', '-s', 'synth']));
    process.stdout.write(', cdktf synth');
    cli.push(seconds(join(BIN, 'cdktf'), ['synth', '--output', join(tmpdir(), `bench-cli-${i}`)]));
    rmSync(join(tmpdir(), `bench-cli-${i}`), { recursive: true, force: true });
    process.stdout.write(', provider root import');
    root.push(seconds(process.execPath, ['-e', "require('@cdktf/provider-aws')"]));
    if (synthOnly || !mirror) {
      console.log();
      continue;
    }
    process.stdout.write(', offline proof');
    const run = await planOffline({ providerMirror: mirror });
    if (!run.ok) {
      console.error(`\nthe offline proof failed:\n${run.report}`);
      return 1;
    }
    proof.push(run.wallSeconds);
    for (const result of run.results) {
      perStack.set(result.stack, [...(perStack.get(result.stack) ?? []), result.seconds]);
    }
    console.log(`: ${run.wallSeconds.toFixed(1)} s`);
  }

  const loadRoot = median(root);
  const rows: Row[] = [
    {
      what: `npm run synth (the app), ${synthesizedStacks} stacks`,
      values: app,
      goal: `< provider root import (${loadRoot.toFixed(2)} s)`,
      met: median(app) < loadRoot,
    },
    { what: 'cdktf synth (CLI), same output', values: cli, goal: 'reference' },
    { what: 'load @cdktf/provider-aws from its root', values: root, goal: 'reference' },
    ...(synthOnly
      ? []
      : [
          {
            what: 'offline proof, wall',
            values: proof,
            goal: `< ${PROOF_GOAL_SECONDS} s`,
            met: median(proof) < PROOF_GOAL_SECONDS,
          },
        ]),
    ...[...perStack.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([stack, values]) => ({
        what: `  ${stack} (terraform test)`,
        values,
        goal: 'reference',
      })),
  ];
  const table = [
    ['what', 'median s', `runs (${runs})`, 'goal', 'met'],
    ...rows.map((row) => [
      row.what,
      median(row.values).toFixed(2),
      row.values.map((v) => v.toFixed(2)).join(', '),
      row.goal,
      row.met === undefined ? '' : row.met ? 'yes' : 'NO',
    ]),
  ];
  const widths = table[0].map((_, c) => Math.max(...table.map((r) => r[c].length)));
  const line = (r: string[]) =>
    r
      .map((cell, c) => cell.padEnd(widths[c]))
      .join('  ')
      .trimEnd();
  console.log(
    `\n${[line(table[0]), line(widths.map((w) => '-'.repeat(w))), ...table.slice(1).map(line)].join('\n')}`,
  );
  const missed = rows.filter((row) => row.met === false);
  console.log(
    missed.length === 0
      ? `\nbench: every goal met (${runs} runs each)`
      : `\nbench: ${missed.map((r) => r.what.trim()).join('; ')} missed the goal: run it again on an idle machine (timings vary ±30%), then look at what changed`,
  );
  return missed.length === 0 ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`bench failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);

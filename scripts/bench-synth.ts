/**
 * `npm run bench:synth`: times a synth of every stack of every environment against the time
 * Node takes merely to load `@cdktf/provider-aws` from its package root (which is why every
 * resource is imported from its own path). Median of N runs each (default 3, `--runs N`).
 * Exits 1 if the full synth is not faster.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..');
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');

function timeCommand(command: string, args: string[], env: NodeJS.ProcessEnv = {}): number {
  const start = process.hrtime.bigint();
  const result = spawnSync(command, args, {
    cwd: ROOT,
    env: { ...process.env, CHECKPOINT_DISABLE: '1', ...env },
    encoding: 'utf8',
  });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} failed (${result.status}):\n${result.stderr}`);
  }
  return seconds;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function main(): void {
  const runsFlag = process.argv.indexOf('--runs');
  const runs = runsFlag >= 0 ? Number(process.argv[runsFlag + 1]) : 3;
  const loads: number[] = [];
  const synths: number[] = [];
  for (let i = 0; i < runs; i++) {
    loads.push(timeCommand(process.execPath, ['-e', "require('@cdktf/provider-aws')"]));
    const outdir = mkdtempSync(join(tmpdir(), 'bench-synth-'));
    try {
      synths.push(timeCommand(TSX, ['main.ts'], { CDKTF_OUTDIR: join(outdir, 'out') }));
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  }
  const load = median(loads);
  const synth = median(synths);
  const format = (values: number[]): string => values.map((v) => v.toFixed(2)).join(', ');
  console.log(
    `load @cdktf/provider-aws from its root: median ${load.toFixed(2)} s (${format(loads)})`,
  );
  console.log(
    `synthesize every stack of every env:    median ${synth.toFixed(2)} s (${format(synths)})`,
  );
  console.log(`ratio synth / root load: ${(synth / load).toFixed(2)}`);
  if (synth >= load) {
    console.error('FAIL: the full synth is slower than loading the provider package root.');
    process.exit(1);
  }
}

main();

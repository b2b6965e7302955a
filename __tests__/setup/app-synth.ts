/**
 * The whole app, synthesized once per run (vitest globalSetup) exactly as `npm run synth` does it:
 * `main.ts` as a process, every environment, into the run's temporary directory. Test files that
 * read the synthesized stacks as Terraform sees them take its directory with `inject('app')`
 * instead of synthesizing the app again (it took 3 to 5 s of CPU each time, a dozen times a run).
 * Tests that need the construct objects, or a changed config, still build their own.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { runCommand } from '../helpers/process';

export interface SynthesizedApp {
  /** The `cdktf.out`-like directory: `stacks/<stack>/cdk.tf.json`, `manifest.json`. */
  readonly outdir: string;
  /** What `main.ts` printed (its closing line). */
  readonly stdout: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    app: SynthesizedApp;
  }
}

export default async function setup(project: TestProject): Promise<() => void> {
  const dir = mkdtempSync(join(tmpdir(), 'app-'));
  const outdir = join(dir, 'out');
  // tsx's loader in one process, as `npm run synth` (tsx main.ts) runs the app.
  const { status, stdout, stderr } = await runCommand(
    process.execPath,
    ['--import', 'tsx', 'main.ts'],
    { env: { ...process.env, CHECKPOINT_DISABLE: '1', CDKTF_OUTDIR: outdir } },
  );
  if (status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(
      `the app did not synthesize (main.ts exited ${status}); every test that reads it would fail. Run npm run synth to see why:\n${stderr.trim()}`,
    );
  }
  project.provide('app', { outdir, stdout });
  return () => rmSync(dir, { recursive: true, force: true });
}

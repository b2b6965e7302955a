/**
 * The whole app, synthesized once per run (vitest globalSetup) exactly as `npm run synth` does it:
 * `main.ts` as a process, every environment, into the run's temporary directory. Test files that
 * read the synthesized stacks as Terraform sees them take its directory with `inject('app')`
 * instead of synthesizing the app again (it took 3 to 5 s of CPU each time, a dozen times a run).
 * Tests that need the construct objects, or a changed config, still build their own.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { TestProject } from 'vitest/node';

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

const ROOT = resolve(__dirname, '..', '..');

export default async function setup(project: TestProject): Promise<() => void> {
  const dir = mkdtempSync(join(tmpdir(), 'app-'));
  const outdir = join(dir, 'out');
  const { code, stdout, stderr } = await new Promise<{
    code: number | null;
    stdout: string;
    stderr: string;
  }>((done, fail) => {
    // tsx's loader in one process, as `npm run synth` (tsx main.ts) runs the app.
    const child = spawn(process.execPath, ['--import', 'tsx', 'main.ts'], {
      cwd: ROOT,
      env: { ...process.env, CHECKPOINT_DISABLE: '1', CDKTF_OUTDIR: outdir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
    child.on('error', fail);
    child.on('close', (status) => done({ code: status, stdout: out, stderr: err }));
  });
  if (code !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(
      `the app did not synthesize (main.ts exited ${code}); every test that reads it would fail. Run npm run synth to see why:\n${stderr.trim()}`,
    );
  }
  project.provide('app', { outdir, stdout });
  return () => rmSync(dir, { recursive: true, force: true });
}

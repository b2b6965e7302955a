import { spawn } from 'node:child_process';
import { ROOT } from './paths';

export interface ScriptRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  /** @default the repository root */
  readonly cwd?: string;
  /** @default process.env */
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * A command run to its end, its output kept. Asynchronous, never `spawnSync`: a blocked worker
 * cannot answer vitest, whose calls to it time out after 60 s on a busy machine ("Timeout calling
 * onTaskUpdate"), and a test file's own servers keep answering while it runs.
 */
export function runCommand(
  command: string,
  args: readonly string[],
  options: RunOptions = {},
): Promise<ScriptRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, [...args], {
      cwd: options.cwd ?? ROOT,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/**
 * `tsx scripts/<script> …args` from the repository root, as a person or a workflow runs it: with
 * tsx's loader in the one process (`node --import tsx`), as its CLI runs it in a second one, which
 * saves a Node.js start (about 0.3 s of CPU) per run. Runs go side by side.
 */
export function runScript(script: string, ...args: string[]): Promise<ScriptRun> {
  return runCommand(process.execPath, ['--import', 'tsx', `scripts/${script}`, ...args]);
}

import { spawn } from 'node:child_process';
import { ROOT, TSX } from './paths';

export interface ScriptRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * `tsx scripts/<script> …args` from the repository root, as a person or a workflow runs it.
 * Asynchronous: runs go side by side, and a test file's own servers (the smoke check's) keep
 * answering while it runs, which a blocking spawn would freeze.
 */
export function runScript(script: string, ...args: string[]): Promise<ScriptRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(TSX, [`scripts/${script}`, ...args], { cwd: ROOT });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

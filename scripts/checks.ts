/**
 * `npm run checks`: the typecheck, lint, format check and workflow lint (actionlint), side by side.
 * `npm test` runs them after vitest (scripts/test.ts): about 55 s of CPU on a fresh clone. Prints
 * one line per check and a summary; exits 1, with the failing tools' own output, if any fails.
 */
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..');
const CHECKS: readonly (readonly [name: string, tool: string, args: readonly string[]])[] = [
  ['typecheck', 'tsc', ['--noEmit']],
  ['lint', 'eslint', ['.', '--max-warnings', '0']],
  ['format', 'prettier', ['--check', '.']],
  ['workflows', 'tsx', ['scripts/lint-workflows.ts']],
];

export interface Outcome {
  readonly name: string;
  readonly ok: boolean;
  readonly seconds: number;
  readonly output: string;
}

function check(
  [name, tool, args]: (typeof CHECKS)[number],
  log: (line: string) => void,
): Promise<Outcome> {
  const started = Date.now();
  return new Promise((done) => {
    const child = spawn(join(ROOT, 'node_modules', '.bin', tool), [...args], { cwd: ROOT });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    const finish = (ok: boolean, extra = ''): void => {
      const seconds = (Date.now() - started) / 1000;
      log(`  ${name.padEnd(9)} ${ok ? 'passed' : 'FAILED'}  ${seconds.toFixed(1)} s`);
      done({ name, ok, seconds, output: output + extra });
    };
    child.on('error', (error) => finish(false, error.message));
    child.on('close', (code) => finish(code === 0));
  });
}

/** Runs every check side by side; `log` gets a line per check as it ends, then a summary. */
export async function runChecks(log: (line: string) => void = console.log): Promise<Outcome[]> {
  const started = Date.now();
  log(`checks: ${CHECKS.map(([name]) => name).join(', ')}, side by side`);
  const outcomes = await Promise.all(CHECKS.map((c) => check(c, log)));
  const failed = outcomes.filter((o) => !o.ok);
  for (const outcome of failed) log(`\n--- ${outcome.name}\n${outcome.output.trim()}`);
  const wall = ((Date.now() - started) / 1000).toFixed(1);
  log(
    failed.length === 0
      ? `checks: all ${outcomes.length} passed in ${wall} s`
      : `checks: ${failed.map((o) => o.name).join(', ')} FAILED (output above). One alone: npm run typecheck, npm run lint, npm run format:check or npm run lint:workflows; npm run format rewrites the formatting.`,
  );
  return outcomes;
}

if (require.main === module) {
  runChecks().then((outcomes) => process.exit(outcomes.every((o) => o.ok) ? 0 : 1));
}

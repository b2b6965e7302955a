/**
 * `npm test [-- vitest args]`: the checks (typecheck, lint, format, workflow lint: scripts/checks.ts)
 * and vitest, side by side. In a row they took 63 s on the 2-core machines; side by side 56 s.
 * Vitest's output streams as it runs; the checks' follows it. The closing line counts both:
 * each check is one more test, `N passed, N failed`. Exits 1 if either fails.
 */
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { runChecks } from './checks';

const ROOT = resolve(__dirname, '..');

/** Runs vitest, its output streamed as it comes and kept for the count. */
function vitest(args: string[]): Promise<{ code: number; output: string }> {
  const child = spawn(join(ROOT, 'node_modules', '.bin', 'vitest'), ['run', ...args], {
    cwd: ROOT,
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
  const lines: string[] = [];
  const [checks, tests] = await Promise.all([runChecks((line) => lines.push(line)), vitest(argv)]);
  console.log(`\n${lines.join('\n')}`);
  const counts = /^(\d+) passed, (\d+) failed/m.exec(tests.output);
  if (!counts) console.error('npm test: vitest printed no result line (see its output above)');
  const passed = Number(counts?.[1] ?? 0) + checks.filter((c) => c.ok).length;
  const failed = Number(counts?.[2] ?? 0) + checks.filter((c) => !c.ok).length + (counts ? 0 : 1);
  console.log(`\n${passed} passed, ${failed} failed`);
  return tests.code !== 0 || failed > 0 ? 1 : 0;
}

main(process.argv.slice(2)).then((code) => process.exit(code));

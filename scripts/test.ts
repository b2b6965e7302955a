/**
 * `npm test [-- vitest args]`: the checks (typecheck, lint, format, workflow lint: scripts/checks.ts)
 * and vitest, side by side. In a row they took 63 s on the 2-core machines; side by side 56 s.
 * Vitest's output streams as it runs; the checks' follows it. The closing line counts both:
 * each check is one more test, `N passed, N failed`. Exits 1 if either fails.
 *
 * The run works in a temporary directory of its own (`TMPDIR` for everything it starts), and
 * one more check asserts that the run leaves it as it found it: empty, but for tsx's cache.
 */
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
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

/** What the run left in its temporary directory: anything but the workers' (emptied) and tsx's. */
export function leftInTemp(root: string): string[] {
  return readdirSync(root, { withFileTypes: true }).flatMap((entry) => {
    if (/^tsx-\d+$/.test(entry.name)) return [];
    if (entry.isDirectory() && entry.name.startsWith('worker-')) {
      return readdirSync(join(root, entry.name))
        .filter((inner) => !/^tsx-\d+$/.test(inner))
        .map((inner) => `${entry.name}/${inner}`);
    }
    return [entry.name];
  });
}

async function main(argv: string[]): Promise<number> {
  const lines: string[] = [];
  const root = mkdtempSync(join(tmpdir(), 'platform-test-'));
  // PostgreSQL runs as its own user (runuser, when the run is root's): it must reach its directory.
  chmodSync(root, 0o711);
  process.env.TMPDIR = root;
  const [checks, tests] = await Promise.all([runChecks((line) => lines.push(line)), vitest(argv)]);
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
  if (!counts) console.error('npm test: vitest printed no result line (see its output above)');
  const outcomes = [...checks, temp];
  const passed = Number(counts?.[1] ?? 0) + outcomes.filter((c) => c.ok).length;
  const failed = Number(counts?.[2] ?? 0) + outcomes.filter((c) => !c.ok).length + (counts ? 0 : 1);
  console.log(`\n${passed} passed, ${failed} failed`);
  return tests.code !== 0 || failed > 0 ? 1 : 0;
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => process.exit(code));
}

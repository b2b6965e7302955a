/**
 * The README and docs/ as a newcomer reads them: the first screen holds the two commands and the
 * diagram, every npm script is described in exactly one command table (grouped by who runs it),
 * and every path they name exists.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import packageJson from '../package.json';
import { ROOT } from './helpers/paths';

const read = (file: string): string => readFileSync(join(ROOT, file), 'utf8');
const DOCS = ['README.md', ...readdirSync(join(ROOT, 'docs')).map((f) => `docs/${f}`)].filter((f) =>
  f.endsWith('.md'),
);

/** The npm script each row of a command table names (a table whose first column is `command` or `script`). */
export function commandRows(markdown: string): string[] {
  const scripts: string[] = [];
  let inTable = false;
  for (const line of markdown.split('\n')) {
    if (!line.startsWith('|')) {
      inTable = false;
      continue;
    }
    const first = line.split('|')[1]?.trim() ?? '';
    if (/^(command|script)$/.test(first)) {
      inTable = true;
      continue;
    }
    if (!inTable || /^-+$/.test(first)) continue;
    const named = /^`npm (?:test\b|run (?:-s )?([\w:-]+))/.exec(first);
    scripts.push(named ? (named[1] ?? 'test') : `not an npm script: ${first}`);
  }
  return scripts;
}

describe('README.md', () => {
  const lines = read('README.md').trimEnd().split('\n');

  it('fits a screen: what the project is, the two commands, the stack diagram', () => {
    expect(lines.length).toBeLessThanOrEqual(50);
    const commands = lines.slice(0, 15).join('\n');
    expect(commands).toMatch(/^npm ci && npm run synth +# /m);
    expect(commands).toMatch(/^npm test +# /m);
    expect(lines).toContain('```mermaid');
  });

  it('links each audience to its doc', () => {
    const text = lines.join('\n');
    for (const doc of ['operate.md', 'delivery.md', 'develop.md', 'testing.md']) {
      expect(text).toContain(`](docs/${doc})`);
    }
  });
});

describe('docs/', () => {
  it('describes every npm script in exactly one command table', () => {
    const seen = new Map<string, string[]>();
    for (const doc of DOCS) {
      for (const script of commandRows(read(doc)))
        seen.set(script, [...(seen.get(script) ?? []), doc]);
    }
    const problems: string[] = [];
    for (const script of Object.keys(packageJson.scripts)) {
      const where = seen.get(script) ?? [];
      if (where.length !== 1)
        problems.push(`${script}: in ${where.length} tables (${where.join(', ')})`);
    }
    for (const script of seen.keys()) {
      if (!(script in packageJson.scripts)) problems.push(`${script}: no such npm script`);
    }
    expect(problems).toEqual([]);
  });

  it('reads a command table as the scripts its rows name', () => {
    const table = [
      '| command | what |',
      '| --- | --- |',
      '| `npm test` | all |',
      '| `npm run -s ci:env -- <env>` | env |',
      '| `npx cdktf list` | stacks |',
      '',
      '| flag | what |',
      '| `npm run synth` | not a command table |',
    ].join('\n');
    expect(commandRows(table)).toEqual(['test', 'ci:env', 'not an npm script: `npx cdktf list`']);
  });

  it('names only paths that exist: the docs any of the tree, the code its scripts and tests', () => {
    const named = (text: string, roots: string): string[] =>
      [
        ...text.matchAll(
          new RegExp(`(?<![\\w./-])((?:${roots})/[\\w./-]+\\.(?:ts|md|json|yml|mjs))\\b`, 'g'),
        ),
      ].map((m) => m[1] ?? '');
    const code = ['scripts', '__tests__', 'constructs', 'stacks', 'environments'].flatMap((dir) =>
      readdirSync(join(ROOT, dir), { recursive: true, encoding: 'utf8' })
        .filter((f) => f.endsWith('.ts'))
        // These two name files that are not there on purpose: examples to lint, paths to check.
        .filter((f) => !['docs.test.ts', 'eslint-config.test.ts'].includes(f))
        .map((f) => `${dir}/${f}`),
    );
    // Files named on purpose that the tree does not hold.
    const examples = new Set([
      'docs/environments.md: environments/staging.ts', // the file a third environment adds
    ]);
    const missing: string[] = [];
    const check = (file: string, paths: string[]) => {
      for (const path of paths) {
        const where = `${file}: ${path}`;
        if (!existsSync(join(ROOT, path)) && !examples.has(where)) missing.push(where);
      }
    };
    for (const doc of DOCS) {
      check(doc, named(read(doc), 'scripts|__tests__|constructs|stacks|environments|apps|docs'));
    }
    for (const file of [...code, 'main.ts', 'vitest.config.ts', '.ci/run']) {
      check(
        file,
        named(read(file), 'scripts|__tests__/(?:scripts|support|github|setup|helpers|fixtures)'),
      );
    }
    expect(missing).toEqual([]);
  });
  it('links only to files that exist', () => {
    const broken: string[] = [];
    for (const doc of DOCS) {
      for (const [, target] of read(doc).matchAll(/\]\(([^)\s]+)\)/g)) {
        // A link to a file of ours: a relative path (a table's regex is not a link).
        if (!target || !/^[\w./-]+(#[\w-]*)?$/.test(target)) continue;
        const file = target.split('#')[0];
        if (!file) continue;
        if (!existsSync(join(ROOT, dirname(doc), file))) broken.push(`${doc}: ${target}`);
      }
    }
    expect(broken).toEqual([]);
  });
});

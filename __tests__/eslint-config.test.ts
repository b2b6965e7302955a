/**
 * The import rules of eslint.config.mjs, as `npm run lint` applies them: the repository's own
 * config, files named as if they sat in the tree.
 */
import { join } from 'node:path';
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from './helpers/paths';

const PROVIDER_AWS = ['@cdktf', 'provider-aws'].join('/');

let eslint: ESLint;

/** The rule and message of every problem ESLint reports for `code` at `file`. */
async function problems(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(ROOT, file) });
  return (result?.messages ?? []).map((m) => `${m.ruleId}: ${m.message}`);
}

beforeAll(() => {
  eslint = new ESLint({ cwd: ROOT });
});

describe('the floors (no import from a floor above)', () => {
  it('fails a construct that imports the environments', async () => {
    const found = await problems(
      'constructs/delivery/uses-config.ts',
      "import type { EnvironmentConfig } from '../../environments';\nexport type Config = EnvironmentConfig;\n",
    );
    expect(found).toEqual([
      "no-restricted-imports: '../../environments' import is restricted from being used by a pattern. A construct knows no environment and no stack: take what it needs as props (readonly, documented), and let the stack pass them in.",
    ]);
  });

  it.each([
    [
      'constructs/eks/uses-stack.ts',
      "import { PlatformStack } from '../../stacks/platform-stack';",
    ],
    ['constructs/uses-schema.ts', "import { environmentSchema } from '../environments/schema';"],
    ['constructs/kubernetes/uses-script.ts', "import { REPO_ROOT } from '../../scripts/lib/root';"],
    ['environments/uses-stack.ts', "import { PlatformStack } from '../stacks/platform-stack';"],
    ['stacks/uses-script.ts', "import { REPO_ROOT } from '../scripts/lib/root';"],
  ])('fails %s', async (file, line) => {
    const found = await problems(file, `${line}\nexport const used = [${line.split(' ')[2]}];\n`);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/^no-restricted-imports: '[./a-z-]+' import is restricted/);
  });

  it('passes the imports each floor may make', async () => {
    const allowed: [string, string][] = [
      ['constructs/delivery/uses-construct.ts', "import { EncryptionKey } from '../kms-key';"],
      ['environments/uses-construct.ts', "import { EncryptionKey } from '../constructs/kms-key';"],
      ['stacks/uses-config.ts', "import { environments } from '../environments';"],
      ['scripts/ops/uses-stack.ts', "import { PlatformStack } from '../../stacks/platform-stack';"],
    ];
    for (const [file, line] of allowed) {
      const code = `${line}\nexport const used = [${line.split(' ')[2]}];\n`;
      expect(await problems(file, code), file).toEqual([]);
    }
  });

  it('still refuses a provider package root in a construct (the floor rule keeps it)', async () => {
    const found = await problems(
      'constructs/network/uses-root.ts',
      // The package's root as a string to lint, never imported here.
      `import { vpc } from '${PROVIDER_AWS}';\nexport const used = [vpc];\n`,
    );
    expect(found).toEqual([
      "no-restricted-imports: '@cdktf/provider-aws' import is restricted from being used. Import each resource from its own path, e.g. '@cdktf/provider-aws/lib/<resource>'.",
    ]);
  });
});

describe('tests never block their worker on a child process', () => {
  const blocking =
    "import { execFileSync } from 'node:child_process';\nexport const run = execFileSync;\n";

  it.each([
    '__tests__/scripts/ops/blocks.test.ts',
    '__tests__/support/blocks.test.ts',
    '__tests__/helpers/blocks.ts',
  ])('fails %s', async (file) => {
    const found = await problems(file, blocking);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(
      /^no-restricted-imports: 'execFileSync' import from 'node:child_process' is restricted\. Run child processes with runCommand or runScript/,
    );
  });

  it("exempts the tests' infrastructure itself, and scripts", async () => {
    expect(await problems('__tests__/support/blocks.ts', blocking)).toEqual([]);
    expect(await problems('scripts/dev/blocks.ts', blocking)).toEqual([]);
  });
});

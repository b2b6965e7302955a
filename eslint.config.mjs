// @ts-check
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

const providerPackages = [
  '@cdktf/provider-aws',
  '@cdktf/provider-kubernetes',
  '@cdktf/provider-helm',
];

/** Import each provider resource from its own path. */
const providerRootPaths = providerPackages.map((name) => ({
  name,
  message: `Import each resource from its own path, e.g. '${name}/lib/<resource>'.`,
}));

/**
 * The floors, lowest first: constructs (reusable, knowing no environment), environments (the
 * config, which may read a construct's constants), stacks (compositions of constructs for an
 * environment), then main.ts and scripts. A floor imports only from the floors below it.
 */
const above = (floors, why) => ({
  regex: `^(\\.\\./)+(${floors.join('|')})(/|$)`,
  message: why,
});
const floorRules = [
  {
    files: ['constructs/**/*.ts'],
    patterns: [
      above(
        ['environments', 'stacks', 'scripts', 'main', '__tests__', 'apps'],
        'A construct knows no environment and no stack: take what it needs as props (readonly, documented), and let the stack pass them in.',
      ),
    ],
  },
  {
    files: ['environments/**/*.ts'],
    patterns: [
      above(
        ['stacks', 'scripts', 'main', '__tests__', 'apps'],
        'The config reads no stack or script: a stack reads the config, not the other way round.',
      ),
    ],
  },
  {
    files: ['stacks/**/*.ts'],
    patterns: [
      above(
        ['scripts', 'main', '__tests__', 'apps'],
        'A stack reads no script: what both need belongs in constructs/ or environments/.',
      ),
    ],
  },
];

export default tseslint.config(
  { ignores: ['node_modules/**', 'cdktf.out/**', '.gen/**', 'coverage/**', 'apps/*/dist/**'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      parserOptions: { projectService: false },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
      // The package roots load every resource class: seconds on every synth and test file.
      'no-restricted-imports': ['error', { paths: providerRootPaths }],
    },
  },
  {
    // The cart page's script runs in the browser, as a classic script.
    files: ['apps/frontend/public/**/*.js'],
    languageOptions: {
      sourceType: 'script',
      globals: {
        document: 'readonly',
        localStorage: 'readonly',
        fetch: 'readonly',
        FormData: 'readonly',
      },
    },
  },
  {
    // Stacks, constructs and environments are pure: only main.ts and scripts read the process environment.
    files: ['stacks/**/*.ts', 'constructs/**/*.ts', 'environments/**/*.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        {
          object: 'process',
          property: 'env',
          message: 'Only main.ts reads process.env; pass values as props.',
        },
      ],
    },
  },
  {
    // A test never blocks its vitest worker on a child process: vitest's calls to a blocked
    // worker time out after 60 s on a busy machine (docs/testing.md, the suite's time).
    files: ['__tests__/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            ...providerRootPaths,
            ...['child_process', 'node:child_process'].map((name) => ({
              name,
              importNames: ['spawnSync', 'execFileSync', 'execSync'],
              message:
                'Run child processes with runCommand or runScript (__tests__/helpers/process.ts): a blocked worker fails the run on a busy machine.',
            })),
          ],
        },
      ],
    },
  },
  {
    // An exemption carried over from scripts/, which the rule above never covered: the tests'
    // infrastructure (also run by bench:apps and npm test's setup) starts PostgreSQL and builds
    // images with synchronous calls, inside workers too. Making them asynchronous is a change of
    // behaviour of its own; their tests stay under the rule.
    files: ['__tests__/support/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: providerRootPaths }] },
  },
  // Later entries replace a rule's options for their files: each repeats the provider paths.
  ...floorRules.map(({ files, patterns }) => ({
    files,
    rules: { 'no-restricted-imports': ['error', { paths: providerRootPaths, patterns }] },
  })),
);

// @ts-check
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

const providerPackages = [
  '@cdktf/provider-aws',
  '@cdktf/provider-kubernetes',
  '@cdktf/provider-helm',
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
      'no-restricted-imports': [
        'error',
        {
          // The package roots load every resource class: seconds on every synth and test file.
          paths: providerPackages.map((name) => ({
            name,
            message: `Import each resource from its own path, e.g. '${name}/lib/<resource>'.`,
          })),
        },
      ],
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
            ...providerPackages.map((name) => ({
              name,
              message: `Import each resource from its own path, e.g. '${name}/lib/<resource>'.`,
            })),
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
);

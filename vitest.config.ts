import { defineConfig } from 'vitest/config';
import LongestFirst from './__tests__/setup/sequencer';

export default defineConfig({
  test: {
    include: ['__tests__/**/*.test.ts'],
    // Some tests synthesize the whole app or run scripts as processes; CI machines have 2 cores.
    testTimeout: 60_000,
    // Vitest's default is one worker fewer than the cores: one file at a time on these 2-core
    // machines. Most files wait on Terraform or child processes, so two run side by side.
    maxWorkers: 2,
    minWorkers: 1,
    // One module graph per worker, not per file: cdktf, the provider bindings and the app are
    // loaded twice a run instead of forty times (collect 34 s → 8 s). Tests keep no global state
    // (no env changes, no module mocks); spies are restored after each test.
    isolate: false,
    restoreMocks: true,
    hookTimeout: 60_000,
    reporters: ['default', './scripts/dev/vitest-summary-reporter.ts'],
    // The run's temporary directory, removed with the run (first: the rest work inside it); the
    // app synthesized once for the run, as `npm run synth` does it; one real PostgreSQL for the
    // run (the reference services' tests).
    globalSetup: [
      './__tests__/setup/temp-root.ts',
      './__tests__/setup/app-synth.ts',
      './__tests__/setup/postgres.ts',
    ],
    sequence: { sequencer: LongestFirst },
    // A temporary directory per worker; each file removes what it made there (and fails if a
    // script it ran left something behind).
    setupFiles: ['./__tests__/setup/temp.ts'],
  },
});

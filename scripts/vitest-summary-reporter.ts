/**
 * Prints the plain closing line `N passed, N failed[, N skipped]` after a vitest run, so CI can
 * read the count whatever runner it knows.
 */
import type { RunnerTask, RunnerTestFile } from 'vitest';
import type { Reporter } from 'vitest/reporters';

function count(
  tasks: readonly RunnerTask[],
  totals: Record<'passed' | 'failed' | 'skipped', number>,
): void {
  for (const task of tasks) {
    if (task.type === 'suite') {
      // A suite's own error (a beforeAll or afterAll that threw) fails it, whatever its tests did.
      if (task.result?.errors?.length) totals.failed++;
      count(task.tasks, totals);
    } else if (task.mode === 'skip' || task.mode === 'todo' || task.result?.state === 'skip') {
      totals.skipped++;
    } else if (task.result?.state === 'pass') {
      totals.passed++;
    } else {
      totals.failed++;
    }
  }
}

export default class SummaryReporter implements Reporter {
  onFinished(files: RunnerTestFile[] = [], errors: unknown[] = []): void {
    const totals = { passed: 0, failed: 0, skipped: 0 };
    // A file counts as a suite: its own errors (it failed to load; a setup file's afterAll, such
    // as the temporary-directory check, threw) are one failure.
    count(files, totals);
    // A file that failed with no error of its own and no test (vitest's way for some load
    // failures), and errors outside any file (a global teardown that threw), fail too.
    totals.failed +=
      errors.length +
      files.filter(
        (f) => f.result?.state === 'fail' && f.tasks.length === 0 && !f.result.errors?.length,
      ).length;
    const skipped = totals.skipped ? `, ${totals.skipped} skipped` : '';
    console.log(`\n${totals.passed} passed, ${totals.failed} failed${skipped}`);
  }
}

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
    count(files, totals);
    // An error outside any test (a file that failed to load) is a failure too.
    totals.failed +=
      errors.length +
      files.filter((f) => f.result?.state === 'fail' && f.tasks.length === 0).length;
    const skipped = totals.skipped ? `, ${totals.skipped} skipped` : '';
    console.log(`\n${totals.passed} passed, ${totals.failed} failed${skipped}`);
  }
}

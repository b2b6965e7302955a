/**
 * Closes a vitest run with what a reader needs on the last screen: one line per failing test with
 * its file (`FAILED <file> > <suite> > <test>`), one line per problem of the run itself, and the
 * plain closing line `N passed, N failed[, N skipped]` that CI reads whatever runner it knows.
 *
 * A problem of the run is not a failed test: vitest's RPC between a worker and the main process
 * timing out (`[vitest-worker]: Timeout calling "onTaskUpdate"`, once per pending call: dozens
 * when a worker's event loop was blocked past 60 s), or a worker that died. Each kind counts as
 * one failure, said as such, not as N.
 */
import type { RunnerTask, RunnerTestFile } from 'vitest';
import type { Reporter } from 'vitest/reporters';

interface Totals {
  passed: number;
  failed: number;
  skipped: number;
  /** `FAILED <file> > <names>` lines. */
  readonly lines: string[];
}

function title(task: RunnerTask): string {
  const names: string[] = [];
  // Up to the file, which is its own `file`.
  for (let t: RunnerTask | undefined = task; t && t !== t.file; t = t.suite) names.unshift(t.name);
  return names.join(' > ');
}

function count(file: string, tasks: readonly RunnerTask[], totals: Totals): void {
  for (const task of tasks) {
    if (task.type === 'suite') {
      // A suite's own error (a beforeAll or afterAll that threw) fails it, whatever its tests did.
      if (task.result?.errors?.length) {
        totals.failed++;
        totals.lines.push(
          `FAILED ${file} > ${title(task)} (its hook: ${firstLine(task.result.errors[0])})`,
        );
      }
      count(file, task.tasks, totals);
    } else if (task.mode === 'skip' || task.mode === 'todo' || task.result?.state === 'skip') {
      totals.skipped++;
    } else if (task.result?.state === 'pass') {
      totals.passed++;
    } else {
      totals.failed++;
      const why = task.result?.errors?.[0];
      totals.lines.push(
        `FAILED ${file} > ${title(task)}${why ? `: ${firstLine(why)}` : ' (did not finish)'}`,
      );
    }
  }
}

function firstLine(error: unknown): string {
  const message =
    typeof error === 'object' && error !== null && 'message' in error
      ? String((error as { message: unknown }).message)
      : String(error);
  const line = message.split('\n')[0].trim();
  return line.length > 160 ? `${line.slice(0, 157)}...` : line;
}

/** The run's own problems by kind, each one line and one failure. */
export function runProblems(errors: readonly unknown[]): string[] {
  const messages = errors.map(firstLine);
  const rpc = messages.filter((m) => /\[vitest-(worker|pool)\]: Timeout calling/.test(m));
  const crashed = messages.filter((m) =>
    /Worker exited unexpectedly|Worker terminated|Channel closed|ERR_IPC_CHANNEL_CLOSED/.test(m),
  );
  const other = messages.filter((m) => !rpc.includes(m) && !crashed.includes(m));
  return [
    ...(rpc.length > 0
      ? [
          `RUN: ${rpc.length} calls between vitest and a worker timed out (${[...new Set(rpc)].join('; ')}): a worker's event loop was blocked for over 60 s, by synchronous work or a machine too busy to run it. Not a test failure; counted as one`,
        ]
      : []),
    ...(crashed.length > 0
      ? [`RUN: a vitest worker died (${crashed[0]}); its file's tests did not finish`]
      : []),
    ...other.map((m) => `RUN: unhandled error outside any test: ${m}`),
  ];
}

export default class SummaryReporter implements Reporter {
  onFinished(files: RunnerTestFile[] = [], errors: unknown[] = []): void {
    const totals: Totals = { passed: 0, failed: 0, skipped: 0, lines: [] };
    for (const file of files) {
      // A file counts as a suite: its own errors (it failed to load; a setup file's afterAll, such
      // as the temporary-directory check, threw) are one failure.
      const name = file.name;
      if (file.result?.errors?.length) {
        totals.failed++;
        totals.lines.push(`FAILED ${name}: ${firstLine(file.result.errors[0])}`);
      } else if (file.result?.state === 'fail' && file.tasks.length === 0) {
        // A file that failed with no error of its own and no test (vitest's way for some load
        // failures, and for a file whose worker died).
        totals.failed++;
        totals.lines.push(`FAILED ${name}: failed before any test ran`);
      }
      count(name, file.tasks, totals);
    }
    const problems = runProblems(errors);
    totals.failed += problems.length;
    const skipped = totals.skipped ? `, ${totals.skipped} skipped` : '';
    const listed = [...totals.lines, ...problems];
    console.log(
      `${listed.length > 0 ? `\n${listed.join('\n')}\n` : ''}\n${totals.passed} passed, ${totals.failed} failed${skipped}`,
    );
  }
}

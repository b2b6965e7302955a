import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi, type RunnerTestFile } from 'vitest';
import { leftInTemp } from '../../../scripts/dev/temp-check';
import SummaryReporter from '../../../scripts/dev/vitest-summary-reporter';
import { tempDir } from '../../helpers/paths';

describe('npm test: the temporary directory check', () => {
  it("names what a run left, but for the workers' emptied directories and tsx's cache", () => {
    const root = tempDir('temp-check');
    mkdirSync(join(root, 'w1-aB3dE9'));
    mkdirSync(join(root, 'w2-Zx81Qq', 'tsx-0'), { recursive: true });
    mkdirSync(join(root, 'w2-Zx81Qq', 'plan-offline-synth-abc'));
    mkdirSync(join(root, 'tsx-0'));
    writeFileSync(join(root, 'stray.txt'), '');
    expect(leftInTemp(root).sort()).toEqual(['stray.txt', 'w2-Zx81Qq/plan-offline-synth-abc']);
  });

  it('passes a run that left nothing', () => {
    const root = tempDir('temp-clean');
    mkdirSync(join(root, 'w1-aB3dE9'));
    mkdirSync(join(root, 'tsx-0'));
    expect(leftInTemp(root)).toEqual([]);
  });
});

describe('the closing lines of a vitest run (scripts/dev/vitest-summary-reporter.ts)', () => {
  type Task = Record<string, unknown> & { tasks?: Task[] };
  const test = (state: 'pass' | 'fail' | 'skip', name = 'a test', error?: Error): Task => ({
    type: 'test',
    name,
    mode: 'run',
    result: { state, ...(error ? { errors: [error] } : {}) },
  });
  const suite = (tasks: Task[], errors?: unknown[], name = 'a suite'): Task => ({
    type: 'suite',
    name,
    mode: 'run',
    tasks,
    result: { state: errors ? 'fail' : 'pass', ...(errors ? { errors } : {}) },
  });
  /** A file as vitest reports it: its tasks' `suite` and `file` links set, the file its own. */
  const file = (tasks: Task[], errors?: unknown[], name = '__tests__/x.test.ts'): Task => {
    const root = suite(tasks, errors, name);
    root.file = root;
    const link = (parent: Task) => {
      for (const child of parent.tasks ?? []) {
        child.suite = parent;
        child.file = root;
        link(child);
      }
    };
    link(root);
    return root;
  };
  const printed = (files: Task[], errors: unknown[] = []): string[] => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    new SummaryReporter().onFinished(files as unknown as RunnerTestFile[], errors);
    return String(log.mock.calls.at(-1)?.[0]).trim().split('\n');
  };
  const closing = (files: Task[], errors: unknown[] = []): string => printed(files, errors).at(-1)!;

  it('counts tests', () => {
    expect(closing([file([test('pass'), test('fail'), test('skip')])])).toBe(
      '1 passed, 1 failed, 1 skipped',
    );
  });

  it('names each failing test with its file and suites, and the first line of its error', () => {
    const lines = printed([
      file([
        suite([test('fail', 'adds', new Error('expected 1 to be 2\n  at x'))], undefined, 'cart'),
      ]),
    ]);
    expect(lines).toEqual([
      'FAILED __tests__/x.test.ts > cart > adds: expected 1 to be 2',
      '',
      '0 passed, 1 failed',
    ]);
  });

  it('counts a file whose tests passed but whose afterAll threw (the temporary-directory check) as failed', () => {
    expect(closing([file([test('pass'), test('pass')], [new Error('left in TMPDIR')])])).toBe(
      '2 passed, 1 failed',
    );
  });

  it('counts a suite whose beforeAll threw as failed, its tests as skipped', () => {
    const lines = printed([file([suite([test('skip')], [new Error('boom')], 'proof')])]);
    expect(lines[0]).toBe('FAILED __tests__/x.test.ts > proof (its hook: boom)');
    expect(lines.at(-1)).toBe('0 passed, 1 failed, 1 skipped');
  });

  it('counts a file that failed to load, and an error outside any file', () => {
    const lines = printed(
      [file([], undefined, '__tests__/y.test.ts')].map((f) => ({
        ...f,
        result: { state: 'fail' },
      })),
      [new Error('teardown')],
    );
    expect(lines).toContain('FAILED __tests__/y.test.ts: failed before any test ran');
    expect(lines).toContain('RUN: unhandled error outside any test: teardown');
    expect(lines.at(-1)).toBe('0 passed, 2 failed');
  });

  it("reports vitest's RPC timeouts as one problem of the run, not as one failure each", () => {
    const timeouts = Array.from(
      { length: 39 },
      () => new Error('[vitest-worker]: Timeout calling "onTaskUpdate"'),
    );
    const lines = printed([file([test('pass'), test('pass')])], timeouts);
    expect(lines.filter((line) => line.startsWith('RUN: '))).toEqual([
      expect.stringMatching(
        /^RUN: 39 calls between vitest and a worker timed out \(\[vitest-worker\]: Timeout calling "onTaskUpdate"\): a worker's event loop was blocked/,
      ),
    ]);
    expect(lines.at(-1)).toBe('2 passed, 1 failed');
  });

  it('reports a worker that died as that', () => {
    const lines = printed([file([test('pass')])], [new Error('Worker exited unexpectedly')]);
    expect(lines).toContain(
      "RUN: a vitest worker died (Worker exited unexpectedly); its file's tests did not finish",
    );
    expect(lines.at(-1)).toBe('1 passed, 1 failed');
  });
});

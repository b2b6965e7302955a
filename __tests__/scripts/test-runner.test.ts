import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi, type RunnerTestFile } from 'vitest';
import { leftInTemp } from '../../scripts/lib/temp-check';
import SummaryReporter from '../../scripts/vitest-summary-reporter';
import { tempDir } from '../helpers/paths';

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

describe('the closing line of a vitest run (scripts/vitest-summary-reporter.ts)', () => {
  const test = (state: 'pass' | 'fail' | 'skip') => ({
    type: 'test',
    mode: 'run',
    result: { state },
  });
  const suite = (tasks: unknown[], errors?: unknown[]) => ({
    type: 'suite',
    mode: 'run',
    tasks,
    result: { state: errors ? 'fail' : 'pass', ...(errors ? { errors } : {}) },
  });
  const closing = (files: unknown[], errors: unknown[] = []): string => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    new SummaryReporter().onFinished(files as RunnerTestFile[], errors);
    return String(log.mock.calls.at(-1)?.[0]).trim();
  };

  it('counts tests', () => {
    expect(closing([suite([test('pass'), test('fail'), test('skip')])])).toBe(
      '1 passed, 1 failed, 1 skipped',
    );
  });

  it('counts a file whose tests passed but whose afterAll threw (the temporary-directory check) as failed', () => {
    expect(closing([suite([test('pass'), test('pass')], [new Error('left in TMPDIR')])])).toBe(
      '2 passed, 1 failed',
    );
  });

  it('counts a suite whose beforeAll threw as failed, its tests as skipped', () => {
    expect(closing([suite([suite([test('skip')], [new Error('boom')])])])).toBe(
      '0 passed, 1 failed, 1 skipped',
    );
  });

  it('counts a file that failed to load, and an error outside any file', () => {
    const unloaded = { type: 'suite', mode: 'run', tasks: [], result: { state: 'fail' } };
    expect(closing([unloaded], [new Error('teardown')])).toBe('0 passed, 2 failed');
  });
});

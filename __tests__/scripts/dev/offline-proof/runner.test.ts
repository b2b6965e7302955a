import { describe, expect, it } from 'vitest';
import { balancedGroups, parseTestJsonByFile } from '../../../../scripts/dev/offline-proof/runner';

describe('parseTestJsonByFile', () => {
  const at = (second: number) => `2026-12-07T10:00:${String(second).padStart(2, '0')}.000000Z`;
  const lines = [
    JSON.stringify({ type: 'version', '@timestamp': at(0) }),
    JSON.stringify({
      type: 'test_file',
      '@testfile': 'tests/a.tftest.hcl',
      '@timestamp': at(1),
      test_file: { path: 'tests/a.tftest.hcl', progress: 'starting' },
    }),
    JSON.stringify({
      type: 'test_state',
      '@testfile': 'tests/a.tftest.hcl',
      '@testrun': 'apply',
      '@timestamp': at(3),
      test_state: {
        outputs: { ids: { value: ['a'], type: ['tuple', ['string']], sensitive: false } },
        root_module: {
          resources: [
            { address: 'aws_vpc.v', mode: 'managed' },
            { address: 'data.aws_region.r', mode: 'data' },
          ],
        },
      },
    }),
    JSON.stringify({
      type: 'test_file',
      '@testfile': 'tests/a.tftest.hcl',
      '@timestamp': at(4),
      test_file: { path: 'tests/a.tftest.hcl', progress: 'complete', status: 'pass' },
    }),
    JSON.stringify({
      type: 'diagnostic',
      '@level': 'error',
      '@testfile': 'tests/b.tftest.hcl',
      '@testrun': 'apply',
      '@timestamp': at(5),
      diagnostic: { summary: 'Bad', detail: 'thing' },
    }),
    JSON.stringify({
      type: 'test_file',
      '@testfile': 'tests/b.tftest.hcl',
      '@timestamp': at(6),
      test_file: { path: 'tests/b.tftest.hcl', progress: 'complete', status: 'error' },
    }),
    JSON.stringify({ type: 'test_summary', test_summary: { status: 'error' } }),
  ];

  it('reads each file: its status, its outputs with types, its managed resources, its time', () => {
    const outcomes = parseTestJsonByFile(lines.join('\n'));
    const a = outcomes.get('tests/a.tftest.hcl')!;
    expect(a.passed).toBe(true);
    expect(a.outputs.ids.value).toEqual(['a']);
    expect(a.resources).toEqual(['aws_vpc.v']);
    expect(a.diagnostics).toBe('');
    expect(a.seconds).toBe(3);
  });

  it("gives a file its own diagnostics only, and fails it when another file's run passed", () => {
    const outcomes = parseTestJsonByFile(lines.join('\n'));
    expect(outcomes.get('tests/b.tftest.hcl')).toMatchObject({
      passed: false,
      resources: [],
      diagnostics: 'Bad: thing',
    });
  });

  it("gives a diagnostic of the command's own to every file", () => {
    const general = JSON.stringify({
      type: 'diagnostic',
      '@level': 'error',
      diagnostic: { summary: 'Failed to load plugin schemas', detail: 'eof' },
    });
    const outcomes = parseTestJsonByFile([general, ...lines].join('\n'));
    expect(outcomes.get('tests/a.tftest.hcl')!.diagnostics).toBe(
      'Failed to load plugin schemas: eof',
    );
    expect(outcomes.get('tests/b.tftest.hcl')!.diagnostics).toBe(
      'Failed to load plugin schemas: eof\nBad: thing',
    );
  });
});

describe('balancedGroups', () => {
  it('splits into groups of about equal weight (here 11 and 11), each keeping the input order', () => {
    const weights: Record<string, number> = { a: 10, b: 1, c: 8, d: 2, e: 1 };
    const groups = balancedGroups(Object.keys(weights), 2, (k) => weights[k]);
    expect(groups).toEqual([
      ['a', 'b'],
      ['c', 'd', 'e'],
    ]);
  });

  it('spreads stacks of equal weight, zero too, over the groups', () => {
    expect(balancedGroups(['a', 'b', 'c', 'd'], 2, () => 0)).toEqual([
      ['a', 'c'],
      ['b', 'd'],
    ]);
  });

  it('never makes an empty group, and one group holds everything', () => {
    expect(balancedGroups(['x'], 3, () => 1)).toEqual([['x']]);
    expect(balancedGroups(['x', 'y'], 1, () => 1)).toEqual([['x', 'y']]);
  });
});

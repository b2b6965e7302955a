import { describe, expect, it } from 'vitest';
import { allProven, formatReport } from '../../../../scripts/dev/offline-proof/report';
import type { StackResult } from '../../../../scripts/dev/offline-proof/runner';

describe('formatReport', () => {
  const result = (
    stack: string,
    status: StackResult['status'],
    extra: Partial<StackResult> = {},
  ): StackResult => ({
    stack,
    status,
    resourcesApplied: 3,
    resourcesTotal: 5,
    unchecked: 0,
    uncheckedReason: '',
    validate: 'passed',
    apply: 'passed',
    seconds: 1.25,
    output: '',
    ...extra,
  });

  it('prints a row per stack and Terraform’s words for failures', () => {
    const report = formatReport(
      [
        result('test-network', 'passed'),
        result('test-eks-k8s', 'partial', {
          unchecked: 2,
          uncheckedReason: 'provider helm is not installed',
        }),
        result('test-rds', 'failed', { apply: 'failed', output: 'Error: Unsupported attribute' }),
      ],
      9.5,
    );
    expect(report).toMatch(
      /^stack\s+status\s+resources applied\s+unchecked\s+validate\s+apply\s+terraform s$/m,
    );
    expect(report).toMatch(
      /^test-eks-k8s\s+partial\s+3\/5\s+2 \(provider helm is not installed\)\s+passed\s+passed\s+1\.3$/m,
    );
    expect(report).toContain('2 of 3 stacks proven in 9.5 s wall');
    // The footer says what the per-stack column is, and why it does not add up to the wall.
    expect(report).toMatch(
      /^terraform s: the time Terraform spent on that stack .*is no share of the wall time/m,
    );
    expect(report).toContain('test-rds: failed\n  | Error: Unsupported attribute');
  });

  it('counts a run as proven only when no stack failed or was skipped', () => {
    expect(allProven([result('a', 'passed'), result('b', 'partial')])).toBe(true);
    expect(allProven([result('a', 'passed'), result('b', 'not run')])).toBe(false);
    expect(allProven([result('a', 'passed'), result('k8s', 'unchecked')])).toBe(true);
    expect(allProven([result('k8s', 'unchecked')])).toBe(false);
    expect(allProven([])).toBe(false);
  });
});

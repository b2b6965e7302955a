/**
 * The order files are handed to vitest's two workers: the longest first, so that the run does not
 * end with one worker still on a long file and the other idle. Vitest's own order (the previous
 * run's durations, else the largest file first) knows nothing on a fresh clone, where CI runs.
 * The list is the files that take longest on a 2-core machine (docs/testing.md, the suite's time);
 * every other file keeps vitest's order after them.
 */
import { BaseSequencer, type TestSpecification } from 'vitest/node';

export const LONGEST_FIRST = [
  // The offline proof of every stack: Terraform and the provider, two at a time.
  '__tests__/scripts/dev/plan-offline.test.ts',
  '__tests__/scripts/pipeline/plan-summary.test.ts',
  '__tests__/apps/backend/image.test.ts',
  '__tests__/apps/frontend/image.test.ts',
  '__tests__/main.test.ts',
  '__tests__/scripts/dev/plan-offline-process.test.ts',
  '__tests__/scripts/ops/bootstrap.test.ts',
  '__tests__/scripts/pipeline/image-bump.test.ts',
  '__tests__/scripts/ops/teardown.test.ts',
];

export default class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (spec: TestSpecification): number => {
      const at = LONGEST_FIRST.findIndex((file) => spec.moduleId.endsWith(file));
      return at === -1 ? LONGEST_FIRST.length : at;
    };
    // Array#sort is stable: the rest keep vitest's order.
    return [...sorted].sort((a, b) => rank(a) - rank(b));
  }
}

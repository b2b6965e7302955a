import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import measured from '../../../docs/performance.json';
import { SERVICES } from '../../../environments/services';
import { type BenchResult, performanceDoc, table } from '../../../scripts/dev/bench-apps';
import { ROOT } from '../../helpers/paths';

// The benchmark itself is half a minute of load: `npm run bench:apps`, not every npm test. These
// hold its committed result (what the HPA sizing reads) and its report to their shape.
describe('bench:apps', () => {
  it('has measured every path of both services, without errors', () => {
    const result: BenchResult = measured as BenchResult;
    expect(result.runs.map((r) => `${r.service} ${r.path}`)).toEqual([
      'backend read',
      'backend write',
      'frontend page',
      'frontend read',
    ]);
    for (const run of result.runs) {
      expect(run.errors).toBe(0);
      expect(run.requestsPerSecond).toBeGreaterThan(0);
      expect(run.serviceCores).toBeGreaterThan(0);
      // The per-core rate is requests over the service's own CPU (cores are shown rounded).
      const perCore = run.requestsPerSecond / run.serviceCores;
      expect(Math.abs(run.requestsPerSecondPerCore / perCore - 1)).toBeLessThan(0.02);
    }
    expect(result.machine.cpus).toBe(2);
  });

  it('reports a markdown table, a row per run', () => {
    const lines = table(measured as BenchResult).split('\n');
    expect(lines[0]).toMatch(/^\| service +\| path +\| request +\| req\/s +\| p99 ms/);
    expect(lines[1]).toMatch(/^\| -+ \| -+ \|/);
    expect(lines).toHaveLength(2 + measured.runs.length);
  });
});

describe('docs/performance.md', () => {
  it('shows the committed measurements and the sizing environments/services.ts derives from them', async () => {
    const doc = readFileSync(join(ROOT, 'docs', 'performance.md'), 'utf8');
    expect(await performanceDoc(doc, measured as BenchResult)).toBe(doc);
    expect(doc).toMatch(
      new RegExp(`\\| backend .*\\| ${SERVICES.backend.requestsPerPodAtTarget} +\\|`),
    );
    expect(doc).toMatch(
      new RegExp(`\\| frontend .*\\| ${SERVICES.frontend.requestsPerPodAtTarget} +\\|`),
    );
  });
});

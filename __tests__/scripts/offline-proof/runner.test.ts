import { describe, expect, it } from 'vitest';
import { createSlots, parseTestJson } from '../../../scripts/lib/offline-proof/runner';

describe('parseTestJson', () => {
  it('reads the run status, outputs with types, and managed resources of the test state', () => {
    const lines = [
      JSON.stringify({ type: 'version' }),
      JSON.stringify({
        type: 'test_state',
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
        type: 'diagnostic',
        '@level': 'error',
        diagnostic: { summary: 'Bad', detail: 'thing' },
      }),
      JSON.stringify({ type: 'test_summary', test_summary: { status: 'pass' } }),
    ];
    const outcome = parseTestJson(lines.join('\n'));
    expect(outcome.passed).toBe(true);
    expect(outcome.outputs.ids.value).toEqual(['a']);
    expect(outcome.resources).toEqual(['aws_vpc.v']);
    expect(outcome.diagnostics).toBe('Bad: thing');
  });
});

describe('createSlots', () => {
  /** A task that records how many tasks run beside it, and finishes when released. */
  function harness() {
    let running = 0;
    let peak = 0;
    const order: string[] = [];
    const releases: (() => void)[] = [];
    const task = (name: string) => () =>
      new Promise<void>((resolve) => {
        running++;
        peak = Math.max(peak, running);
        order.push(name);
        releases.push(() => {
          running--;
          resolve();
        });
      });
    const releaseNext = async (): Promise<void> => {
      releases.shift()?.();
      await new Promise((r) => setTimeout(r, 0));
    };
    return { task, releaseNext, order, peak: () => peak };
  }

  it('runs at most `limit` tasks at once, and all of them in the end', async () => {
    const h = harness();
    const slots = createSlots(2);
    const all = Promise.all(['a', 'b', 'c', 'd', 'e'].map((n) => slots.run('low', h.task(n))));
    for (let i = 0; i < 5; i++) await h.releaseNext();
    await all;
    expect(h.peak()).toBe(2);
    expect(h.order).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('starts waiting high-priority tasks (mocked applies) before low ones (validations)', async () => {
    const h = harness();
    const slots = createSlots(1);
    const all = Promise.all([
      slots.run('low', h.task('validate-1')),
      slots.run('low', h.task('validate-2')),
      slots.run('high', h.task('apply-1')),
    ]);
    for (let i = 0; i < 3; i++) await h.releaseNext();
    await all;
    expect(h.order).toEqual(['validate-1', 'apply-1', 'validate-2']);
  });
});

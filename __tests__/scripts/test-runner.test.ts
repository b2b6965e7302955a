import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { leftInTemp } from '../../scripts/test';
import { tempDir } from '../helpers/paths';

describe('npm test: the temporary directory check', () => {
  it("names what a run left, but for the workers' emptied directories and tsx's cache", () => {
    const root = tempDir('temp-check');
    mkdirSync(join(root, 'worker-1'));
    mkdirSync(join(root, 'worker-2', 'tsx-0'), { recursive: true });
    mkdirSync(join(root, 'worker-2', 'plan-offline-synth-abc'));
    mkdirSync(join(root, 'tsx-0'));
    writeFileSync(join(root, 'stray.txt'), '');
    expect(leftInTemp(root).sort()).toEqual(['stray.txt', 'worker-2/plan-offline-synth-abc']);
  });

  it('passes a run that left nothing', () => {
    const root = tempDir('temp-clean');
    mkdirSync(join(root, 'worker-1'));
    mkdirSync(join(root, 'tsx-0'));
    expect(leftInTemp(root)).toEqual([]);
  });
});

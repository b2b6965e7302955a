/** The image assertions every service's image test makes; the build itself: __tests__/support/image-build.ts. */
import { expect } from 'vitest';
import {
  type BuiltImage,
  listFiles,
  packagesIn,
  type Running,
  runImage,
} from '../support/image-build';

export * from '../support/image-build';

/**
 * What every service image must be: two stages on digest-pinned bases, distroless at runtime,
 * a non-root user, and nothing in node_modules but `runtime` (no dev package, no workspace link).
 */
export function expectHardened(
  image: BuiltImage,
  runtime: readonly string[],
  dev: readonly string[],
): void {
  expect(image.baseImages).toHaveLength(2);
  for (const base of image.baseImages) expect(base).toMatch(/@sha256:[0-9a-f]{64}$/);
  expect(image.baseImages[1]).toMatch(/^gcr\.io\/distroless\/nodejs\d+-debian\d+:nonroot@/);
  expect(image.user).toBe('65532:65532');
  const packages = packagesIn(image);
  expect(packages).toEqual(expect.arrayContaining([...runtime]));
  for (const name of ['typescript', '@types/node', 'vitest', 'playwright-core', ...dev]) {
    expect(packages).not.toContain(name);
  }
  // The workspace's own links would point outside the image.
  expect(listFiles(image, 'node_modules')).not.toContain('node_modules/@platform');
}

const started = new Set<Running>();

/** Runs the image's entrypoint for a test; `stopStarted` (in `afterEach`) kills what is left. */
export async function start(image: BuiltImage, env: Record<string, string>): Promise<Running> {
  const running = await runImage(image, env);
  started.add(running);
  void running.exited.then(() => started.delete(running));
  return running;
}

/** Kills the processes a failed test left running. */
export async function stopStarted(): Promise<void> {
  const left = [...started];
  for (const running of left) running.stop('SIGKILL');
  await Promise.all(left.map((running) => running.exited));
}

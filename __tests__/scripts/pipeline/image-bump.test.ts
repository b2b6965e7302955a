/**
 * `npm run -s image:bump`: the pipeline's one-line change to a service's image. Its contract
 * (exit codes and output) is checked as a process, once per kind of refusal, the other refusals
 * in process; always on a copy of environments/ in a temporary directory (`--environments-dir`),
 * never on the real files.
 */
import { copyFileSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { environments, environmentSchema, validateEnvironments } from '../../../environments';
import { prod } from '../../../environments/prod';
import { test as testConfig } from '../../../environments/test';
import { bumpImage, describeBump, main, USAGE } from '../../../scripts/pipeline/image-bump';
import { ScriptError, UsageError } from '../../../scripts/pipeline/cli';
import { ROOT, tempDir } from '../../helpers/paths';
import { runScript } from '../../helpers/process';

const TAG = 'sha-1a2b3c4';
const ENVIRONMENTS = join(ROOT, 'environments');
const FILES = readdirSync(ENVIRONMENTS).filter((file) => file.endsWith('.ts'));

/** environments/*.ts copied into a temporary directory, to bump there. */
function copyEnvironments(): string {
  const dir = tempDir('image-bump');
  for (const file of FILES) copyFileSync(join(ENVIRONMENTS, file), join(dir, file));
  return dir;
}

/** Every file of a directory, as bytes. */
const contents = (dir: string) =>
  Object.fromEntries(readdirSync(dir).map((file) => [file, readFileSync(join(dir, file))]));

const bump = (...args: string[]) => runScript('pipeline/image-bump.ts', ...args);

/** The index of the `image:` line of `service`'s block in an environment file's lines. */
function imageLine(lines: readonly string[], service: string): number {
  const block = lines.findIndex((line) => line.trim() === `${service}: {`);
  expect(block, `no "${service}: {" line`).toBeGreaterThan(-1);
  const image = lines.findIndex((line, i) => i > block && line.trim().startsWith('image:'));
  expect(image, `no image: line in ${service}`).toBeGreaterThan(-1);
  return image;
}

describe('image:bump', () => {
  it("rewrites the service's image value and nothing else, then says so; again, it changes nothing", async () => {
    const dir = copyEnvironments();
    const file = join(dir, 'test.ts');
    const before = readFileSync(file, 'utf8');
    const real = contents(ENVIRONMENTS);
    const previous = testConfig.services.backend.image;
    expect(previous).not.toBe(TAG);

    const first = await bump('test', 'backend', TAG, '--environments-dir', dir);
    expect(first.status, first.stderr).toBe(0);
    expect(first.stderr).toBe('');
    const printed = first.stdout.split('\n');
    expect(printed).toHaveLength(2); // one line and its newline
    expect(printed[0]).toMatch(/test\.ts: /);
    expect(
      printed[0].endsWith(`: environments.test.services.backend.image ${previous} -> ${TAG}`),
    ).toBe(true);

    // Line by line: only the backend's image line differs, and only in its value.
    const after = readFileSync(file, 'utf8');
    const [was, now] = [before.split('\n'), after.split('\n')];
    expect(now).toHaveLength(was.length);
    const changed = was.flatMap((line, i) => (line === now[i] ? [] : [i]));
    const backendImage = imageLine(was, 'backend');
    expect(changed).toEqual([backendImage]);
    expect(was[backendImage]).toContain(`image: '${previous}'`);
    expect(now[backendImage]).toBe(was[backendImage].replace(`'${previous}'`, `'${TAG}'`));
    // The frontend's image stays as it was, and so does every comment (the line diff above).
    const frontendImage = imageLine(now, 'frontend');
    expect(now[frontendImage]).toBe(was[frontendImage]);
    expect(was.some((line) => line.trim().startsWith('//'))).toBe(true);
    // The other files of the copy, and the real environments/, are untouched.
    const others = contents(dir);
    for (const other of FILES.filter((f) => f !== 'test.ts')) {
      expect(others[other].equals(real[other]), other).toBe(true);
    }
    expect(contents(ENVIRONMENTS)).toEqual(real);

    // The same tag again: nothing to do, and nothing written (the bytes and the mtime).
    const written = readFileSync(file);
    const mtime = statSync(file).mtimeMs;
    // In process (each tsx start costs two seconds of the suite's CPU): the line main prints.
    const again = describeBump(bumpImage('test', 'backend', TAG, dir));
    expect(again).toMatch(
      new RegExp(
        `test\\.ts: environments\\.test\\.services\\.backend\\.image is already ${TAG}; nothing changed$`,
      ),
    );
    expect(readFileSync(file).equals(written)).toBe(true);
    expect(statSync(file).mtimeMs).toBe(mtime);
  });

  it('leaves a file that still loads and passes the schema, with the new tag in it', async () => {
    const dir = copyEnvironments();
    expect(bumpImage('test', 'frontend', TAG, dir).changed).toBe(true);

    // The rewritten module itself, loaded as the app would load it.
    const { test: bumped } = (await import(join(dir, 'test.ts'))) as {
      test: typeof testConfig;
    };
    expect(bumped.services.frontend.image).toBe(TAG);
    expect(bumped.services.backend.image).toBe(testConfig.services.backend.image);
    expect(() => validateEnvironments([bumped, prod])).not.toThrow();
    // The script refuses what the schema refuses, and accepts what it accepts.
    const image = environmentSchema.shape.services.valueType.shape.image;
    expect(image.safeParse(TAG).success).toBe(true);
    expect(image.safeParse('latest').success).toBe(false);
  });

  describe.concurrent('refuses, exit 1, one line naming the field, the value and the fix, writing nothing', () => {
    const services = Object.keys(testConfig.services).join(', ');
    const names = environments.map((e) => e.name).join(', ');
    it.each([
      {
        why: 'the moving tag latest',
        args: ['test', 'backend', 'latest'],
        line: 'environments.test.services.backend.image must be an image tag other than `latest`',
        value: 'latest',
        asProcess: true,
      },
      {
        why: 'a tag with a space and a capital',
        args: ['test', 'backend', 'Sha 1'],
        line: 'environments.test.services.backend.image must be an image tag',
        value: 'Sha 1',
      },
      {
        why: 'a tag with a colon',
        args: ['test', 'frontend', 'a:b'],
        line: 'environments.test.services.frontend.image must be an image tag',
        value: 'a:b',
      },
      {
        why: 'an environment that does not exist',
        args: ['staging', 'backend', TAG],
        line: '<env> names no environment',
        value: 'staging',
        fix: `use one of ${names}`,
      },
      {
        why: 'a service the environment does not have, listing those it has',
        args: ['test', 'cache', TAG],
        line: '<service> names no service of ',
        value: 'cache',
        fix: `use one of ${services}`,
      },
    ])('$why', async ({ args, line, value, fix, asProcess }) => {
      const dir = copyEnvironments();
      const before = contents(dir);
      let message: string;
      if (asProcess) {
        // As a person or a workflow sees it: exit 1, one line on stderr.
        const result = await bump(...args, '--environments-dir', dir);
        expect(result.status, result.stderr).toBe(1);
        expect(result.stdout).toBe('');
        message = result.stderr.trimEnd();
      } else {
        // The same refusal in process (each tsx start costs a second of the suite's CPU).
        const [env, service, tag] = args;
        const error = (() => {
          try {
            bumpImage(env, service, tag, dir);
          } catch (thrown) {
            return thrown;
          }
          throw new Error('bumpImage did not refuse');
        })();
        expect(error).toBeInstanceOf(ScriptError);
        message = (error as ScriptError).message;
      }
      const lines = message.split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0].startsWith(line), lines[0]).toBe(true);
      expect(lines[0]).toContain(`got ${JSON.stringify(value)}. Fix: `);
      if (fix) expect(lines[0]).toContain(`. Fix: ${fix}`);
      expect(contents(dir)).toEqual(before);
    });
  });

  describe.concurrent('refuses a command line it cannot run, exit 2 with the usage', () => {
    it.each([
      { why: 'two arguments', args: ['test', 'backend'], error: /expected <env> <service> <tag>/ },
      {
        why: 'four arguments',
        args: ['test', 'backend', TAG, 'extra'],
        error: /expected <env> <service> <tag>/,
      },
      { why: 'an unknown flag', args: ['test', 'backend', TAG, '--force'], asProcess: true },
    ])('$why', async ({ args, error, asProcess }) => {
      const dir = copyEnvironments();
      const before = contents(dir);
      if (asProcess) {
        const result = await bump(...args, '--environments-dir', dir);
        expect(result.status, result.stderr).toBe(2);
        expect(result.stdout).toBe('');
        expect(result.stderr.trimEnd().split('\n').at(-1)).toBe(USAGE);
      } else {
        // main() throws the UsageError that scripts/pipeline/cli.ts turns into exit 2 and the usage.
        expect(() => main([...args, '--environments-dir', dir])).toThrow(UsageError);
        expect(() => main([...args, '--environments-dir', dir])).toThrow(error);
      }
      expect(contents(dir)).toEqual(before);
    });
  });
});

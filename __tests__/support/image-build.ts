/**
 * Builds a service's image without Docker (none on our machines): reads its Dockerfile with dockerfile-ast
 * and carries out each step on this machine, so the image's own install, build and layout are
 * what the tests run. A build stage's `COPY` and `RUN` run in a directory standing for its
 * WORKDIR; the final stage's `COPY --from` lay out a directory standing for the image's WORKDIR.
 * What only a real build does (pulling the base images, `ADD` from a URL) is listed in `skipped`.
 */
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { DockerfileParser, type Instruction } from 'dockerfile-ast';
import { freePort } from './postgres';

const ROOT = resolve(__dirname, '..', '..');

export interface BuiltImage {
  /** Stands for the final stage's WORKDIR: node_modules, dist, … as the image has them. */
  readonly dir: string;
  /** The final stage's ENV. */
  readonly env: Readonly<Record<string, string>>;
  readonly user: string;
  /** CMD, in its exec form: the arguments of the base image's `node` entrypoint. */
  readonly cmd: readonly string[];
  readonly baseImages: readonly string[];
  readonly skipped: readonly string[];
  readonly instructions: readonly Instruction[];
  /** Removes the build's directories. */
  remove(): void;
}

const args = (instruction: Instruction) => instruction.getArguments().map((a) => a.getValue());
const flag = (instruction: Instruction, name: string) =>
  (
    instruction as Instruction & {
      getFlags?: () => { getName(): string; getValue(): string | null }[];
    }
  )
    .getFlags?.()
    .find((f) => f.getName() === name)
    ?.getValue();

/** Whether `.dockerignore` keeps a path (relative to the context) out of the build context. */
function dockerignore(context: string): (path: string) => boolean {
  let lines: string[] = [];
  try {
    lines = readFileSync(join(context, '.dockerignore'), 'utf8').split('\n');
  } catch {
    return () => false;
  }
  const rules = lines
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const keep = line.startsWith('!');
      const glob = (keep ? line.slice(1) : line).replace(/^\/|\/$/g, '');
      const pattern = glob
        .split('**')
        .map((part) =>
          part
            .replace(/[.+^${}()|[\]\\]/g, '\\$&')
            .replace(/\*/g, '[^/]*')
            .replace(/\?/g, '[^/]'),
        )
        .join('.*');
      return { keep, regex: new RegExp(`^${pattern}(/.*)?$`) };
    });
  return (path) => rules.reduce((out, rule) => (rule.regex.test(path) ? !rule.keep : out), false);
}

/** A RUN step's shell command, to its end; rejects with its stderr when it fails. */
function runStep(command: string, cwd: string, env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((done, fail) => {
    const child = spawn('sh', ['-c', command], { cwd, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', fail);
    child.on('close', (status) =>
      status === 0
        ? done()
        : fail(Object.assign(new Error(`RUN ${command} exited ${status}`), { stderr })),
    );
  });
}

/**
 * Asynchronous: a RUN step (npm ci, a TypeScript build) takes seconds to a minute, which a test
 * worker must not spend blocked (vitest's calls to it time out after 60 s).
 */
export async function buildImage(dockerfile: string, context = ROOT): Promise<BuiltImage> {
  const ignored = dockerignore(context);
  const instructions = DockerfileParser.parse(readFileSync(dockerfile, 'utf8')).getInstructions();
  const top = mkdtempSync(join(tmpdir(), 'image-'));
  const stages = new Map<string, { dir: string; workdir: string }>();
  let stage = { dir: '', workdir: '/' };
  const env: Record<string, string> = {};
  const skipped: string[] = [];
  const baseImages: string[] = [];
  let user = 'root';
  let cmd: string[] = [];
  // A path inside the stage, on this machine.
  const local = (path: string, base = stage) =>
    join(base.dir, isAbsolute(path) ? path : join(base.workdir, path));

  try {
    for (const instruction of instructions) {
      const keyword = instruction.getKeyword();
      const [first, ...rest] = args(instruction);
      if (keyword === 'FROM') {
        baseImages.push(first);
        stage = { dir: mkdtempSync(join(top, 'stage-')), workdir: '/' };
        if (rest[0]?.toUpperCase() === 'AS') stages.set(rest[1], stage);
        Object.keys(env).forEach((key) => delete env[key]);
      } else if (keyword === 'WORKDIR') {
        stage.workdir = first;
        mkdirSync(local('.'), { recursive: true });
      } else if (keyword === 'ENV') {
        for (const pair of [first, ...rest]) {
          const at = pair.indexOf('=');
          env[pair.slice(0, at)] = pair.slice(at + 1);
        }
      } else if (keyword === 'COPY') {
        const from = flag(instruction, 'from');
        const [dest] = rest.slice(-1);
        for (const source of [first, ...rest.slice(0, -1)]) {
          const origin = from ? local(source, stages.get(from)) : join(context, source);
          const target = dest.endsWith('/')
            ? join(local(dest), source.split('/').pop() as string)
            : local(dest);
          cpSync(origin, target, {
            recursive: true,
            verbatimSymlinks: true,
            // The build context is what .dockerignore leaves of the repository.
            // (directories are walked: a later `!` rule may keep files below them).
            filter: (path) =>
              Boolean(from) || statSync(path).isDirectory() || !ignored(relative(context, path)),
          });
        }
      } else if (keyword === 'RUN') {
        await runStep(instruction.getArgumentsContent() ?? '', local('.'), {
          ...process.env,
          ...env,
          npm_config_prefer_offline: 'true',
          npm_config_update_notifier: 'false',
        });
      } else if (keyword === 'ADD') {
        const flags = (
          instruction as Instruction & { getFlags(): { toString(): string }[] }
        ).getFlags();
        skipped.push(['ADD', ...flags.map(String), first, ...rest].join(' '));
      } else if (keyword === 'USER') {
        user = first;
      } else if (keyword === 'CMD') {
        cmd = JSON.parse(instruction.getArgumentsContent() ?? '[]') as string[];
      }
    }
  } catch (error) {
    execFileSync('rm', ['-rf', top]);
    const detail = (error as { stderr?: Buffer | string }).stderr?.toString().trim();
    throw new Error(
      `building ${dockerfile} failed: ${(error as Error).message}${detail ? `\n${detail}` : ''}`,
    );
  }
  return {
    dir: local('.'),
    env: { ...env },
    user,
    cmd,
    baseImages,
    skipped,
    instructions,
    remove: () => execFileSync('rm', ['-rf', top]),
  };
}

/** The image's files, relative to its WORKDIR (for assertions on what it holds). */
export function listFiles(image: BuiltImage, under: string): string[] {
  return execFileSync('find', [join(image.dir, under), '-maxdepth', '1', '-mindepth', '1'])
    .toString()
    .trim()
    .split('\n')
    .map((path) => relative(image.dir, path));
}

/** A running image entrypoint: its output so far, and its exit. */
export interface Running {
  readonly url: string;
  readonly pid: number;
  readonly output: () => string;
  readonly exited: Promise<number | null>;
  readonly stop: (signal?: NodeJS.Signals) => void;
}

/** Runs the image's CMD with this machine's `node` (the base image's entrypoint), in its WORKDIR. */
export async function runImage(
  image: BuiltImage,
  env: Record<string, string>,
  /** Drop the process's standard output (a load test's request logs) instead of keeping it. */
  quiet = false,
): Promise<Running> {
  const port = await freePort();
  const child = spawn(process.execPath, [...image.cmd], {
    cwd: image.dir,
    env: { PATH: process.env.PATH, ...image.env, PORT: String(port), ...env },
    stdio: ['ignore', quiet ? 'ignore' : 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    url: `http://127.0.0.1:${port}`,
    pid: child.pid as number,
    output: () => output,
    exited,
    stop: (signal = 'SIGTERM') => child.kill(signal),
  };
}

/** Polls `url` until it answers `status` (the process may still be starting). */
export async function waitFor(url: string, status: number, running?: Running): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const answer = await fetch(url).then(
      (r) => r.status,
      () => 0,
    );
    if (answer === status) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} did not answer ${status} within 20 s:\n${running?.output() ?? ''}`);
}

/** The packages the image's node_modules holds (`pg`, `@types/pg`), whatever folders are left. */
export function packagesIn(image: BuiltImage): string[] {
  return execFileSync(
    'find',
    ['node_modules', '-mindepth', '2', '-maxdepth', '3', '-name', 'package.json'],
    {
      cwd: image.dir,
    },
  )
    .toString()
    .trim()
    .split('\n')
    .map((path) => path.replace(/^node_modules\//, '').replace(/\/package\.json$/, ''))
    .filter(
      (name) =>
        !name.includes('/node_modules') &&
        (name.startsWith('@') ? name.split('/').length === 2 : !name.includes('/')),
    );
}

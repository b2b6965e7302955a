/**
 * The shared shape of the delivery scripts' command lines (ci-env, stacks, plan-summary,
 * image-bump, smoke): `node:util` parseArgs in strict mode, so an unknown flag or a missing
 * argument is refused with the usage and exit 2, and a failure the user can act on is one line
 * and exit 1.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** A command line the script cannot run: printed with the usage, exit 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** A failure the user can act on: printed as one line, exit 1. */
export class ScriptError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScriptError';
  }
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** parseArgs in strict mode, its errors turned into {@link UsageError}s. */
export function parseCommandLine<O extends Options>(args: readonly string[], options: O) {
  try {
    return parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/**
 * Runs a script's `main`: a {@link UsageError} prints the message and the usage (exit 2), a
 * {@link ScriptError} its line (exit 1); anything else is a bug and keeps its stack trace.
 */
export function runCommand(
  usage: string,
  main: () => void | number | Promise<void | number>,
): void {
  Promise.resolve()
    .then(main)
    .then(
      (code) => {
        process.exitCode = typeof code === 'number' ? code : 0;
      },
      (error: unknown) => {
        if (error instanceof UsageError) {
          console.error(`${error.message}\n${usage}`);
          process.exitCode = 2;
        } else if (error instanceof ScriptError) {
          console.error(error.message);
          process.exitCode = 1;
        } else {
          console.error(error);
          process.exitCode = 1;
        }
      },
    );
}

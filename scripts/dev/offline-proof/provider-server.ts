import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { childEnvironment } from '../../lib/terraform';

/**
 * A provider plugin started once, in its debug mode, for every Terraform command of a run to
 * attach to (`TF_REATTACH_PROVIDERS`) instead of starting its own: loading the 700 MB AWS
 * provider and its schema is most of what a `terraform test` costs. Terraform only reads schemas
 * and validates through it here (the proof's providers are mocked), which one process serves to
 * many commands at once.
 */
export interface ProviderServer {
  /** `registry.terraform.io/hashicorp/aws` */
  readonly address: string;
  readonly pid: number;
  /** This provider's entry of `TF_REATTACH_PROVIDERS`. */
  readonly reattach: Record<string, unknown>;
  /** Why the provider stopped on its own, if it did (a crash): its exit and last output. */
  crashed(): string | undefined;
  stop(): Promise<void>;
}

const REATTACH = /TF_REATTACH_PROVIDERS='(\{.*\})'/;

/** The plugin binary of `provider` (e.g. `aws`) under an initialized `.terraform` directory. */
export function providerBinary(dotTerraform: string, provider: string): string | undefined {
  const base = join(dotTerraform, 'providers', 'registry.terraform.io', 'hashicorp', provider);
  if (!existsSync(base)) return undefined;
  for (const version of readdirSync(base)) {
    for (const platform of readdirSync(join(base, version))) {
      const dir = join(base, version, platform);
      const binary = readdirSync(dir).find((f) => f.startsWith(`terraform-provider-${provider}`));
      if (binary && statSync(join(dir, binary)).isFile()) return join(dir, binary);
    }
  }
  return undefined;
}

/**
 * Where the provider's socket directory goes: the temporary directory, unless its path is so long
 * that the socket's (`<dir>/tfp-XXXXXX/plugin<10 digits>`) would pass the 103 bytes a Unix socket
 * path may have (macOS; Linux allows 107): then `/tmp`, and the bind would otherwise fail with
 * "bind: invalid argument".
 */
export function socketParent(temp = tmpdir()): string {
  return Buffer.byteLength(temp) + '/tfp-XXXXXX/plugin0123456789'.length <= 103 ? temp : '/tmp';
}

/**
 * Starts `binary -debug` and waits (up to `timeoutMs`) for the reattach line it prints. Rejects
 * with the provider's own output if it exits or stays silent. `env` is the provider's
 * environment (its TMPDIR is set here).
 */
export function startProviderServer(
  provider: string,
  binary: string,
  timeoutMs = 60_000,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ProviderServer> {
  const address = `registry.terraform.io/hashicorp/${provider}`;
  // The provider's debug mode puts its socket in a `plugin*` directory under TMPDIR and leaves it
  // there when stopped: it gets a directory of its own, removed once it has exited.
  const socketDir = mkdtempSync(join(socketParent(), 'tfp-'));
  const child: ChildProcess = spawn(binary, ['-debug'], {
    env: childEnvironment(env, { TMPDIR: socketDir }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let stopping = false;
  let exit: string | undefined;
  const tail = () => output.slice(-2000).trim();
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const exited = new Promise<void>((resolve) =>
    child.on('exit', (code, signal) => {
      if (!stopping) exit = `exited with ${signal ?? `code ${code}`}:\n${tail()}`;
      rmSync(socketDir, { recursive: true, force: true });
      resolve();
    }),
  );

  return new Promise<ProviderServer>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      // Once it is gone, and its socket directory with it.
      void exited.then(() =>
        reject(
          new Error(
            `the ${provider} provider printed no reattach address in ${timeoutMs / 1000} s:\n${tail()}`,
          ),
        ),
      );
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      rmSync(socketDir, { recursive: true, force: true });
      reject(new Error(`could not start the ${provider} provider (${binary}): ${error.message}`));
    });
    const poll = (): void => {
      const match = REATTACH.exec(output);
      if (exit !== undefined) {
        clearTimeout(timer);
        reject(new Error(`the ${provider} provider ${exit}`));
      } else if (match) {
        clearTimeout(timer);
        const entries = JSON.parse(match[1]) as Record<string, Record<string, unknown>>;
        resolve({
          address,
          pid: child.pid ?? -1,
          reattach: entries[address] ?? Object.values(entries)[0],
          crashed: () => exit,
          stop: async () => {
            stopping = true;
            if (child.exitCode === null && child.signalCode === null) {
              child.kill('SIGTERM');
              const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
              await exited;
              clearTimeout(killer);
            }
          },
        });
      } else {
        setTimeout(poll, 20);
      }
    };
    poll();
  });
}

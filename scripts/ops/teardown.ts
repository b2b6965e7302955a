/**
 * `npm run teardown -- <env> [--confirm <env>] [--dry-run] [--timeout <duration>]`: destroys an
 * environment's stacks without leaving load balancers or Karpenter nodes in its VPC, which would
 * keep the network stack from being destroyed. Guide: docs/teardown.md; the order and the steps
 * are scripts/ops/teardown-steps.ts.
 *
 * `cdktf`, `kubectl` and `aws` are found on PATH, the project's node_modules/.bin last. Exit
 * codes: 0 torn down (or a dry run), 1 a step failed, 2 refused (usage, unknown environment or
 * flag, prod without `--confirm prod`).
 */
import { environments } from '../../environments';
import { runTeardown } from './teardown-steps';
import { REPO_ROOT } from '../lib/root';

function main(argv: string[]): number {
  // A Ctrl-C reaches the command running in the foreground too. Noting it here, rather than
  // dying, lets the run stop after that command, remove its temporary kubeconfig and print
  // the summary.
  let interrupted: string | undefined;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      interrupted = signal;
    });
  }
  return runTeardown(argv, {
    environments,
    root: REPO_ROOT,
    env: process.env,
    out: (line) => console.log(line),
    err: (line) => console.error(line),
    interrupted: () => interrupted,
  });
}

if (require.main === module) {
  process.exit(main(process.argv.slice(2)));
}

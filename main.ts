/**
 * Entry point of the CDKTF app (`cdktf synth`, `cdktf deploy`): validates every environment,
 * then builds the stacks of each one, checks them against the policy (constructs/policy), and
 * synthesizes them. Nothing is written when the config is invalid or a policy rule fails.
 *
 * Environment variables (read here and nowhere else):
 * - PLATFORM_ENV: synthesize one environment only (its name, e.g. `test`); default all.
 * - PLATFORM_BOOTSTRAP_LOCAL_STATE: local state file for the tfstate stack of PLATFORM_ENV;
 *   set by scripts/bootstrap.ts for the first apply only.
 */
import { ConfigValidationError, environments } from './environments';
import { PolicyViolationError } from './constructs/policy/engine';
import { synthesizePlatform } from './stacks/platform';

// cdktf records a stack trace for every token it creates, and with the source maps tsx turns on,
// Node maps each of those frames: about 150 ms of every synth, for traces nobody reads. Maps are
// back on before an error leaves, and V8 formats a stack only when it is read, so a crash still
// points at the TypeScript source.
process.setSourceMapsEnabled(false);
try {
  const app = synthesizePlatform(environments, {
    environmentName: process.env.PLATFORM_ENV,
    tfstateLocalStatePath: process.env.PLATFORM_BOOTSTRAP_LOCAL_STATE,
  });
  const stacks = app.node.children.map((stack) => stack.node.id);
  console.log(
    `Synthesized ${stacks.length} stacks into ${app.outdir}/stacks: ${stacks.join(', ')}`,
  );
} catch (error) {
  if (error instanceof ConfigValidationError || error instanceof PolicyViolationError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
} finally {
  process.setSourceMapsEnabled(true);
}

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

try {
  synthesizePlatform(environments, {
    environmentName: process.env.PLATFORM_ENV,
    tfstateLocalStatePath: process.env.PLATFORM_BOOTSTRAP_LOCAL_STATE,
  });
} catch (error) {
  if (error instanceof ConfigValidationError || error instanceof PolicyViolationError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}

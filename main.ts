/**
 * Entry point of the CDKTF app (`cdktf synth`, `cdktf deploy`): validates every environment,
 * then builds the stacks of each one, checks them against the policy (constructs/policy), and
 * synthesizes them. Nothing is written when the config is invalid or a policy rule fails.
 *
 * Environment variables (read here and nowhere else):
 * - PLATFORM_ENV: synthesize one environment only (its name, e.g. `test`); default all.
 * - PLATFORM_BOOTSTRAP_LOCAL_STATE: local state file for the tfstate stack of PLATFORM_ENV;
 *   set by scripts/ops/bootstrap.ts for the first apply only.
 * - CDKTF_OUTDIR, CDKTF_CONTEXT_JSON, CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS: set by the cdktf
 *   CLI (`cdktf synth`, `diff`, `deploy`) when it runs this app; see `reportUnderCli`.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigValidationError, environments } from './environments';
import { PolicyViolationError } from './constructs/policy/engine';
import { TemplateStringError } from './constructs/template-strings';
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
    `Synthesized ${stacks.length} stacks into ${app.outdir}/stacks: ${stacks.join(', ')}. ` +
      "Next: npm run plan:offline proves them offline; npx cdktf diff '<env>-*' plans them against AWS.",
  );
} catch (error) {
  if (
    error instanceof ConfigValidationError ||
    error instanceof PolicyViolationError ||
    error instanceof TemplateStringError
  ) {
    if (!reportUnderCli(error.message)) {
      console.error(error.message);
      process.exit(1);
    }
    process.exit(0);
  }
  throw error;
} finally {
  process.setSourceMapsEnabled(true);
}

/**
 * Under the cdktf CLI, prints `message` so that it appears once. The CLI (0.21) shows every byte
 * the app writes as it comes (stdout as is, stderr through its logger) and, when the app exits
 * non-zero, all of it again in its own error: on either stream, a failing app's message shows
 * twice. So here the app prints to stdout, removes the outdir's manifest (a previous synth's
 * would be taken for this one's) and exits 0: the CLI finds no manifest and fails the command
 * itself (exit 1). Returns false, having done nothing, when the CLI did not start this process.
 */
function reportUnderCli(message: string): boolean {
  const outdir = process.env.CDKTF_OUTDIR;
  // All three are set by the CLI's synth step (@cdktf/cli-core synth-stack), not by our scripts.
  const underCli =
    outdir &&
    process.env.CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS === 'true' &&
    process.env.CDKTF_CONTEXT_JSON?.includes('"cdktfRelativeModules"');
  if (!underCli) return false;
  try {
    rmSync(join(outdir, 'manifest.json'), { force: true });
  } catch {
    return false;
  }
  console.log(
    `${message}\n(cdktf then reports that the app wrote no manifest: it stopped on the problems above.)`,
  );
  return true;
}

/**
 * What the offline proof's test files need from the machine (see docs/testing.md): `terraform`
 * on PATH and a provider mirror (TF_PROVIDER_MIRROR, else the machine's, found as npm test finds
 * it). Missing either fails those files with the fix, unless SKIP_TERRAFORM=1, which skips them
 * and says so loudly.
 */
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { describe, it } from 'vitest';
import { findProviderMirror } from '../../scripts/dev/find-provider-mirror';
import { TERRAFORM_MISSING } from '../../scripts/lib/terraform';

export const skipRequested = process.env.SKIP_TERRAFORM === '1';
// On PATH; `npm test` has run it once already (scripts/dev/test-tools.ts).
const terraformFound = (process.env.PATH ?? '')
  .split(delimiter)
  .some((dir) => dir !== '' && existsSync(join(dir, 'terraform')));

/**
 * The provider mirror the proof installs from, when there is one (an empty TF_PROVIDER_MIRROR
 * counts as unset, as it does for the scripts).
 */
export const mirror =
  process.env.TF_PROVIDER_MIRROR ||
  (terraformFound && !skipRequested ? findProviderMirror() : undefined);

/** Why the proof cannot run here, with the fix; undefined when it can. */
export const missing = !terraformFound
  ? { reason: 'terraform is not on PATH', message: TERRAFORM_MISSING }
  : !mirror
    ? {
        reason: 'no provider mirror',
        message:
          'TF_PROVIDER_MIRROR is not set and no filesystem mirror of hashicorp/aws was found: the offline proof ' +
          'installs providers from one. Set TF_PROVIDER_MIRROR to its root, or set SKIP_TERRAFORM=1 to skip the proof, loudly.',
      }
    : undefined;

/** Said once per file that runs the proof: skipped (loudly), or where its providers come from. */
export function announce(): void {
  if (missing && skipRequested) {
    console.warn(
      `\n${'!'.repeat(78)}\n!! SKIP_TERRAFORM=1 (${missing.reason}): the offline Terraform proof was SKIPPED.\n` +
        `!! No stack was validated or mock-applied by Terraform in this run.\n${'!'.repeat(78)}\n`,
    );
  } else if (mirror) {
    console.log(`offline proof: providers from ${mirror}`);
  }
}

/**
 * A describe block that needs Terraform and the provider mirror: without them it fails with the
 * fix, or under SKIP_TERRAFORM=1 it is skipped (and {@link announce} says so).
 */
export function describeWithTerraform(title: string, body: () => void): void {
  describe.skipIf(Boolean(missing) && skipRequested)(title, () => {
    if (missing) {
      const { message } = missing;
      it('has terraform and a provider mirror', () => {
        throw new Error(message);
      });
      return;
    }
    body();
  });
}

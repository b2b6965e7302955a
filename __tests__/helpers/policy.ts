import { TerraformStack, Testing } from 'cdktf';
import { EKS_STANDARD_SUPPORT } from '../../constructs/eks/platform-cluster';
import { type Finding, formatFinding } from '../../constructs/policy/engine';
import { checkStack } from '../../constructs/policy/policy-aspect';
import { allRules } from '../../constructs/policy/rules';
import { POLICY_SUPPRESSIONS } from '../../environments/policy-suppressions';

/**
 * The policy findings (constructs/policy) of a stack named `stackName`, holding what `build`
 * adds, as a prod synth checks it: every rule, no trade-off, the reviewed suppressions.
 */
export function prodFindings(stackName: string, build: (stack: TerraformStack) => void): Finding[] {
  const stack = new TerraformStack(Testing.app(), stackName);
  build(stack);
  return checkStack(stack, {
    production: true,
    acceptedTradeoffs: [],
    rules: allRules({ supportedKubernetesVersions: Object.keys(EKS_STANDARD_SUPPORT) }),
    suppressions: POLICY_SUPPRESSIONS,
  });
}

/** The findings no suppression covers, one line each. */
export const unsuppressed = (all: Finding[]): string[] =>
  all.filter((f) => !f.suppressedBecause).map(formatFinding);

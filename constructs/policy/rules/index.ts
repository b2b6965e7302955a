import type { PolicyRule } from '../engine';
import { eksRules } from './eks';
import { iamRules } from './iam';
import { networkRules } from './network';
import { observabilityRules } from './observability';
import { rdsRules } from './rds';
import { storageRules } from './storage';

export interface RuleOptions {
  /** Kubernetes versions in EKS standard support. */
  readonly supportedKubernetesVersions: readonly string[];
}

/** Every rule, in report order. Adding a rule: write it in the matching file, add a fixture test. */
export function allRules(options: RuleOptions): PolicyRule[] {
  return [
    ...storageRules,
    ...networkRules,
    ...eksRules(options.supportedKubernetesVersions),
    ...rdsRules,
    ...iamRules,
    ...observabilityRules,
  ];
}

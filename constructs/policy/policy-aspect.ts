import { type IAspect, TerraformStack } from 'cdktf';
import type { IConstruct } from 'constructs';
import {
  evaluate,
  type Finding,
  formatFinding,
  type Json,
  type PolicyRule,
  type Suppression,
  stackView,
  type Tradeoff,
} from './engine';

export interface PolicyContext {
  readonly production: boolean;
  readonly acceptedTradeoffs: readonly Tradeoff[];
  readonly rules: readonly PolicyRule[];
  readonly suppressions: readonly Suppression[];
}

/** Every finding of the rules on a stack, suppressed ones included (marked). */
export function checkStack(stack: TerraformStack, context: PolicyContext): Finding[] {
  const json = stack.toTerraform() as Json;
  return evaluate(stackView(stack.node.id, json, context), context.rules, context.suppressions);
}

const registered = new WeakSet<TerraformStack>();

/**
 * Applies the policy to every stack it visits: the stack gets a validation that fails its synth
 * with one line per unsuppressed finding.
 */
export class PolicyAspect implements IAspect {
  constructor(private readonly context: PolicyContext) {}

  public visit(node: IConstruct): void {
    if (!(node instanceof TerraformStack) || registered.has(node)) return;
    registered.add(node);
    node.node.addValidation({
      validate: () =>
        checkStack(node, this.context)
          .filter((f) => !f.suppressedBecause)
          .map(formatFinding),
    });
  }
}

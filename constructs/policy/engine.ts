/**
 * The policy engine: rules over a stack's synthesized Terraform JSON (what a scanner such as
 * checkov or trivy reads), named after the scanners' check ids so a finding reads like theirs.
 * It knows nothing of environments: the caller passes the context (production or not, the
 * accepted cost trade-offs) and the reviewed suppressions.
 */

/** Cost trade-offs an environment may accept by name; each relaxes one rule. */
export const TRADEOFFS = ['nat-per-az', 'multi-az-database', 'public-endpoint-allow-list'] as const;
export type Tradeoff = (typeof TRADEOFFS)[number];

export type Json = Record<string, unknown>;

/** One resource of a stack, as synthesized. */
export interface ResourceView {
  readonly type: string;
  readonly name: string;
  /** `type.name`, as in a plan. */
  readonly address: string;
  /** The construct path (`test-network/network/vpc`), stable across logical id changes. */
  readonly path: string;
  readonly config: Json;
}

export interface StackView {
  readonly stack: string;
  readonly production: boolean;
  readonly acceptedTradeoffs: readonly Tradeoff[];
  readonly resources: readonly ResourceView[];
  /** Resources of the given types. */
  of(...types: string[]): ResourceView[];
}

/** A problem a rule found on one resource. */
export interface Violation {
  readonly resource: ResourceView;
  readonly problem: string;
}

export interface PolicyRule {
  /** Our id, e.g. `EKS-002`. */
  readonly id: string;
  /** The scanners' ids for the same check, e.g. `['CKV_AWS_39', 'AVD-AWS-0040']`. */
  readonly scannerIds: readonly string[];
  /** What it checks, one line. */
  readonly title: string;
  /** How to fix a violation. */
  readonly fix: string;
  /** The trade-off that relaxes it (only where the environment accepts it). */
  readonly relaxedBy?: Tradeoff;
  check(stack: StackView): Violation[];
}

/** A reviewed exception: one rule, the resources it covers, and why. */
export interface Suppression {
  readonly rule: string;
  /** Construct path pattern; `*` matches within one path segment, `**` across segments. */
  readonly path: string;
  readonly justification: string;
}

export interface Finding {
  readonly rule: PolicyRule;
  readonly stack: string;
  readonly resource: ResourceView;
  readonly problem: string;
  /** Set when a suppression or an accepted trade-off covers it. */
  readonly suppressedBecause?: string;
}

/** The finding as one line: our id, the scanners', stack, address, problem, fix. */
export function formatFinding(finding: Finding): string {
  const { rule } = finding;
  const ids = rule.scannerIds.length > 0 ? ` (${rule.scannerIds.join(' / ')})` : '';
  return `${rule.id}${ids} ${finding.stack} ${finding.resource.address}: ${finding.problem}. Fix: ${rule.fix}`;
}

/** Builds the view of a synthesized stack document. */
export function stackView(
  stack: string,
  json: Json,
  context: { production: boolean; acceptedTradeoffs: readonly Tradeoff[] },
): StackView {
  const resources: ResourceView[] = [];
  const blocks = (json.resource ?? {}) as Record<string, Record<string, Json>>;
  for (const [type, byName] of Object.entries(blocks)) {
    for (const [name, config] of Object.entries(byName)) {
      const metadata = (config['//'] as { metadata?: { path?: string } } | undefined)?.metadata;
      resources.push({
        type,
        name,
        address: `${type}.${name}`,
        path: metadata?.path ?? `${stack}/${name}`,
        config,
      });
    }
  }
  return {
    stack,
    ...context,
    resources,
    of: (...types) => resources.filter((r) => types.includes(r.type)),
  };
}

function pathPattern(pattern: string): RegExp {
  const escaped = pattern
    .split('**')
    .map((part) =>
      part
        .split('*')
        .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
        .join('[^/]*'),
    )
    .join('.*');
  return new RegExp(`^${escaped}$`);
}

/** Runs every rule on a stack; findings covered by a suppression or trade-off are marked. */
export function evaluate(
  view: StackView,
  rules: readonly PolicyRule[],
  suppressions: readonly Suppression[],
): Finding[] {
  const findings: Finding[] = [];
  for (const rule of rules) {
    for (const violation of rule.check(view)) {
      const suppression = suppressions.find(
        (s) => s.rule === rule.id && pathPattern(s.path).test(violation.resource.path),
      );
      const tradeoff =
        rule.relaxedBy && !view.production && view.acceptedTradeoffs.includes(rule.relaxedBy)
          ? `accepted cost trade-off '${rule.relaxedBy}' of a non-production environment`
          : undefined;
      findings.push({
        rule,
        stack: view.stack,
        resource: violation.resource,
        problem: violation.problem,
        ...(suppression || tradeoff
          ? { suppressedBecause: suppression ? suppression.justification : tradeoff }
          : {}),
      });
    }
  }
  return findings;
}

/** Thrown when a synth finds violations: one line per finding. */
export class PolicyViolationError extends Error {
  constructor(public readonly findings: readonly Finding[]) {
    super(
      `Policy check failed (${findings.length} finding${findings.length === 1 ? '' : 's'}); nothing was synthesized:\n` +
        findings.map((f) => `  - ${formatFinding(f)}`).join('\n'),
    );
    this.name = 'PolicyViolationError';
  }
}

// ---- helpers for rules -------------------------------------------------------------------

/** A Terraform reference to a resource (`${aws_s3_bucket.x.id}`) points at that resource. */
export function refersTo(value: unknown, resource: ResourceView): boolean {
  return new RegExp(
    `\\$\\{${resource.type}\\.${resource.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}[.}\\[]`,
  ).test(JSON.stringify(value ?? ''));
}

/** The resources of `types` whose attribute `attribute` refers to `target`. */
export function referencing(
  view: StackView,
  target: ResourceView,
  types: string[],
  attribute: string,
): ResourceView[] {
  return view.of(...types).filter((r) => refersTo(r.config[attribute], target));
}

/** The first element of a block that CDKTF may render as an object or a one-element list. */
export function block(value: unknown): Json | undefined {
  if (Array.isArray(value)) return value[0] as Json | undefined;
  return value && typeof value === 'object' ? (value as Json) : undefined;
}

export function list(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

export interface PolicyStatementJson {
  Sid?: string;
  Effect?: string;
  Principal?: unknown;
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  Condition?: Json;
}

/** Statements of a JSON policy document attribute; none if it is not a literal document. */
export function statements(document: unknown): PolicyStatementJson[] {
  if (typeof document !== 'string') return [];
  try {
    const parsed = JSON.parse(document) as {
      Statement?: PolicyStatementJson | PolicyStatementJson[];
    };
    return list(parsed.Statement) as PolicyStatementJson[];
  } catch {
    return [];
  }
}

export function isOpenCidr(cidr: unknown): boolean {
  return cidr === '0.0.0.0/0' || cidr === '::/0';
}

/** Shorthand: one violation per resource that fails `ok`. */
export function each(
  resources: readonly ResourceView[],
  problem: (r: ResourceView) => string | undefined,
): Violation[] {
  return resources.flatMap((resource) => {
    const found = problem(resource);
    return found ? [{ resource, problem: found }] : [];
  });
}

/**
 * `npm run policy [-- --findings]`: every policy rule, what it checks, and its result per
 * environment: passed, suppressed (with the reason) or failed. Builds the stacks in memory; writes
 * nothing. Exits 1 if any rule fails, 2 on an unknown argument. `--findings` also lists every
 * finding, suppressed ones too; `--help` prints the usage.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'cdktf';
import { environments, validateEnvironments } from '../../environments';
import { type Finding, formatFinding, type PolicyRule } from '../../constructs/policy/engine';
import { checkStack } from '../../constructs/policy/policy-aspect';
import { allStacks, buildEnvironment, policyContext } from '../../stacks/platform';

export interface PolicyReport {
  readonly rules: readonly PolicyRule[];
  /** Findings by environment name. */
  readonly findings: Readonly<Record<string, readonly Finding[]>>;
}

/** Evaluates every environment's stacks. */
export function policyReport(): PolicyReport {
  validateEnvironments(environments);
  const outdir = mkdtempSync(join(tmpdir(), 'policy-report-'));
  try {
    const app = new App({ outdir });
    const findings: Record<string, Finding[]> = {};
    for (const environment of environments) {
      const stacks = buildEnvironment(app, environment);
      findings[environment.name] = allStacks(stacks).flatMap((stack) =>
        checkStack(stack, policyContext(environment)),
      );
    }
    return { rules: policyContext(environments[0]).rules, findings };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** A rule's result in one environment. */
export function resultOf(rule: PolicyRule, findings: readonly Finding[]): string {
  const mine = findings.filter((f) => f.rule.id === rule.id);
  const failed = mine.filter((f) => !f.suppressedBecause);
  if (failed.length > 0) return `FAILED (${failed.length})`;
  if (mine.length > 0) {
    const reasons = [...new Set(mine.map((f) => f.suppressedBecause))];
    return `suppressed: ${reasons.join('; ')}`;
  }
  return 'passed';
}

export function formatPolicyReport(report: PolicyReport, withFindings: boolean): string {
  const envs = Object.keys(report.findings);
  const lines = [
    `| rule | scanner ids | checks | ${envs.join(' | ')} |`,
    `|---|---|---|${envs.map(() => '---|').join('')}`,
  ];
  for (const rule of report.rules) {
    const results = envs.map((env) => resultOf(rule, report.findings[env]));
    lines.push(
      `| ${rule.id} | ${rule.scannerIds.join(', ') || '—'} | ${rule.title} | ${results.join(' | ')} |`,
    );
  }
  const failed = envs.flatMap((env) => report.findings[env].filter((f) => !f.suppressedBecause));
  if (withFindings || failed.length > 0) {
    lines.push('');
    for (const env of envs) {
      for (const f of report.findings[env]) {
        if (withFindings || !f.suppressedBecause) {
          lines.push(
            `${f.suppressedBecause ? 'suppressed' : 'FAILED'}: ${formatFinding(f)}${f.suppressedBecause ? ` [${f.suppressedBecause}]` : ''}`,
          );
        }
      }
    }
  }
  // The closing line: what was checked and the result, and what to do about a failure.
  lines.push(
    '',
    `${report.rules.length} rules checked in ${envs.join(', ')}; ${failed.length} unsuppressed finding(s).` +
      (failed.length > 0
        ? ' Fix each FAILED finding above, or suppress it with a justification in environments/policy-suppressions.ts (docs/security.md).'
        : ''),
  );
  return lines.join('\n');
}

export const POLICY_USAGE =
  'usage: npm run policy [-- --findings]   (--findings: list every finding, suppressed ones too; --help: this)';

/** The flags `npm run policy` takes. */
const POLICY_FLAGS = ['--findings', '--help'];

/**
 * Reads the arguments: `{ findings }`, `'help'`, or the one-line complaint about the first
 * argument it does not know.
 */
export function parsePolicyArgs(
  argv: readonly string[],
): { readonly findings: boolean } | 'help' | { readonly unknown: string } {
  const unknown = argv.find((arg) => !POLICY_FLAGS.includes(arg) && arg !== '-h');
  if (unknown !== undefined) {
    return {
      unknown: `npm run policy: unknown argument "${unknown}"; valid: ${POLICY_FLAGS.join(', ')}`,
    };
  }
  if (argv.includes('--help') || argv.includes('-h')) return 'help';
  return { findings: argv.includes('--findings') };
}

/** The command: the table (or the usage, or the complaint); returns the exit code. */
export function main(
  argv: readonly string[],
  out: { log(line: string): void; error(line: string): void } = console,
): number {
  const args = parsePolicyArgs(argv);
  if (args === 'help') {
    out.log(POLICY_USAGE);
    return 0;
  }
  if ('unknown' in args) {
    out.error(args.unknown);
    return 2;
  }
  const report = policyReport();
  out.log(formatPolicyReport(report, args.findings));
  const failed = Object.values(report.findings).some((fs) => fs.some((f) => !f.suppressedBecause));
  return failed ? 1 : 0;
}

if (require.main === module) process.exit(main(process.argv.slice(2)));

/**
 * The placeholder values of an environment: what the committed config holds until someone puts
 * in the real account, roles, ranges, addresses, zone and images. The schema accepts them (they
 * are well-formed), and a deploy would only fail minutes in, or worse succeed: alarms mailed to
 * example.com, an API open to a documentation range nobody owns.
 *
 * Every string of the config is checked against the patterns (so a new field is covered without
 * a rule of its own); the path decides the message and the fix. `npm run preflight -- <env>`
 * prints them all; `npm run bootstrap` refuses to start while any is left but the service images
 * (`bootstrapPlaceholders`), which can only be real once their repositories exist.
 * `tags.repository` is informational (a tag) and never refused.
 */
import { contains, parseCidr } from '../../constructs/network/cidr';
import type { ConfigIssue, EnvironmentConfig } from '../../environments';
import { formatIssue } from '../../environments/validation';

/** When a placeholder must be gone: before the bootstrap, or before the stack that uses it. */
export type PlaceholderGroup = 'bootstrap' | 'access' | 'dns' | 'recipients' | 'images' | 'other';

/** One value to replace: `path` (`environments.test.accountId`), `value`, `problem`, `fix`. */
export interface Placeholder extends ConfigIssue {
  readonly value: string;
  readonly group: PlaceholderGroup;
}

/** Each group's heading, in the order they are needed. */
export const PLACEHOLDER_GROUPS: Readonly<Record<PlaceholderGroup, string>> = {
  bootstrap: 'account and state backend',
  access: 'access to the cluster (before <env>-eks-infra)',
  dns: 'DNS (before <env>-eks-infra: it looks the zone up)',
  recipients: 'alarm and alert recipients (before <env>-eks-infra and <env>-rds)',
  images: 'service images (before <env>-service-<name>: push the first image, then set its tag)',
  other: 'other placeholders',
};

/** Paths (inside the environment) the bootstrap's tfstate stack uses. */
const BOOTSTRAP_PATHS = [
  'accountId',
  'region',
  'availabilityZones',
  'state',
  'k8s.ingress.accessLogBucketName',
  'delivery',
];

const RESERVED_DOMAIN = /(^|\.)(example\.(com|net|org)|example|test|invalid|localhost)$/i;
const DNS_NAME = /^([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\.)*[a-z]{2,63}$/i;
const EMAIL = /^[^@\s]+@([^@\s]+)$/;
const ACCOUNT_IDS = /(?<!\d)\d{12}(?!\d)/g;
/** RFC 5737: addresses for documentation, routed nowhere. */
const DOCUMENTATION_RANGES = ['192.0.2.0/24', '198.51.100.0/24', '203.0.113.0/24'];
const PLACEHOLDER_IMAGE = /^(sha-0+|sha256:0{64})$/;

const ACCOUNT_FIX = 'the account id of `aws sts get-caller-identity --query Account --output text`';

/** An id of one repeated digit, or the counting sequences people type (123456789012). */
export function isPlaceholderAccountId(id: string): boolean {
  return /^(\d)\1{11}$/.test(id) || id === '123456789012' || id === '012345678901';
}

/** Whether a DNS name is, or lies under, a name RFC 2606 / RFC 6761 reserves. */
export function isReservedDomain(name: string): boolean {
  return RESERVED_DOMAIN.test(name.replace(/\.$/, ''));
}

/** Whether `block` lies inside one of the RFC 5737 documentation ranges. */
export function isDocumentationCidr(block: string): boolean {
  const parsed = parseCidr(block);
  if (typeof parsed === 'string') return false;
  return DOCUMENTATION_RANGES.some((range) => {
    const outer = parseCidr(range);
    return typeof outer !== 'string' && contains(outer, parsed);
  });
}

type Finding = Pick<Placeholder, 'problem' | 'fix'>;

/** What is wrong with `value` at `at` (a path inside the environment), if it is a placeholder. */
function check(at: string, value: string, environment: EnvironmentConfig): Finding | undefined {
  const file = `environments/${environment.name}.ts`;
  if (at === 'tags.repository') return undefined;

  const fakeId = [...value.matchAll(ACCOUNT_IDS)].map((m) => m[0]).find(isPlaceholderAccountId);
  if (fakeId !== undefined) {
    const realId = isPlaceholderAccountId(environment.accountId)
      ? undefined
      : environment.accountId;
    const withReal = (text: string) => text.split(fakeId).join(realId ?? '<account id>');
    if (at === 'accountId') {
      return {
        problem: 'is a placeholder account id',
        fix: `use ${ACCOUNT_FIX}, run with the ${environment.name} account's credentials (a string, leading zeros kept)`,
      };
    }
    if (at.startsWith('eks.adminRoleArns')) {
      return {
        problem: 'is a role in a placeholder account',
        fix: `use the ARN of the role your platform team assumes in the account (\`aws iam get-role --role-name <name> --query Role.Arn\`), e.g. ${withReal(value)}`,
      };
    }
    if (at === 'state.kmsKeyArn') {
      return {
        problem: 'is a key in a placeholder account',
        fix: 'remove it: `npm run bootstrap` prints the ARN to set once the key exists',
      };
    }
    if (/bucketName$/i.test(at)) {
      return {
        problem: 'is a bucket name built on a placeholder account id',
        fix: `use the real account id in it: "${withReal(value)}" (bucket names are global)`,
      };
    }
    return {
      problem: `contains the placeholder account id ${fakeId}`,
      fix: `replace it with the real account id in ${file}`,
    };
  }

  if (isDocumentationCidr(value)) {
    return {
      problem: 'is a documentation range (RFC 5737) that no one is routed from',
      fix: at.startsWith('eks.publicAccessCidrs')
        ? 'list your office or VPN egress ranges (one address: `curl -s https://checkip.amazonaws.com`, as <ip>/32), or [] for a private-only endpoint (then deploy eks-k8s from inside the VPC)'
        : 'use the real range',
    };
  }

  const email = EMAIL.exec(value);
  if (email && isReservedDomain(email[1])) {
    return {
      problem: 'is an address at a reserved example domain (RFC 2606): nobody would receive it',
      fix: "use the on-call list's address; each recipient confirms the SNS subscription AWS mails after the deploy",
    };
  }

  if (DNS_NAME.test(value) && value.includes('.') && isReservedDomain(value)) {
    if (at === 'dns.hostedZoneName') {
      return {
        problem: 'is a reserved example domain (RFC 2606): no such zone can be yours',
        fix: `give the public Route53 hosted zone of the ${environment.name} account (\`aws route53 list-hosted-zones --query 'HostedZones[?!Config.PrivateZone].Name'\`), delegated from its parent zone`,
      };
    }
    return {
      problem: 'is under a reserved example domain (RFC 2606)',
      fix:
        at === 'dns.domain'
          ? `use the hosted zone, or a name inside it (e.g. ${environment.name}.<your zone>): services get <host>.<domain>`
          : 'use a name in your own domain',
    };
  }

  if (PLACEHOLDER_IMAGE.test(value)) {
    const service = /^services\.([^.]+)\./.exec(at)?.[1] ?? '<name>';
    return {
      problem: 'is the placeholder image tag: the repository holds no such image',
      fix: `push the first image to platform/${service} and use its tag (sha-<7 characters of the commit>); the first deploy of ${environment.name}-service-${service} is in docs/getting-started.md`,
    };
  }
  return undefined;
}

function groupOf(at: string): PlaceholderGroup {
  const under = (prefix: string) =>
    at === prefix || at.startsWith(`${prefix}.`) || at.startsWith(`${prefix}[`);
  if (BOOTSTRAP_PATHS.some(under)) return 'bootstrap';
  if (['eks.adminRoleArns', 'eks.publicAccessCidrs'].some(under)) {
    return 'access';
  }
  if (under('dns')) return 'dns';
  if (['rds.alarmEmails', 'k8s.monitoring.alertEmails'].some(under)) return 'recipients';
  if (under('services')) return 'images';
  return 'other';
}

/** Every string of `value` with its path (`.state.bucketName`, `.eks.adminRoleArns[0]`). */
function* strings(value: unknown, at = ''): Generator<[string, string]> {
  if (typeof value === 'string') {
    yield [at, value];
  } else if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) yield* strings(item, `${at}[${i}]`);
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) yield* strings(item, `${at}.${key}`);
  }
}

/** The environment's placeholder values, in the config's order. */
export function placeholders(environment: EnvironmentConfig): Placeholder[] {
  const found: Placeholder[] = [];
  for (const [at, value] of strings(environment)) {
    const inside = at.slice(1);
    const finding = check(inside, value, environment);
    if (finding) {
      found.push({
        path: `environments.${environment.name}${at}`,
        value,
        ...finding,
        group: groupOf(inside),
      });
    }
  }
  return found;
}

/**
 * The placeholders the bootstrap refuses to start with: all but the service images. The account
 * and the state backend's names are the tfstate stack's own; roles, ranges, recipients and the
 * zone are needed by the stacks right after it, and a newcomer replaces them all in one sitting.
 * An image tag can only be real once the service stack has made its repository.
 */
export function bootstrapPlaceholders(environment: EnvironmentConfig): Placeholder[] {
  return placeholders(environment).filter((p) => p.group !== 'images');
}

/** The report: a heading per group, in the order the groups are needed, one line per value. */
export function formatPlaceholders(
  environmentName: string,
  found: readonly Placeholder[],
): string[] {
  const lines: string[] = [];
  for (const [group, heading] of Object.entries(PLACEHOLDER_GROUPS)) {
    const inGroup = found.filter((p) => p.group === group);
    if (inGroup.length === 0) continue;
    lines.push('', `${heading.replace(/<env>/g, environmentName)}:`);
    lines.push(...inGroup.map((p) => `  - ${formatIssue(p)}`));
  }
  return lines;
}

/** `1 placeholder value`, `14 placeholder values`. */
export const count = (n: number): string => `${n} placeholder value${n === 1 ? '' : 's'}`;

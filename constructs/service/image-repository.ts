import { EcrLifecyclePolicy } from '@cdktf/provider-aws/lib/ecr-lifecycle-policy';
import { EcrRepository } from '@cdktf/provider-aws/lib/ecr-repository';
import { Token } from 'cdktf';
import { Construct } from 'constructs';
import type { PolicyDocument } from '../iam/policy-document';
import { EncryptionKey } from '../kms-key';

/**
 * ECR's repository name grammar (CreateRepository `repositoryName`): lowercase components
 * separated by `.`, `_` or `-`, optionally under `/`-separated namespaces.
 */
const REPOSITORY_NAME = /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;

/** The start of an image tag, by Docker's tag grammar: `[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`. */
const TAG_PREFIX = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

/** KMS alias names: `alias/` then letters, digits, `/`, `_` and `-`, 256 characters at most. */
const KEY_ALIAS_PREFIX = 'ecr/';
const MAX_ALIAS_LENGTH = 256;

/** ECR refuses a lifecycle policy text longer than this (same quotas page, not adjustable). */
const MAX_LIFECYCLE_POLICY_LENGTH = 30_720;

/**
 * The count that makes a rule keep every image it selects: ECR's default quota of images per
 * repository (Amazon ECR User Guide, "Amazon ECR service quotas",
 * https://docs.aws.amazon.com/AmazonECR/latest/userguide/service-quotas.html: 10,000,
 * adjustable). A rule that expires "images beyond the newest 10,000" never expires anything in
 * a repository that cannot hold more than 10,000 images. Raising that quota above this number
 * weakens the guarantee; no repository of ours holds that many.
 */
export const KEEP_ALL_COUNT = 10_000;

/** What a lifecycle rule selects: tagged images by tag prefix, or untagged images. */
export type LifecycleTagSelection =
  | { readonly tagStatus: 'tagged'; readonly tagPrefixList: readonly string[] }
  | { readonly tagStatus: 'untagged' };

/** How a lifecycle rule counts: keep the newest N, or expire after N days. */
export type LifecycleCount =
  | { readonly countType: 'imageCountMoreThan'; readonly countNumber: number }
  | {
      readonly countType: 'sinceImagePushed';
      readonly countUnit: 'days';
      readonly countNumber: number;
    };

/**
 * One rule of an ECR lifecycle policy. The types admit only combinations ECR accepts:
 * `tagPrefixList` only with `tagged`, `countUnit` only with `sinceImagePushed` (ECR's schema
 * refuses the others, and `null` in their place, at apply).
 */
export interface LifecycleRule {
  readonly rulePriority: number;
  readonly description: string;
  readonly selection: LifecycleTagSelection & LifecycleCount;
  readonly action: { readonly type: 'expire' };
}

export interface LifecyclePolicyDocument {
  readonly rules: readonly LifecycleRule[];
}

export interface ImageLifecycleOptions {
  readonly untaggedExpiryDays: number;
  readonly keepTagPrefix: string;
  readonly keepTaggedCount: number;
  readonly protectedTagPrefixes: readonly string[];
}

/**
 * The lifecycle policy of a service's image repository.
 *
 * Written against the documented evaluation rules (Amazon ECR User Guide, "Automate the cleanup
 * of images by using lifecycle policies", https://docs.aws.amazon.com/AmazonECR/latest/userguide/LifecyclePolicies.html,
 * and "Lifecycle policy properties",
 * https://docs.aws.amazon.com/AmazonECR/latest/userguide/lifecycle_policy_parameters.html):
 * - rules are applied by `rulePriority`, lowest first, and an image is expired by one rule or none;
 * - "an image that matches the tagging requirements of a rule cannot be expired by a rule with a
 *   lower priority": so one rule per protected prefix, at the highest priorities, whose count
 *   ({@link KEEP_ALL_COUNT}) is never exceeded, shields those images from the rules below. One
 *   rule per prefix, because a `tagPrefixList` of several prefixes selects only images that
 *   carry all of them;
 * - with `imageCountMoreThan`, images are sorted newest first and those beyond the count expire;
 *   with `sinceImagePushed` (unit `days`), images pushed more than the count of days ago expire;
 * - `tagged` requires `tagPrefixList`, `untagged` forbids it; only one rule may select untagged
 *   images; the rules' tag prefixes must be unique; there is no `any` rule, so a tag matching no
 *   rule is never expired.
 * An image that carries a protected tag and a `keepTagPrefix` tag still counts among the newest
 * `keepTaggedCount` of the keep rule (rules "can still identify" images they cannot expire).
 */
export function imageLifecyclePolicy(options: ImageLifecycleOptions): LifecyclePolicyDocument {
  const protectedRules: LifecycleRule[] = options.protectedTagPrefixes.map((prefix, i) => ({
    rulePriority: i + 1,
    description: `Never expire images tagged ${prefix}*`,
    selection: {
      tagStatus: 'tagged',
      tagPrefixList: [prefix],
      countType: 'imageCountMoreThan',
      countNumber: KEEP_ALL_COUNT,
    },
    action: { type: 'expire' },
  }));
  const next = protectedRules.length + 1;
  return {
    rules: [
      ...protectedRules,
      {
        rulePriority: next,
        description: `Keep the newest ${options.keepTaggedCount} images tagged ${options.keepTagPrefix}*`,
        selection: {
          tagStatus: 'tagged',
          tagPrefixList: [options.keepTagPrefix],
          countType: 'imageCountMoreThan',
          countNumber: options.keepTaggedCount,
        },
        action: { type: 'expire' },
      },
      {
        rulePriority: next + 1,
        description: `Expire untagged images ${options.untaggedExpiryDays} days after push`,
        selection: {
          tagStatus: 'untagged',
          countType: 'sinceImagePushed',
          countUnit: 'days',
          countNumber: options.untaggedExpiryDays,
        },
        action: { type: 'expire' },
      },
    ],
  };
}

export interface ImageRepositoryProps {
  /**
   * The ECR repository name, e.g. `platform/frontend`: 2 to 256 characters, lowercase, by ECR's
   * grammar `(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*`.
   */
  readonly repositoryName: string;
  /** Account that owns the repository and its key; the key policy delegates to its IAM. */
  readonly accountId: string;
  /**
   * Days after its push before an untagged image expires.
   * @default 7
   */
  readonly untaggedExpiryDays?: number;
  /**
   * How many of the newest images tagged with `keepTagPrefix` are kept; older ones expire.
   * @default 50
   */
  readonly keepTaggedCount?: number;
  /**
   * The tag prefix of the images CI pushes, one per commit.
   * @default 'sha-'
   */
  readonly keepTagPrefix?: string;
  /**
   * Tag prefixes whose images never expire (e.g. `v` for releases), even when they also carry a
   * `keepTagPrefix` tag and fall out of the newest `keepTaggedCount`. Must not overlap
   * `keepTagPrefix` (neither may start with the other).
   * @default - none: only `keepTagPrefix` images beyond the count, and untagged images, expire
   */
  readonly protectedTagPrefixes?: readonly string[];
  /**
   * Refuse `terraform destroy` of the repository (lifecycle `prevent_destroy`).
   * @default true
   */
  readonly preventDestroy?: boolean;
  /**
   * Let `terraform destroy` delete the repository with its images (a test environment's, torn
   * down with it; every image is rebuilt from its commit). Leave it off where images must stay.
   * @default false
   */
  readonly forceDelete?: boolean;
}

/**
 * The ECR repository of one service's images: tags immutable, scanned on push, encrypted with a
 * customer-managed key of its own, never force-deleted with its images, and cleaned up by a
 * lifecycle policy ({@link imageLifecyclePolicy}).
 *
 * No repository policy: without one, only principals of the owning account whose IAM policies
 * allow it can use the repository (Amazon ECR User Guide, "Private repository policies": "By
 * default, only the AWS account that created the repository has access"). The EKS nodes pull
 * with their node role, which has `AmazonEC2ContainerRegistryPullOnly` (constructs/eks/node-role.ts).
 * A repository policy could only add principals; a cross-account puller is the one reason to
 * write one.
 *
 * The key policy is EncryptionKey's delegation to IAM and nothing more. ECR encrypts through two
 * grants it creates on the key, with the repository as grantee, in the name of the principal
 * that creates the repository (Amazon ECR User Guide, "Encryption at rest"): that principal needs
 * `kms:CreateGrant`, `kms:DescribeKey` and `kms:RetireGrant` on the key, the last one in its IAM
 * policy (ECR retires the grants when the repository is deleted). Pushers and pullers need no
 * KMS permission: ECR decrypts under its grant.
 */
export class ImageRepository extends Construct {
  public readonly repositoryName: string;
  public readonly repositoryArn: string;
  /** `<account>.dkr.ecr.<region>.amazonaws.com/<name>`: append `:<tag>` or `@<digest>`. */
  public readonly repositoryUrl: string;
  public readonly keyArn: string;
  public readonly keyPolicy: PolicyDocument;
  public readonly lifecyclePolicy: LifecyclePolicyDocument;

  constructor(scope: Construct, id: string, props: ImageRepositoryProps) {
    super(scope, id);
    const untaggedExpiryDays = props.untaggedExpiryDays ?? 7;
    const keepTaggedCount = props.keepTaggedCount ?? 50;
    const keepTagPrefix = props.keepTagPrefix ?? 'sha-';
    const protectedTagPrefixes = props.protectedTagPrefixes ?? [];
    const preventDestroy = props.preventDestroy ?? true;
    const at = this.node.path;
    validate(at, props.repositoryName, props.accountId, untaggedExpiryDays, keepTaggedCount);
    validatePrefixes(at, keepTagPrefix, protectedTagPrefixes);

    this.lifecyclePolicy = imageLifecyclePolicy({
      untaggedExpiryDays,
      keepTagPrefix,
      keepTaggedCount,
      protectedTagPrefixes,
    });
    const lifecyclePolicyText = JSON.stringify(this.lifecyclePolicy);
    if (lifecyclePolicyText.length > MAX_LIFECYCLE_POLICY_LENGTH) {
      throw new Error(
        `${at}: the lifecycle policy is ${lifecyclePolicyText.length} characters, over ECR's ${MAX_LIFECYCLE_POLICY_LENGTH}. Fix: protect fewer tag prefixes`,
      );
    }

    const key = new EncryptionKey(this, 'key', {
      description: `ECR images of ${props.repositoryName}`,
      alias: keyAlias(props.repositoryName),
      accountId: props.accountId,
    });
    this.keyArn = key.keyArn;
    this.keyPolicy = key.policy;

    const repository = new EcrRepository(this, 'repository', {
      name: props.repositoryName,
      imageTagMutability: 'IMMUTABLE',
      imageScanningConfiguration: { scanOnPush: true },
      encryptionConfiguration: [{ encryptionType: 'KMS', kmsKey: key.keyArn }],
      forceDelete: props.forceDelete ?? false,
      lifecycle: { preventDestroy },
    });
    this.repositoryName = repository.name;
    this.repositoryArn = repository.arn;
    this.repositoryUrl = repository.repositoryUrl;

    new EcrLifecyclePolicy(this, 'lifecycle-policy', {
      repository: repository.name,
      policy: lifecyclePolicyText,
    });
  }
}

/** The key's alias: KMS alias names admit no `.`, which ECR names may hold. */
function keyAlias(repositoryName: string): string {
  return `${KEY_ALIAS_PREFIX}${repositoryName.replace(/\./g, '-')}`;
}

function validate(
  at: string,
  repositoryName: string,
  accountId: string,
  untaggedExpiryDays: number,
  keepTaggedCount: number,
): void {
  if (!Token.isUnresolved(repositoryName)) {
    if (repositoryName.length < 2 || repositoryName.length > 256) {
      throw new Error(
        `${at}: repositoryName must be 2 to 256 characters, got ${repositoryName.length} ('${repositoryName}')`,
      );
    }
    if (!REPOSITORY_NAME.test(repositoryName)) {
      throw new Error(
        `${at}: repositoryName must be lowercase letters and digits, separated by one '.', '_' or '-', in '/'-separated parts, got '${repositoryName}'. Fix: e.g. 'platform/frontend'`,
      );
    }
    const aliasLength = `alias/${keyAlias(repositoryName)}`.length;
    if (aliasLength > MAX_ALIAS_LENGTH) {
      throw new Error(
        `${at}: repositoryName must be at most ${MAX_ALIAS_LENGTH - 'alias/'.length - KEY_ALIAS_PREFIX.length} characters for its key alias (alias/${KEY_ALIAS_PREFIX}<name>, ${MAX_ALIAS_LENGTH} at most), got ${repositoryName.length}`,
      );
    }
  }
  if (!Token.isUnresolved(accountId) && !/^\d{12}$/.test(accountId)) {
    throw new Error(`${at}: accountId must be a 12-digit AWS account id, got '${accountId}'`);
  }
  if (!Number.isInteger(untaggedExpiryDays) || untaggedExpiryDays < 1) {
    throw new Error(
      `${at}: untaggedExpiryDays must be a whole number of days >= 1 (ECR accepts no 0), got ${untaggedExpiryDays}`,
    );
  }
  if (!Number.isInteger(keepTaggedCount) || keepTaggedCount < 1) {
    throw new Error(
      `${at}: keepTaggedCount must be a whole number >= 1 (ECR accepts no 0), got ${keepTaggedCount}`,
    );
  }
}

function validatePrefixes(
  at: string,
  keepTagPrefix: string,
  protectedTagPrefixes: readonly string[],
): void {
  for (const [name, prefix] of [
    ['keepTagPrefix', keepTagPrefix],
    ...protectedTagPrefixes.map((p) => ['protectedTagPrefixes', p]),
  ]) {
    if (!TAG_PREFIX.test(prefix)) {
      throw new Error(
        `${at}: ${name} must be the start of an image tag (a letter, digit or '_', then letters, digits, '_', '.' or '-', 128 at most), got '${prefix}'`,
      );
    }
  }
  const duplicate = protectedTagPrefixes.find((p, i) => protectedTagPrefixes.indexOf(p) !== i);
  if (duplicate !== undefined) {
    throw new Error(
      `${at}: protectedTagPrefixes lists '${duplicate}' twice (ECR requires unique tag prefixes across rules)`,
    );
  }
  const overlap = protectedTagPrefixes.find(
    (p) => p.startsWith(keepTagPrefix) || keepTagPrefix.startsWith(p),
  );
  if (overlap !== undefined) {
    throw new Error(
      `${at}: protectedTagPrefixes entry '${overlap}' overlaps keepTagPrefix '${keepTagPrefix}' (one starts with the other, so one rule would shadow the other). Fix: use distinct prefixes, e.g. 'sha-' and 'v'`,
    );
  }
}

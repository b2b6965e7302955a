import { TerraformOutput } from 'cdktf';
import { describe, expect, it } from 'vitest';
import { formatFinding } from '../../../constructs/policy/engine';
import {
  ImageRepository,
  type ImageRepositoryProps,
  type LifecyclePolicyDocument,
} from '../../../constructs/service/image-repository';
import { prodFindings } from '../../helpers/policy';
import {
  expectResource,
  onlyResource,
  policyOf,
  resourcesOf,
  type SynthJson,
  synthConstruct,
} from '../../helpers/synth';

const props: ImageRepositoryProps = {
  repositoryName: 'platform/frontend',
  accountId: '111111111111',
};

const synth = (overrides: Partial<ImageRepositoryProps> = {}): SynthJson =>
  synthConstruct((scope) => new ImageRepository(scope, 'images', { ...props, ...overrides }));

/** The lifecycle policy as ECR receives it: the synthesized JSON text, parsed. */
const lifecycleOf = (json: SynthJson): LifecyclePolicyDocument =>
  JSON.parse(
    String(onlyResource(json, 'aws_ecr_lifecycle_policy').policy),
  ) as LifecyclePolicyDocument;

describe('ImageRepository', () => {
  const json = synth();

  it('makes tags immutable, scans on push and never force-deletes images', () => {
    expectResource(json, 'aws_ecr_repository', {
      name: 'platform/frontend',
      image_tag_mutability: 'IMMUTABLE',
      image_scanning_configuration: { scan_on_push: true },
      force_delete: false,
    });
  });

  it('refuses destroy by default, and allows it when preventDestroy is false', () => {
    expect(onlyResource(json, 'aws_ecr_repository').lifecycle).toEqual({ prevent_destroy: true });
    expect(onlyResource(synth({ preventDestroy: false }), 'aws_ecr_repository').lifecycle).toEqual({
      prevent_destroy: false,
    });
  });

  it('encrypts with a rotating customer-managed key of its own', () => {
    const [[keyName, key]] = resourcesOf(json, 'aws_kms_key');
    expect(resourcesOf(json, 'aws_kms_key')).toHaveLength(1);
    expect(key).toMatchObject({ enable_key_rotation: true, deletion_window_in_days: 30 });
    expect(onlyResource(json, 'aws_ecr_repository').encryption_configuration).toEqual([
      { encryption_type: 'KMS', kms_key: `\${aws_kms_key.${keyName}.arn}` },
    ]);
    expectResource(json, 'aws_kms_alias', { name: 'alias/ecr/platform/frontend' });
  });

  it('gives each repository its own key', () => {
    const two = synthConstruct((scope) => {
      new ImageRepository(scope, 'frontend', props);
      new ImageRepository(scope, 'backend', { ...props, repositoryName: 'platform/backend' });
    });
    const keyArns = resourcesOf(two, 'aws_ecr_repository').map(
      ([, r]) => (r.encryption_configuration as { kms_key: string }[])[0].kms_key,
    );
    expect(new Set(keyArns).size).toBe(2);
    expect(
      resourcesOf(two, 'aws_kms_alias')
        .map(([, a]) => a.name)
        .sort(),
    ).toEqual(['alias/ecr/platform/backend', 'alias/ecr/platform/frontend']);
  });

  it('has a key policy that only delegates to IAM in its own account', () => {
    expect(policyOf(onlyResource(json, 'aws_kms_key')).Statement).toEqual([
      {
        Sid: 'EnableIamPolicies',
        Effect: 'Allow',
        Principal: { AWS: 'arn:aws:iam::111111111111:root' },
        Action: 'kms:*',
        Resource: '*',
      },
    ]);
  });

  it('writes no repository policy: the account default admits only its own principals', () => {
    expect(resourcesOf(json, 'aws_ecr_repository_policy')).toHaveLength(0);
  });

  it('maps the dots of a repository name to dashes in the key alias, which admits no dots', () => {
    expectResource(synth({ repositoryName: 'team.a/web.app' }), 'aws_kms_alias', {
      name: 'alias/ecr/team-a/web-app',
    });
  });

  describe('lifecycle policy', () => {
    it('applies to this repository', () => {
      const [[repoName]] = resourcesOf(json, 'aws_ecr_repository');
      expect(onlyResource(json, 'aws_ecr_lifecycle_policy').repository).toBe(
        `\${aws_ecr_repository.${repoName}.name}`,
      );
    });

    it('by default: keeps the newest 50 sha- images, expires untagged images after 7 days', () => {
      const { rules } = lifecycleOf(json);
      expect(rules).toHaveLength(2);
      expect(rules[0]).toEqual({
        rulePriority: 1,
        description: 'Keep the newest 50 images tagged sha-*',
        selection: {
          tagStatus: 'tagged',
          tagPrefixList: ['sha-'],
          countType: 'imageCountMoreThan',
          countNumber: 50,
        },
        action: { type: 'expire' },
      });
      expect(rules[1]).toEqual({
        rulePriority: 2,
        description: 'Expire untagged images 7 days after push',
        selection: {
          tagStatus: 'untagged',
          countType: 'sinceImagePushed',
          countUnit: 'days',
          countNumber: 7,
        },
        action: { type: 'expire' },
      });
    });

    it('shields each protected prefix with its own rule, ahead of the others', () => {
      const { rules } = lifecycleOf(
        synth({
          protectedTagPrefixes: ['v', 'release-'],
          keepTagPrefix: 'git-',
          keepTaggedCount: 20,
          untaggedExpiryDays: 3,
        }),
      );
      expect(rules.map((r) => r.rulePriority)).toEqual([1, 2, 3, 4]);
      for (const [i, prefix] of ['v', 'release-'].entries()) {
        expect(rules[i]).toEqual({
          rulePriority: i + 1,
          description: `Never expire images tagged ${prefix}*`,
          selection: {
            tagStatus: 'tagged',
            // One prefix per rule: several in one list select only images carrying all of them.
            tagPrefixList: [prefix],
            countType: 'imageCountMoreThan',
            // ECR's default quota of images per repository: the rule can never exceed it.
            countNumber: 10_000,
          },
          action: { type: 'expire' },
        });
      }
      expect(rules[2].selection).toEqual({
        tagStatus: 'tagged',
        tagPrefixList: ['git-'],
        countType: 'imageCountMoreThan',
        countNumber: 20,
      });
      expect(rules[3].selection).toMatchObject({ tagStatus: 'untagged', countNumber: 3 });
    });

    it('holds to ECR’s documented constraints, which a mocked apply would not check', () => {
      const { rules } = lifecycleOf(
        synth({ protectedTagPrefixes: ['v', 'stable-'], keepTaggedCount: 5 }),
      );
      const priorities = rules.map((r) => r.rulePriority);
      expect(new Set(priorities).size).toBe(priorities.length);
      expect(priorities).toEqual([...priorities].sort((a, b) => a - b));
      expect(rules.filter((r) => r.selection.tagStatus === 'untagged')).toHaveLength(1);
      expect(rules.some((r) => (r.selection.tagStatus as string) === 'any')).toBe(false);
      const prefixes = rules.flatMap((r) =>
        r.selection.tagStatus === 'tagged' ? r.selection.tagPrefixList : [],
      );
      expect(new Set(prefixes).size).toBe(prefixes.length);
      for (const { selection, action } of rules) {
        const keys = Object.keys(selection).sort();
        const tagKeys =
          selection.tagStatus === 'tagged' ? ['tagPrefixList', 'tagStatus'] : ['tagStatus'];
        const countKeys =
          selection.countType === 'sinceImagePushed'
            ? ['countNumber', 'countType', 'countUnit']
            : ['countNumber', 'countType'];
        expect(keys).toEqual([...tagKeys, ...countKeys].sort());
        expect(Number.isInteger(selection.countNumber) && selection.countNumber > 0).toBe(true);
        expect(action).toEqual({ type: 'expire' });
      }
    });

    it('is the document the construct exposes', () => {
      let exposed: LifecyclePolicyDocument | undefined;
      const synthesized = synthConstruct((scope) => {
        exposed = new ImageRepository(scope, 'images', props).lifecyclePolicy;
      });
      expect(lifecycleOf(synthesized)).toEqual(exposed);
    });
  });

  it('exposes the repository URL, ARN and name and the key ARN as references', () => {
    const exposed = synthConstruct((scope) => {
      const repo = new ImageRepository(scope, 'images', props);
      new TerraformOutput(scope, 'url', { value: repo.repositoryUrl });
      new TerraformOutput(scope, 'arn', { value: repo.repositoryArn });
      new TerraformOutput(scope, 'name', { value: repo.repositoryName });
      new TerraformOutput(scope, 'key', { value: repo.keyArn });
    });
    expect(exposed.output?.url.value).toMatch(/^\$\{aws_ecr_repository\.[^.]+\.repository_url\}$/);
    expect(exposed.output?.arn.value).toMatch(/^\$\{aws_ecr_repository\.[^.]+\.arn\}$/);
    expect(exposed.output?.name.value).toMatch(/^\$\{aws_ecr_repository\.[^.]+\.name\}$/);
    expect(exposed.output?.key.value).toMatch(/^\$\{aws_kms_key\.[^.]+\.arn\}$/);
  });

  it('passes every policy rule in a prod service stack, with no suppression', () => {
    const all = prodFindings('prod-service-frontend', (stack) => {
      new ImageRepository(stack, 'images', props);
    });
    // Not even a suppressed finding: nothing here needs a reviewed exception.
    expect(all.map(formatFinding)).toEqual([]);
  });

  it('throws when the repository name breaks ECR’s grammar', () => {
    for (const repositoryName of [
      'Platform/frontend',
      'platform//frontend',
      '/frontend',
      'frontend/',
      'front--end',
      '-frontend',
      'frontend.',
      'front end',
      'front_-end',
    ]) {
      expect(() => synth({ repositoryName }), repositoryName).toThrow(
        /repositoryName must be lowercase letters and digits, separated by one '\.', '_' or '-'/,
      );
    }
  });

  it('throws when the repository name is shorter than 2 or longer than 256 characters', () => {
    expect(() => synth({ repositoryName: 'a' })).toThrow(
      /repositoryName must be 2 to 256 characters, got 1/,
    );
    expect(() => synth({ repositoryName: 'a'.repeat(257) })).toThrow(
      /repositoryName must be 2 to 256 characters, got 257/,
    );
  });

  it('throws when the repository name is too long for its key alias', () => {
    expect(() => synth({ repositoryName: 'a'.repeat(247) })).toThrow(
      /repositoryName must be at most 246 characters for its key alias/,
    );
    expect(() => synth({ repositoryName: 'a'.repeat(246) })).not.toThrow();
  });

  it('throws when the account id is not 12 digits', () => {
    expect(() => synth({ accountId: '1234' })).toThrow(
      /accountId must be a 12-digit AWS account id, got '1234'/,
    );
  });

  it('throws when untaggedExpiryDays is not a whole number of days >= 1', () => {
    for (const untaggedExpiryDays of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => synth({ untaggedExpiryDays }), String(untaggedExpiryDays)).toThrow(
        /untaggedExpiryDays must be a whole number of days >= 1/,
      );
    }
  });

  it('throws when keepTaggedCount is not a whole number >= 1', () => {
    for (const keepTaggedCount of [0, -5, 2.5, Number.NaN]) {
      expect(() => synth({ keepTaggedCount }), String(keepTaggedCount)).toThrow(
        /keepTaggedCount must be a whole number >= 1/,
      );
    }
  });

  it('throws when a tag prefix is empty or not the start of a valid tag', () => {
    expect(() => synth({ keepTagPrefix: '' })).toThrow(
      /keepTagPrefix must be the start of an image tag/,
    );
    expect(() => synth({ keepTagPrefix: '-sha' })).toThrow(
      /keepTagPrefix must be the start of an image tag/,
    );
    expect(() => synth({ protectedTagPrefixes: ['v*'] })).toThrow(
      /protectedTagPrefixes must be the start of an image tag .*, got 'v\*'/,
    );
  });

  it('throws when a protected prefix is listed twice', () => {
    expect(() => synth({ protectedTagPrefixes: ['v', 'v'] })).toThrow(
      /protectedTagPrefixes lists 'v' twice/,
    );
  });

  it('throws when a protected prefix overlaps the kept prefix', () => {
    for (const overlapping of ['sha-', 's', 'sha-release']) {
      expect(() => synth({ protectedTagPrefixes: [overlapping] }), overlapping).toThrow(
        new RegExp(`protectedTagPrefixes entry '${overlapping}' overlaps keepTagPrefix 'sha-'`),
      );
    }
  });

  it('throws when the lifecycle policy would be longer than ECR accepts', () => {
    const protectedTagPrefixes = Array.from({ length: 200 }, (_, i) => `p${i}-`);
    expect(() => synth({ protectedTagPrefixes })).toThrow(
      /the lifecycle policy is \d+ characters, over ECR's 30720/,
    );
  });
});

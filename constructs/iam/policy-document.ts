/**
 * Typed IAM policy documents. Written as TypeScript objects rather than `aws_iam_policy_document`
 * data sources so that they are plain values at synth time: tests and policy checks read them
 * without a provider, and nothing is looked up at plan time.
 */

export type OneOrMany<T> = T | readonly T[];

/** Condition block: operator -> key -> value(s), e.g. `{ Bool: { 'aws:SecureTransport': 'false' } }`. */
export type PolicyConditions = Readonly<
  Record<string, Readonly<Record<string, OneOrMany<string>>>>
>;

export type PolicyPrincipal =
  | '*'
  | Readonly<{
      AWS?: OneOrMany<string>;
      Service?: OneOrMany<string>;
      Federated?: OneOrMany<string>;
    }>;

export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Principal?: PolicyPrincipal;
  readonly Action: OneOrMany<string>;
  readonly Resource?: OneOrMany<string>;
  readonly Condition?: PolicyConditions;
}

export interface PolicyDocument {
  readonly Version: '2012-10-17';
  readonly Statement: readonly PolicyStatement[];
}

/** Builds a document from statements. */
export function policyDocument(...statements: PolicyStatement[]): PolicyDocument {
  return { Version: '2012-10-17', Statement: statements };
}

/**
 * Renders a document for a `policy` argument. Tokens (resource ARNs) inside the strings are
 * resolved by CDKTF into Terraform interpolations.
 */
export function toJson(document: PolicyDocument): string {
  return JSON.stringify(document);
}

/** The trust policy that lets one AWS service assume a role, scoped to our account. */
export function serviceTrustPolicy(
  service: string,
  accountId: string,
  sourceArnPattern?: string,
): PolicyDocument {
  const condition: Record<string, Record<string, string>> = {
    StringEquals: { 'aws:SourceAccount': accountId },
  };
  if (sourceArnPattern) {
    condition.ArnLike = { 'aws:SourceArn': sourceArnPattern };
  }
  return policyDocument({
    Effect: 'Allow',
    Principal: { Service: service },
    Action: 'sts:AssumeRole',
    Condition: condition,
  });
}

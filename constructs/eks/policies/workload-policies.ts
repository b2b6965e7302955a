import { Token } from 'cdktf';
import { policyDocument, type PolicyDocument } from '../../iam/policy-document';

/**
 * External Secrets: read secrets under one name prefix, and the RDS-managed master secrets
 * (`rds!…`), decrypting through Secrets Manager only.
 */
export function externalSecretsPolicy(
  region: string,
  accountId: string,
  prefix: string,
): PolicyDocument {
  const secret = (name: string): string =>
    `arn:aws:secretsmanager:${region}:${accountId}:secret:${name}`;
  return policyDocument(
    {
      Sid: 'ReadPlatformSecrets',
      Effect: 'Allow',
      Action: [
        'secretsmanager:GetSecretValue',
        'secretsmanager:DescribeSecret',
        'secretsmanager:ListSecretVersionIds',
      ],
      Resource: [secret(`${prefix}*`), secret('rds!*')],
    },
    {
      Sid: 'DecryptThroughSecretsManagerOnly',
      Effect: 'Allow',
      Action: 'kms:Decrypt',
      Resource: `arn:aws:kms:${region}:${accountId}:key/*`,
      Condition: { StringEquals: { 'kms:ViaService': `secretsmanager.${region}.amazonaws.com` } },
    },
  );
}

/** Log shipping (Fluent Bit): write streams of one log group, nothing else. */
export function logShippingPolicy(logGroupArn: string): PolicyDocument {
  return policyDocument({
    Sid: 'WriteWorkloadLogGroup',
    Effect: 'Allow',
    Action: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
    Resource: [logGroupArn, `${logGroupArn}:*`],
  });
}

/**
 * ExternalDNS: the Route53 policy its AWS tutorial publishes (kubernetes-sigs/external-dns,
 * docs/tutorials/aws.md, "IAM Policy", as of v0.22.0: `ChangeResourceRecordSets`,
 * `ListResourceRecordSets` and `ListTagsForResources` on `arn:aws:route53:::hostedzone/*`,
 * `ListHostedZones` on `*`), narrowed as that page advises to the one hosted zone it manages.
 * `ListHostedZones` stays on `*`: Route53 defines no resource for it, so a scoped statement
 * would never match.
 */
export function externalDnsPolicy(hostedZoneArn: string): PolicyDocument {
  if (
    !Token.isUnresolved(hostedZoneArn) &&
    !/^arn:aws:route53:::hostedzone\/Z[A-Z0-9]+$/.test(hostedZoneArn)
  ) {
    throw new Error(
      `externalDnsPolicy: hostedZoneArn must be a hosted zone ARN such as arn:aws:route53:::hostedzone/Z0123456789ABCDEFGHIJ, got '${hostedZoneArn}'`,
    );
  }
  return policyDocument(
    {
      Sid: 'ManageRecordsOfOneZone',
      Effect: 'Allow',
      Action: [
        'route53:ChangeResourceRecordSets',
        'route53:ListResourceRecordSets',
        'route53:ListTagsForResources',
      ],
      Resource: hostedZoneArn,
    },
    {
      Sid: 'ListHostedZones',
      Effect: 'Allow',
      Action: 'route53:ListHostedZones',
      Resource: '*',
    },
  );
}

/**
 * Alertmanager: publish to the platform's alert topics (the alerts, the heartbeat), encrypting
 * with their key (an SNS topic with a customer-managed key needs both, SNS developer guide,
 * "Encryption at rest").
 */
export function alertPublishingPolicy(
  topicArns: readonly string[],
  keyArn: string,
): PolicyDocument {
  return policyDocument(
    { Sid: 'PublishAlerts', Effect: 'Allow', Action: 'sns:Publish', Resource: [...topicArns] },
    {
      Sid: 'EncryptForTheTopic',
      Effect: 'Allow',
      Action: ['kms:GenerateDataKey*', 'kms:Decrypt'],
      Resource: keyArn,
    },
  );
}

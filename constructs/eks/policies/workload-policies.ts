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

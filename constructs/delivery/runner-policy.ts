/**
 * The permissions of the CodeBuild service role behind the GitHub Actions runner, from AWS's
 * CodeBuild user guide: "Allow CodeBuild access to AWS services required to create a VPC network
 * interface" (identity-based policy examples), "GitHub App connections" (the connection
 * permissions), and the CloudWatch Logs part of the service role. Whatever the role may do, a job
 * on the runner may do too (the build container gets the role's credentials), so it gets only
 * what CodeBuild itself needs.
 */
import { policyDocument, type PolicyDocument } from '../iam/policy-document';

export interface RunnerPolicyProps {
  readonly region: string;
  readonly accountId: string;
  /** The runner's log group (the ARN without `:*`). */
  readonly logGroupArn: string;
  /** The subnets the builds run in. */
  readonly subnetIds: readonly string[];
  /** Every security group the builds carry. */
  readonly securityGroupIds: readonly string[];
  /** The CodeConnections connection to GitHub. */
  readonly connectionArn: string;
}

/**
 * The connection actions CodeBuild calls: the user guide's GetConnectionToken and GetConnection,
 * plus UseConnection (which the CodeBuild console grants with them). Under both service prefixes:
 * CodeStar Connections was renamed CodeConnections, an IAM action's prefix must match the
 * connection ARN's, and the ARN is only known at apply.
 */
export const CONNECTION_ACTIONS = ['GetConnection', 'GetConnectionToken', 'UseConnection'].flatMap(
  (action) => [`codeconnections:${action}`, `codestar-connections:${action}`],
);

export function runnerServicePolicy(props: RunnerPolicyProps): PolicyDocument {
  const ec2Arn = (resource: string): string =>
    `arn:aws:ec2:${props.region}:${props.accountId}:${resource}`;
  const networkInterfaces = ec2Arn('network-interface/*');
  const subnets = props.subnetIds.map((id) => ec2Arn(`subnet/${id}`));
  const securityGroups = props.securityGroupIds.map((id) => ec2Arn(`security-group/${id}`));

  return policyDocument(
    {
      Sid: 'WriteBuildLogs',
      Effect: 'Allow',
      Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      Resource: [props.logGroupArn, `${props.logGroupArn}:*`],
    },
    {
      // EC2's Describe calls take no resource-level permissions.
      Sid: 'DescribeBuildNetwork',
      Effect: 'Allow',
      Action: [
        'ec2:DescribeDhcpOptions',
        'ec2:DescribeNetworkInterfaces',
        'ec2:DescribeSecurityGroups',
        'ec2:DescribeSubnets',
        'ec2:DescribeVpcs',
      ],
      Resource: '*',
    },
    {
      // AWS's example grants these two on `*`; a build's interface is created in these subnets
      // with these groups only, and deleted from them only.
      Sid: 'CreateBuildNetworkInterfaces',
      Effect: 'Allow',
      Action: 'ec2:CreateNetworkInterface',
      Resource: [networkInterfaces, ...subnets, ...securityGroups],
    },
    {
      Sid: 'DeleteBuildNetworkInterfaces',
      Effect: 'Allow',
      Action: 'ec2:DeleteNetworkInterface',
      Resource: networkInterfaces,
      Condition: { ArnEquals: { 'ec2:Subnet': subnets } },
    },
    {
      Sid: 'LetCodeBuildAttachBuildNetworkInterfaces',
      Effect: 'Allow',
      Action: 'ec2:CreateNetworkInterfacePermission',
      Resource: networkInterfaces,
      Condition: {
        StringEquals: { 'ec2:AuthorizedService': 'codebuild.amazonaws.com' },
        ArnEquals: { 'ec2:Subnet': subnets },
      },
    },
    {
      Sid: 'UseGitHubConnection',
      Effect: 'Allow',
      Action: CONNECTION_ACTIONS,
      Resource: props.connectionArn,
    },
  );
}

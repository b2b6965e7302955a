import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { VpcEndpoint } from '@cdktf/provider-aws/lib/vpc-endpoint';
import { Construct } from 'constructs';

/**
 * Interface endpoints a private EKS cluster needs to pull images, get credentials, ship logs,
 * and be reached by Session Manager without leaving the VPC (`ssm` registers the instance,
 * `ssmmessages` carries the session, `ec2messages` the agent's commands).
 */
export const DEFAULT_INTERFACE_ENDPOINTS: readonly string[] = [
  'ecr.api',
  'ecr.dkr',
  'sts',
  'logs',
  'ec2',
  'ssm',
  'ssmmessages',
  'ec2messages',
];

/** Gateway endpoints: free, and keep S3 (ECR image layers) and DynamoDB traffic off NAT. */
export const GATEWAY_ENDPOINTS: readonly string[] = ['s3', 'dynamodb'];

export interface VpcEndpointsProps {
  readonly namePrefix: string;
  readonly region: string;
  readonly vpcId: string;
  readonly vpcCidr: string;
  /** Subnets the interface endpoints' network interfaces are placed in (one per zone). */
  readonly subnetIds: readonly string[];
  /** Route tables the gateway endpoints add their prefix-list routes to. */
  readonly routeTableIds: readonly string[];
  /**
   * Interface endpoint services, short names (`ecr.api`).
   * @default DEFAULT_INTERFACE_ENDPOINTS
   */
  readonly interfaceServices?: readonly string[];
}

/**
 * Gateway endpoints for S3 and DynamoDB, and interface endpoints with private DNS behind a
 * security group that admits HTTPS from the VPC only and allows no egress.
 */
export class VpcEndpoints extends Construct {
  public readonly securityGroupId: string;
  /** Endpoint ids by short service name. */
  public readonly endpointIds: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: VpcEndpointsProps) {
    super(scope, id);
    const interfaceServices = props.interfaceServices ?? DEFAULT_INTERFACE_ENDPOINTS;
    const endpointIds: Record<string, string> = {};

    for (const service of GATEWAY_ENDPOINTS) {
      const endpoint = new VpcEndpoint(this, service, {
        vpcId: props.vpcId,
        serviceName: `com.amazonaws.${props.region}.${service}`,
        vpcEndpointType: 'Gateway',
        routeTableIds: [...props.routeTableIds],
        tags: { Name: `${props.namePrefix}-${service}` },
      });
      endpointIds[service] = endpoint.id;
    }

    const securityGroup = new SecurityGroup(this, 'security-group', {
      name: `${props.namePrefix}-vpc-endpoints`,
      description: 'HTTPS from inside the VPC to AWS service interface endpoints',
      vpcId: props.vpcId,
      ingress: [
        {
          description: 'HTTPS from the VPC',
          protocol: 'tcp',
          fromPort: 443,
          toPort: 443,
          cidrBlocks: [props.vpcCidr],
        },
      ],
      // Endpoints only answer; an empty list makes Terraform remove AWS's default allow-all egress.
      egress: [],
      tags: { Name: `${props.namePrefix}-vpc-endpoints` },
    });
    this.securityGroupId = securityGroup.id;

    for (const service of interfaceServices) {
      const endpoint = new VpcEndpoint(this, service.replace('.', '-'), {
        vpcId: props.vpcId,
        serviceName: `com.amazonaws.${props.region}.${service}`,
        vpcEndpointType: 'Interface',
        privateDnsEnabled: true,
        subnetIds: [...props.subnetIds],
        securityGroupIds: [securityGroup.id],
        tags: { Name: `${props.namePrefix}-${service}` },
      });
      endpointIds[service] = endpoint.id;
    }
    this.endpointIds = endpointIds;
  }
}

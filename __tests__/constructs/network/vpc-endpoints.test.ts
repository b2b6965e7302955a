import { describe, expect, it } from 'vitest';
import { VpcEndpoints } from '../../../constructs/network/vpc-endpoints';
import { expectResource, onlyResource, resourcesOf, synthConstruct } from '../../helpers/synth';

describe('VpcEndpoints', () => {
  const json = synthConstruct(
    (scope) =>
      new VpcEndpoints(scope, 'endpoints', {
        namePrefix: 'test',
        region: 'eu-west-1',
        vpcId: 'vpc-1',
        vpcCidr: '10.20.0.0/16',
        subnetIds: ['subnet-a', 'subnet-b'],
        routeTableIds: ['rtb-private-a', 'rtb-db'],
      }),
  );

  it('creates S3 and DynamoDB gateway endpoints on the given route tables', () => {
    for (const service of ['s3', 'dynamodb']) {
      expectResource(json, 'aws_vpc_endpoint', {
        service_name: `com.amazonaws.eu-west-1.${service}`,
        vpc_endpoint_type: 'Gateway',
        route_table_ids: ['rtb-private-a', 'rtb-db'],
      });
    }
  });

  it('creates interface endpoints with private DNS for ECR, STS, Logs, EC2 and Session Manager', () => {
    const services = resourcesOf(json, 'aws_vpc_endpoint')
      .filter(([, e]) => e.vpc_endpoint_type === 'Interface')
      .map(([, e]) => {
        expect(e).toMatchObject({
          private_dns_enabled: true,
          subnet_ids: ['subnet-a', 'subnet-b'],
        });
        return String(e.service_name).replace('com.amazonaws.eu-west-1.', '');
      });
    // ssm, ssmmessages and ec2messages: a Session Manager session works without the NAT path.
    expect(services.sort()).toEqual([
      'ec2',
      'ec2messages',
      'ecr.api',
      'ecr.dkr',
      'logs',
      'ssm',
      'ssmmessages',
      'sts',
    ]);
  });

  it('admits HTTPS from the VPC only and allows no egress', () => {
    const group = onlyResource(json, 'aws_security_group');
    expect(group.ingress).toEqual([
      expect.objectContaining({
        protocol: 'tcp',
        from_port: 443,
        to_port: 443,
        cidr_blocks: ['10.20.0.0/16'],
      }),
    ]);
    expect(group.egress).toEqual([]);
  });
});

import { Testing } from 'cdktf';
import { describe, expect, it } from 'vitest';
import { NetworkStack } from '../../stacks/network-stack';
import { prodEnv, testEnv } from '../helpers/environments';
import { onlyResource, resourcesOf, synthStack } from '../helpers/synth';

describe('NetworkStack', () => {
  it.each([
    { name: 'test', env: testEnv(), cidr: '10.20.0.0/16', subnets: 6, nats: 1, retention: 30 },
    { name: 'prod', env: prodEnv(), cidr: '10.10.0.0/16', subnets: 9, nats: 3, retention: 365 },
  ])(
    'builds the $name VPC from its config ($nats NAT gateways)',
    ({ env, cidr, subnets, nats, retention }) => {
      const json = synthStack(new NetworkStack(Testing.app(), 'network', { environment: env }));
      expect(onlyResource(json, 'aws_vpc').cidr_block).toBe(cidr);
      expect(resourcesOf(json, 'aws_subnet')).toHaveLength(subnets);
      expect(resourcesOf(json, 'aws_nat_gateway')).toHaveLength(nats);
      expect(onlyResource(json, 'aws_cloudwatch_log_group').retention_in_days).toBe(retention);
    },
  );

  it('exposes typed fields for later stacks', () => {
    const stack = new NetworkStack(Testing.app(), 'network', { environment: prodEnv() });
    const network = stack.network;
    expect(network.privateSubnets.ids).toHaveLength(3);
    expect(network.databaseSubnets.ids).toHaveLength(3);
    expect(network.publicSubnets.ids).toHaveLength(3);
    expect(network.privateSubnets.cidrs).toEqual([
      '10.10.0.0/19',
      '10.10.32.0/19',
      '10.10.64.0/19',
    ]);
    expect(network.availabilityZones).toEqual(['eu-west-1a', 'eu-west-1b', 'eu-west-1c']);
    expect(network.vpcCidr).toBe('10.10.0.0/16');
    // Terraform references (tokens), which CDKTF turns into cross-stack outputs.
    for (const value of [
      network.vpcId,
      network.endpoints.securityGroupId,
      ...network.privateSubnets.ids,
    ]) {
      expect(value).toMatch(/\$\{TfToken\[TOKEN\.\d+\]\}/);
    }
  });

  it('outputs the VPC and subnet ids', () => {
    const json = synthStack(new NetworkStack(Testing.app(), 'network', { environment: testEnv() }));
    expect(Object.keys(json.output ?? {})).toEqual(
      expect.arrayContaining([
        'vpc_id',
        'private_subnet_ids',
        'public_subnet_ids',
        'database_subnet_ids',
      ]),
    );
  });
});

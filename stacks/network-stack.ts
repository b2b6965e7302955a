/**
 * network: the environment's VPC. Owns the subnets of the three tiers, internet and NAT
 * gateways, route tables, flow logs (with their key and role), the locked-down default security
 * group and the VPC endpoints. Reads nothing from other stacks.
 *
 * Later stacks take `network` (typed fields) in their props; CDKTF turns each use into an output
 * here and a `terraform_remote_state` read there.
 */
import { TerraformOutput } from 'cdktf';
import type { Construct } from 'constructs';
import { PlatformNetwork } from '../constructs/network/platform-network';
import { PlatformStack, type PlatformStackProps } from './platform-stack';

export type NetworkStackProps = PlatformStackProps;

export class NetworkStack extends PlatformStack {
  public readonly network: PlatformNetwork;

  constructor(scope: Construct, id: string, props: NetworkStackProps) {
    super(scope, id, props);
    const env = this.environment;

    this.network = new PlatformNetwork(this, 'network', {
      namePrefix: env.name,
      accountId: env.accountId,
      region: env.region,
      vpcCidr: env.network.vpcCidr,
      availabilityZones: env.availabilityZones,
      subnetLayout: env.network.subnets,
      reservedAzSlots: env.network.reservedAzSlots,
      natGateways: env.network.natGateways,
      flowLogRetentionDays: env.network.flowLogRetentionDays,
      clusterName: env.eks.clusterName,
    });

    // For people and scripts; stacks consume the typed fields instead.
    new TerraformOutput(this, 'vpc_id', { value: this.network.vpcId });
    new TerraformOutput(this, 'private_subnet_ids', { value: this.network.privateSubnets.ids });
    new TerraformOutput(this, 'public_subnet_ids', { value: this.network.publicSubnets.ids });
    new TerraformOutput(this, 'database_subnet_ids', { value: this.network.databaseSubnets.ids });
  }
}

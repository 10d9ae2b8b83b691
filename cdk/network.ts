/**
 * The network of the functions that talk to Active Directory: private subnets without a NAT gateway (an
 * existing VPC's, or a new VPC's isolated ones), DynamoDB and Secrets Manager through VPC endpoints, and a
 * security group whose egress goes only to the domain controllers (LDAPS/StartTLS) and the endpoints.
 */
import { Stack, Validations } from 'aws-cdk-lib';
import {
  FlowLogDestination,
  FlowLogTrafficType,
  GatewayVpcEndpointAwsService,
  InterfaceVpcEndpoint,
  InterfaceVpcEndpointAwsService,
  type ISecurityGroup,
  type IVpc,
  Peer,
  Port,
  SecurityGroup,
  Subnet,
  type SubnetSelection,
  SubnetType,
  Vpc,
} from 'aws-cdk-lib/aws-ec2';
import { AwsCustomResource, AwsCustomResourcePolicy, PhysicalResourceId } from 'aws-cdk-lib/custom-resources';
import type { Construct } from 'constructs';
import type { AdSyncSettings } from './ad-sync-settings';
import { StackPart } from './stack-part';

/** Where a function that talks to the domain controllers runs. */
export interface FunctionNetwork {
  readonly vpc: IVpc;
  readonly subnets: SubnetSelection;
  readonly securityGroup: ISecurityGroup;
}

export class AdSyncNetwork extends StackPart {
  readonly functionNetwork: FunctionNetwork;

  constructor(scope: Construct, id: string, settings: AdSyncSettings) {
    super(scope, id);
    const { vpc, subnets, dcCidrs } = this.vpc(settings);
    const endpointSecurityGroup = new SecurityGroup(this, 'EndpointSecurityGroup', {
      vpc,
      description: 'Secrets Manager endpoint: HTTPS from the ad-sync functions only',
      allowAllOutbound: false,
    });
    const secretsEndpoint = new InterfaceVpcEndpoint(this, 'SecretsManagerEndpoint', {
      vpc,
      service: InterfaceVpcEndpointAwsService.SECRETS_MANAGER,
      subnets,
      privateDnsEnabled: true,
      securityGroups: [endpointSecurityGroup],
      // Not open to the whole VPC: only the functions' security group may connect (rule below).
      open: false,
    });
    vpc.addGatewayEndpoint('DynamoDbEndpoint', {
      service: GatewayVpcEndpointAwsService.DYNAMODB,
      subnets: [subnets],
    });

    const securityGroup = new SecurityGroup(this, 'DirectoryFunctionsSecurityGroup', {
      vpc,
      description: 'ad-sync functions: LDAPS/StartTLS to the domain controllers, HTTPS to the VPC endpoints',
      allowAllOutbound: false,
    });
    const ldapPorts = [636, 389, ...(settings.globalCatalog ? [3269, 3268] : [])];
    for (const cidr of dcCidrs) {
      for (const port of ldapPorts) {
        securityGroup.addEgressRule(
          Peer.ipv4(cidr),
          Port.tcp(port),
          `LDAP ${port} to the domain controllers`,
        );
      }
    }
    securityGroup.connections.allowTo(secretsEndpoint, Port.tcp(443), 'HTTPS to Secrets Manager');
    securityGroup.addEgressRule(
      Peer.prefixList(this.dynamoDbPrefixList()),
      Port.tcp(443),
      'HTTPS to DynamoDB (gateway endpoint)',
    );
    this.functionNetwork = { vpc, subnets, securityGroup };
  }

  /**
   * The VPC stays directly in the stack: its resources are tagged with their construct path (Name), and
   * those tags stay the ones the stack was deployed with.
   */
  private get vpcScope(): Construct {
    return Stack.of(this);
  }

  private vpc(settings: AdSyncSettings): { vpc: IVpc; subnets: SubnetSelection; dcCidrs: string[] } {
    if (settings.vpcId) {
      const subnetIds = settings.subnetIds ?? [];
      if (subnetIds.length === 0)
        throw new Error('context vpcId needs subnetIds: the private subnets that reach the DCs');
      if (!settings.dcCidrs?.length)
        throw new Error('context vpcId needs dcCidrs: the CIDRs of the domain controllers');
      const routeTableIds = settings.routeTableIds ?? [];
      if (routeTableIds.length !== subnetIds.length) {
        throw new Error(
          'context vpcId needs routeTableIds: the route table of each subnet in subnetIds, in the same order',
        );
      }
      const region = Stack.of(this).region;
      const availabilityZones = [
        ...(settings.availabilityZones ?? subnetIds.map((_, i) => `${region}${'abcdef'[i]}`)),
      ];
      const vpc = Vpc.fromVpcAttributes(this.vpcScope, 'Vpc', { vpcId: settings.vpcId, availabilityZones });
      const subnets = {
        subnets: subnetIds.map((subnetId, i) =>
          Subnet.fromSubnetAttributes(this.vpcScope, `Subnet${i}`, {
            subnetId,
            routeTableId: routeTableIds[i] as string,
            availabilityZone: availabilityZones[i % availabilityZones.length] as string,
          }),
        ),
      };
      return { vpc, subnets, dcCidrs: [...settings.dcCidrs] };
    }
    // The cast only bridges aws-cdk-lib's optional properties and exactOptionalPropertyTypes.
    const vpc: IVpc = new Vpc(this.vpcScope, 'Vpc', {
      maxAzs: 2,
      natGateways: 0,
      subnetConfiguration: [{ name: 'isolated', subnetType: SubnetType.PRIVATE_ISOLATED, cidrMask: 24 }],
      flowLogs: {
        rejected: {
          destination: FlowLogDestination.toCloudWatchLogs(),
          trafficType: FlowLogTrafficType.REJECT,
        },
      },
    }) as unknown as IVpc;
    return {
      vpc,
      subnets: { subnetType: SubnetType.PRIVATE_ISOLATED },
      dcCidrs: settings.dcCidrs?.length ? [...settings.dcCidrs] : [vpc.vpcCidrBlock],
    };
  }

  /** The region's DynamoDB prefix list (for the gateway endpoint egress rule), looked up at deploy time. */
  private dynamoDbPrefixList(): string {
    const region = Stack.of(this).region;
    const lookup = new AwsCustomResource(this, 'DynamoDbPrefixList', {
      onUpdate: {
        service: 'EC2',
        action: 'describeManagedPrefixLists',
        parameters: {
          Filters: [{ Name: 'prefix-list-name', Values: [`com.amazonaws.${region}.dynamodb`] }],
        },
        physicalResourceId: PhysicalResourceId.of(`dynamodb-prefix-list-${region}`),
        outputPaths: ['PrefixLists.0.PrefixListId'],
      },
      policy: AwsCustomResourcePolicy.fromSdkCalls({ resources: AwsCustomResourcePolicy.ANY_RESOURCE }),
      installLatestAwsSdk: false,
    });
    Validations.of(lookup).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'ec2:DescribeManagedPrefixLists supports no resource-level permissions; the call only reads the public list id.',
    });
    return lookup.getResponseField('PrefixLists.0.PrefixListId');
  }
}

/**
 * The network of the functions that talk to Active Directory: private subnets without a NAT gateway (an
 * existing VPC's, or a new VPC's isolated ones), DynamoDB and Secrets Manager through VPC endpoints (the
 * stack's own, or with `endpoints: existing` the VPC's), and a security group whose egress goes only to the
 * domain controllers (LDAPS/StartTLS) and the endpoints.
 */
import { Annotations, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
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
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { AwsCustomResource, AwsCustomResourcePolicy, PhysicalResourceId } from 'aws-cdk-lib/custom-resources';
import type { Construct } from 'constructs';
import type { AdSyncSettings } from './ad-sync-settings';
import { ContextError } from './context';
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
    if (settings.endpoints === 'create') {
      const endpoints = this.createEndpoints(vpc, subnets, settings.endpointAzs);
      // Both endpoints share one security group: one rule reaches Secrets Manager and Lambda.
      securityGroup.connections.allowTo(endpoints, Port.tcp(443), 'HTTPS to Secrets Manager and Lambda');
    } else {
      // The VPC's own endpoints (a landing zone's): HTTPS to where they are. Their security group must admit
      // this one (or the VPC's CIDR), and the VPC's route tables must hold a DynamoDB gateway endpoint.
      for (const cidr of settings.endpointCidrs ?? []) {
        securityGroup.addEgressRule(Peer.ipv4(cidr), Port.tcp(443), 'HTTPS to the VPC endpoints');
      }
      if (settings.endpointSecurityGroupId) {
        securityGroup.addEgressRule(
          Peer.securityGroupId(settings.endpointSecurityGroupId),
          Port.tcp(443),
          'HTTPS to the VPC endpoints',
        );
      }
    }
    securityGroup.addEgressRule(
      Peer.prefixList(this.dynamoDbPrefixList()),
      Port.tcp(443),
      'HTTPS to DynamoDB (gateway endpoint)',
    );
    this.functionNetwork = { vpc, subnets, securityGroup };
  }

  /**
   * The DynamoDB gateway endpoint, and the Secrets Manager and Lambda interface endpoints in the first `azs`
   * subnets (all by default): one AZ halves the endpoints' hourly price, and a failure of that AZ leaves the
   * functions without the secret and the logon without its guard until it is back (the functions in the
   * other AZ reach the endpoints across AZs). Lambda's: the logon function invokes the logon guard, the watcher
   * the sync function.
   */
  private createEndpoints(
    vpc: IVpc,
    subnets: SubnetSelection,
    azs: number | undefined,
  ): InterfaceVpcEndpoint {
    const selected = vpc.selectSubnets(subnets).subnets;
    if (azs !== undefined && azs > selected.length) {
      throw new ContextError(
        'endpointAzs',
        `is ${azs}, and the functions' subnets are in ${selected.length} AZs: it can be 1 to ${selected.length}`,
      );
    }
    const endpointSecurityGroup = new SecurityGroup(this, 'EndpointSecurityGroup', {
      vpc,
      description: 'Secrets Manager and Lambda endpoints: HTTPS from the ad-sync functions only',
      allowAllOutbound: false,
    });
    const endpoint = (id: string, service: InterfaceVpcEndpointAwsService) =>
      new InterfaceVpcEndpoint(this, id, {
        vpc,
        service,
        subnets: azs === undefined ? subnets : { subnets: selected.slice(0, azs) },
        privateDnsEnabled: true,
        securityGroups: [endpointSecurityGroup],
        // Not open to the whole VPC: only the functions' security group may connect (rule below).
        open: false,
      });
    const secretsEndpoint = endpoint(
      'SecretsManagerEndpoint',
      InterfaceVpcEndpointAwsService.SECRETS_MANAGER,
    );
    endpoint('LambdaEndpoint', InterfaceVpcEndpointAwsService.LAMBDA);
    vpc.addGatewayEndpoint('DynamoDbEndpoint', {
      service: GatewayVpcEndpointAwsService.DYNAMODB,
      subnets: [subnets],
    });
    return secretsEndpoint;
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
      // The route tables take the DynamoDB gateway endpoint the stack creates; existing endpoints need none.
      const routeTableIds = settings.routeTableIds ?? [];
      if (settings.endpoints === 'create' && routeTableIds.length !== subnetIds.length) {
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
        subnets: subnetIds.map((subnetId, i) => {
          const subnet = Subnet.fromSubnetAttributes(this.vpcScope, `Subnet${i}`, {
            subnetId,
            ...(routeTableIds[i] ? { routeTableId: routeTableIds[i] } : {}),
            availabilityZone: availabilityZones[i % availabilityZones.length] as string,
          });
          if (!routeTableIds[i]) {
            Annotations.of(subnet).acknowledgeWarning(
              '@aws-cdk/aws-ec2:noSubnetRouteTableId',
              "With endpoints=existing the stack adds no gateway endpoint: it needs no subnet's route table.",
            );
          }
          return subnet;
        }),
      };
      return { vpc, subnets, dcCidrs: [...settings.dcCidrs] };
    }
    // The cast only bridges aws-cdk-lib's optional properties and exactOptionalPropertyTypes.
    // Given AZs are taken as they are (the stack answers its availabilityZones with them: no lookup).
    const vpc: IVpc = new Vpc(this.vpcScope, 'Vpc', {
      ...(settings.availabilityZones
        ? { availabilityZones: [...settings.availabilityZones] }
        : { maxAzs: 2 }),
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
      // A log group of the stack's (its retention and key: landing-zone.ts), not one Lambda makes that never expires.
      logGroup: new LogGroup(this, 'DynamoDbPrefixListLogs', { removalPolicy: RemovalPolicy.DESTROY }),
    });
    Validations.of(lookup).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'ec2:DescribeManagedPrefixLists supports no resource-level permissions; the call only reads the public list id.',
    });
    return lookup.getResponseField('PrefixLists.0.PrefixListId');
  }
}

/** Deployment parameters (cdk.json context or `-c name=value`); see docs/deploy.md. */
export interface AdSyncSettings {
  /** An existing VPC; without it the stack creates one with isolated subnets. */
  readonly vpcId?: string;
  readonly subnetIds?: readonly string[];
  /** The route tables of those subnets (for the DynamoDB gateway endpoint), in the same order. */
  readonly routeTableIds?: readonly string[];
  readonly availabilityZones?: readonly string[];
  /** Where the domain controllers are; required with an existing VPC, else the new VPC's CIDR. */
  readonly dcCidrs?: readonly string[];
  /** Also allow the global catalog ports (3268/3269). */
  readonly globalCatalog?: boolean;
  /** The alarm topic; without it the stack creates one. */
  readonly alarmTopicArn?: string;
  /**
   * The IAM principals (account roots, users, roles) allowed to call the API, by the API's resource policy;
   * without it, the principals of this account whose IAM policies allow `execute-api:Invoke`.
   */
  readonly adminPrincipals?: readonly string[];
  readonly scheduleMinutes: number;
  readonly scheduleEnabled: boolean;
}

/** Deployment parameters (cdk.json context or `-c name=value`, parsed in context.ts); see docs/deploy.md. */
export interface AdSyncSettings {
  /** An existing VPC; without it the stack creates one with isolated subnets. */
  readonly vpcId?: string;
  readonly subnetIds?: readonly string[];
  /** The route tables of those subnets (for the DynamoDB gateway endpoint), in the same order. */
  readonly routeTableIds?: readonly string[];
  /**
   * The AZ of each subnet of an existing VPC, or the AZs of a new one: given, a new VPC needs no lookup of the
   * account's AZs (a synth with an account and no credentials).
   */
  readonly availabilityZones?: readonly string[];
  /** Where the domain controllers are; required with an existing VPC, else the new VPC's CIDR. */
  readonly dcCidrs?: readonly string[];
  /** Also allow the global catalog ports (3268/3269). */
  readonly globalCatalog?: boolean;
  /**
   * `create`: the stack creates the DynamoDB gateway endpoint and the Secrets Manager interface endpoint.
   * `existing`: the VPC has them (a landing zone's), the stack creates none and lets the functions reach them.
   */
  readonly endpoints: 'create' | 'existing';
  /** With `endpoints: existing`: the networks of the VPC's interface endpoints (egress 443 to them). */
  readonly endpointCidrs?: readonly string[];
  /** With `endpoints: existing`: the security group of the VPC's interface endpoints (egress 443 to it). */
  readonly endpointSecurityGroupId?: string;
  /** With `endpoints: create`: in how many AZs the interface endpoint has a network interface (default all). */
  readonly endpointAzs?: number;
  /** The permissions boundary of every role the stack creates. */
  readonly permissionsBoundaryArn?: string;
  /** The IAM path of every role the stack creates (`/` when not given). */
  readonly rolePath?: string;
  /** A prefix every role's name begins with (the roles are then named by the stack, not by CloudFormation). */
  readonly roleNamePrefix?: string;
  /** A customer-managed KMS key for the data at rest; without it, AWS-managed encryption. */
  readonly kmsKeyArn?: string;
  /** Tags of every taggable resource. */
  readonly tags: Readonly<Record<string, string>>;
  /** The retention of every log group the stack creates. */
  readonly logRetentionDays: number;
  /** The alarm topic; without it the stack creates one. */
  readonly alarmTopicArn?: string;
  /**
   * An email address subscribed to the operator topic (the alarm topic), which gets the alarms and the run
   * events (sync.failed, sync.deletionsWithheld, sync.stale). SNS asks the address to confirm.
   */
  readonly alertEmail?: string;
  /**
   * The IAM principals (account roots, users, roles) allowed to call the API, by the API's resource policy;
   * without it, the principals of this account whose IAM policies allow `execute-api:Invoke`.
   */
  readonly adminPrincipals?: readonly string[];
  readonly scheduleMinutes: number;
  readonly scheduleEnabled: boolean;
}

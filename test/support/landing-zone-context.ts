/** The context of a deployment into a landing zone, for the CDK tests (landing-zone, control-tower). */

export const ACCOUNT = '123456789012';
export const REGION = 'eu-central-1';
export const KEY_ARN = `arn:aws:kms:${REGION}:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
export const BOUNDARY_ARN = `arn:aws:iam::${ACCOUNT}:policy/LandingZoneBoundary`;
export const TAGS = { CostCenter: '4711', Owner: 'identity team', 'app:name': 'ad-sync' };

/** An existing VPC of a landing zone, with its own endpoints. */
export const EXISTING_NETWORK = {
  vpcId: 'vpc-0123456789abcdef0',
  subnetIds: 'subnet-0aaa,subnet-0bbb',
  dcCidrs: '10.1.0.0/24',
  endpoints: 'existing',
  endpointCidrs: '10.0.8.0/24,10.0.9.0/24',
  endpointSecurityGroupId: 'sg-0123456789abcdef0',
};

/** Every setting a landing zone asks for. */
export const LANDING_ZONE = {
  permissionsBoundaryArn: BOUNDARY_ARN,
  rolePath: '/applications/',
  roleNamePrefix: 'app-adsync-',
  kmsKeyArn: KEY_ARN,
  tags: JSON.stringify(TAGS),
  logRetentionDays: '731',
};

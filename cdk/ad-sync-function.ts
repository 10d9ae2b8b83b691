/**
 * The Lambda defaults of ad-sync in one place: Node.js 24 on arm64, bundled by esbuild from node_modules
 * (no Docker), JSON logs to a log group of its own (its retention and key: landing-zone.ts), X-Ray tracing,
 * and the function file named after what it does.
 */
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { ISecurityGroup, IVpc, SubnetSelection } from 'aws-cdk-lib/aws-ec2';
import { Architecture, LoggingFormat, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { type ICommandHooks, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { FunctionName } from '../shared/api/routes';
import { acknowledgeTracingPermissions } from './nag-suppressions';

const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** esbuild options shared with tools/bundle-sizes.ts, so the sizes reported are the sizes deployed. */
export const BUNDLING = {
  minify: true,
  // No source maps: they would triple the package; kept names keep stack traces readable.
  keepNames: true,
  sourceMap: false,
  target: 'node24',
  format: OutputFormat.CJS,
  // The Node.js 24 runtime ships AWS SDK v3; bundling our own copy would only add size.
  externalModules: ['@aws-sdk/*'],
} as const;

export interface AdSyncFunctionProps {
  readonly name: FunctionName;
  readonly description: string;
  readonly environment: Record<string, string>;
  readonly timeout?: Duration;
  readonly memorySize?: number;
  /**
   * A script shipped in the package and started by Lambda in front of the runtime (AWS_LAMBDA_EXEC_WRAPPER),
   * with its environment: the sync function's heap limits (cdk/lambda-runtime.ts).
   */
  readonly execWrapper?: {
    readonly file: string;
    readonly path: string;
    readonly environment: Readonly<Record<string, string>>;
  };
  /** Set for functions that talk to the domain controllers. */
  readonly network?: {
    readonly vpc: IVpc;
    readonly subnets: SubnetSelection;
    readonly securityGroup: ISecurityGroup;
  };
}

export class AdSyncFunction extends NodejsFunction {
  constructor(scope: Construct, id: string, props: AdSyncFunctionProps) {
    const logGroup = new LogGroup(scope, `${id}Logs`, { removalPolicy: RemovalPolicy.DESTROY });
    super(scope, id, {
      entry: fileURLToPath(new URL(`../functions/${props.name}.ts`, import.meta.url)),
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: fileURLToPath(new URL('../package-lock.json', import.meta.url)),
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      description: props.description,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(30),
      environment: { ...props.environment, ...props.execWrapper?.environment },
      loggingFormat: LoggingFormat.JSON,
      logGroup,
      // X-Ray: each invocation is a trace; the functions add a segment per step (Powertools Tracer).
      tracing: Tracing.ACTIVE,
      bundling: {
        ...BUNDLING,
        externalModules: [...BUNDLING.externalModules],
        ...(props.execWrapper ? { commandHooks: copyIntoPackage(props.execWrapper) } : {}),
      },
      ...(props.network
        ? {
            vpc: props.network.vpc,
            vpcSubnets: props.network.subnets,
            securityGroups: [props.network.securityGroup],
          }
        : {}),
    });
    acknowledgeTracingPermissions(this);
  }
}

/** Bundling hooks that put a file of the repository into the function's package, executable, by its name. */
function copyIntoPackage({ file, path }: { file: string; path: string }): ICommandHooks {
  const name = basename(path);
  return {
    beforeBundling: () => [],
    beforeInstall: () => [],
    afterBundling: (_inputDir, outputDir) => [
      `cp "${file}" "${outputDir}/${name}"`,
      `chmod 755 "${outputDir}/${name}"`,
    ],
  };
}

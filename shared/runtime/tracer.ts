/**
 * X-Ray traces (Powertools Tracer): a subsegment per invocation (`## <handler>`, annotated ColdStart and
 * Service), one per AWS SDK call of the clients the runtime builds (tracedClient), and one per step of a sync
 * run (traceStep), so that a slow run shows which step took the time. Off outside a Lambda function (the local
 * stack, tests, a laptop, CloudShell): nothing is recorded and the X-Ray SDK logs no missing context.
 */
import { Tracer } from '@aws-lambda-powertools/tracer';
import type { Context } from 'aws-lambda';
import type { ReportStep } from '../domain/report';

/** The X-Ray SDK's segment or subsegment, as Powertools hands it out. */
export type TraceSegment = NonNullable<ReturnType<Tracer['getSegment']>>;

/**
 * Tracing is on only in a Lambda function (AWS_LAMBDA_FUNCTION_NAME is set), and there as Powertools decides
 * (POWERTOOLS_TRACE_ENABLED=false turns it off). Powertools alone would turn it on wherever AWS_EXECUTION_ENV is
 * set, which CloudShell, CodeBuild and ECS set too: the local stack run there would warn on every request.
 */
export function tracerOptions(env: NodeJS.ProcessEnv): ConstructorParameters<typeof Tracer>[0] {
  return {
    serviceName: 'ad-sync',
    // Every request the functions send goes through an SDK client captured with tracedClient: patching
    // http/https and fetch too would only trace each call twice.
    captureHTTPsRequests: false,
    ...(env.AWS_LAMBDA_FUNCTION_NAME ? {} : { enabled: false }),
  };
}

export const tracer = new Tracer(tracerOptions(process.env));

/**
 * An AWS SDK v3 client whose calls become subsegments (service, operation, retries, throttling), built in the
 * runtime (the composition root). The same client, untouched, when tracing is off.
 */
export function tracedClient<T>(client: T): T {
  return tracer.captureAWSv3Client(client);
}

/** A Lambda handler as the functions export it. */
type Handler<E, R> = (event: E, context: Context) => Promise<R>;

export interface TracedHandlerOptions {
  /** The tracer (tests give one of their own). */
  readonly tracer?: Tracer;
  /**
   * Whether an error the handler throws is a fault (a 5xx: flagged, recorded with its stack) rather than an
   * error of the caller's (a 4xx the API answers: flagged as an error only). All are faults by default.
   */
  readonly isFault?: (error: unknown) => boolean;
}

/**
 * The handler, traced as Powertools' middy middleware (captureLambdaHandler) would: a `## <handler>`
 * subsegment annotated ColdStart and Service, the error as metadata. One wrapper for the workers, which carry
 * no middy, and for the API's route dispatch, where the middleware would flag every 4xx as a fault. The
 * response is not recorded: a run's report and the API's answers name users, and a report may exceed what a
 * segment can hold.
 */
export function tracedHandler<E, R>(
  handler: Handler<E, R>,
  { tracer: given = tracer, isFault = () => true }: TracedHandlerOptions = {},
): Handler<E, R> {
  return async (event, context) => {
    const facade = given.isTracingEnabled() ? given.getSegment() : undefined;
    if (!facade) return handler(event, context);
    const subsegment = facade.addNewSubsegment(`## ${process.env._HANDLER ?? context.functionName}`);
    given.setSegment(subsegment);
    given.annotateColdStart();
    given.addServiceNameAnnotation();
    try {
      return await handler(event, context);
    } catch (error) {
      if (isFault(error)) given.addErrorAsMetadata(error as Error);
      else subsegment.addErrorFlag();
      throw error;
    } finally {
      subsegment.close();
      given.setSegment(facade);
    }
  };
}

/**
 * Adds a step of a run to the trace, under `parent`, as the subsegment `step <name>` spanning the step's time:
 * it ends now (the step is reported as it ends) and starts `ms` earlier. The steps of a streamed read (search,
 * filter, plan) run interleaved, page by page, and are reported together when the read ends with the time
 * each took in all: their subsegments end together and show each step's total, not when its pages ran.
 * Annotated `step` and `ok`; a failed step carries the error flag, and its message is metadata.
 */
export function addStepSubsegment(parent: TraceSegment, step: ReportStep): TraceSegment {
  const subsegment = parent.addNewSubsegment(`step ${step.name}`);
  subsegment.start_time = (Date.now() - step.ms) / 1000;
  subsegment.addAnnotation('step', step.name);
  subsegment.addAnnotation('ok', step.ok);
  if (step.message !== undefined) subsegment.addMetadata('message', step.message, 'ad-sync');
  if (!step.ok) subsegment.addErrorFlag();
  // Closed like any subsegment: in Lambda, the X-Ray SDK sends it at once, so a run that times out still
  // shows its steps so far. Its end is the close: now.
  subsegment.close();
  return subsegment;
}

/**
 * The onStep of a run's dependencies: each step a subsegment of the invocation's, which is annotated
 * `<name>Ms` (searchMs, applyMs...) so that slow runs can be found by a filter expression. Nothing when off.
 */
export function traceStep(step: ReportStep, given: Tracer = tracer): void {
  if (!given.isTracingEnabled()) return;
  const parent = given.getSegment();
  if (!parent) return;
  addStepSubsegment(parent, step);
  given.putAnnotation(`${step.name}Ms`, step.ms);
}

/**
 * Annotates the invocation's subsegment (runId, trigger, previewId): a filter expression finds a run's trace
 * by them (`annotation.runId = "..."`). Nothing when off.
 */
export function annotateInvocation(annotations: Readonly<Record<string, string | undefined>>): void {
  for (const [key, value] of Object.entries(annotations)) {
    if (value !== undefined) tracer.putAnnotation(key, value);
  }
}

/**
 * One gen2 HTTP Cloud Function of the pipeline (extract, stage, merge or notify): built from the
 * shared source package, running as its own service account, reachable only by the members given
 * roles/run.invoker on its Cloud Run service (no allUsers: callers present an OIDC token).
 */
import { Construct } from 'constructs';
import { Token } from 'cdktf';
import { Cloudfunctions2Function } from '@cdktf/provider-google/lib/cloudfunctions2-function/index.js';
import { CloudRunV2ServiceIamMember } from '@cdktf/provider-google/lib/cloud-run-v2-service-iam-member/index.js';

/** Memory, CPU and limits of one function. */
export interface FunctionSizing {
  /** Cloud Run memory string, e.g. `512Mi`. */
  readonly memory: string;
  /** vCPUs as a string (`1`, `0.5`); gen2 allows < 1 only with concurrency 1. */
  readonly cpu: string;
  readonly timeoutSeconds: number;
  readonly maxInstances: number;
  /** Requests per instance. */
  readonly concurrency: number;
}

/** A secret exposed as an environment variable, pinned to one version. */
export interface SecretEnv {
  readonly key: string;
  readonly projectId: string;
  /** Secret ID (short name). */
  readonly secret: string;
  /** Version number; never `latest`, so a new value rolls out with a deploy. */
  readonly version: string;
}

/** Props of {@link PipelineFunction}. */
export interface PipelineFunctionProps {
  readonly projectId: string;
  readonly region: string;
  readonly name: string;
  /** Function registered with the functions framework in `dist/index.js`. */
  readonly entryPoint: string;
  readonly description: string;
  readonly source: { readonly bucket: string; readonly object: string };
  /** Artifact Registry repository ID (`projects/P/locations/L/repositories/R`). */
  readonly dockerRepository: string;
  /** Build service account ID (`projects/P/serviceAccounts/EMAIL`). */
  readonly buildServiceAccount: string;
  /** Runtime service account email. */
  readonly serviceAccountEmail: string;
  readonly environment: Record<string, string>;
  readonly secrets?: readonly SecretEnv[];
  readonly sizing: FunctionSizing;
  readonly labels: Record<string, string>;
  /** Members given roles/run.invoker on this function's Cloud Run service only. */
  readonly invokers: readonly string[];
  /**
   * Raw HCL boolean expression (no `${}`); when set, the function and its IAM get `count = enabled ? 1 : 0`
   * (notify stays undeployed until its secret has a version).
   */
  readonly enabled?: string;
}

/** The function and its invoker bindings. */
export class PipelineFunction extends Construct {
  readonly fn: Cloudfunctions2Function;
  /** HTTPS URL, or "" when the function is disabled. */
  readonly url: string;

  constructor(scope: Construct, id: string, props: PipelineFunctionProps) {
    super(scope, id);
    const count = props.enabled === undefined ? undefined : Token.asNumber(`\${${props.enabled} ? 1 : 0}`);
    this.fn = new Cloudfunctions2Function(this, 'function', {
      project: props.projectId,
      location: props.region,
      name: props.name,
      description: props.description,
      labels: { ...props.labels, component: 'function', step: props.entryPoint },
      ...(count === undefined ? {} : { count }),
      buildConfig: {
        runtime: 'nodejs22',
        entryPoint: props.entryPoint,
        source: { storageSource: { bucket: props.source.bucket, object: props.source.object } },
        dockerRepository: props.dockerRepository,
        serviceAccount: props.buildServiceAccount,
        environmentVariables: { NODE_ENV: 'production' },
      },
      serviceConfig: {
        serviceAccountEmail: props.serviceAccountEmail,
        availableMemory: props.sizing.memory,
        availableCpu: props.sizing.cpu,
        timeoutSeconds: props.sizing.timeoutSeconds,
        maxInstanceCount: props.sizing.maxInstances,
        minInstanceCount: 0,
        maxInstanceRequestConcurrency: props.sizing.concurrency,
        ingressSettings: 'ALLOW_ALL',
        allTrafficOnLatestRevision: true,
        environmentVariables: props.environment,
        ...(props.secrets?.length
          ? {
              secretEnvironmentVariables: props.secrets.map((s) => ({ key: s.key, projectId: s.projectId, secret: s.secret, version: s.version })),
            }
          : {}),
      },
    });
    const resource = `${this.fn.terraformResourceType}.${this.fn.friendlyUniqueId}`;
    // With a count the instance must be indexed; join() of the splat is "" when the count is 0.
    this.url = count === undefined ? this.fn.url : Token.asString(`\${join("", ${resource}[*].url)}`);
    const service = count === undefined ? this.fn.serviceConfig.service : Token.asString(`\${${resource}[0].service_config[0].service}`);
    props.invokers.forEach((member, i) => {
      new CloudRunV2ServiceIamMember(this, `invoker-${i}`, {
        project: props.projectId,
        location: props.region,
        name: service,
        role: 'roles/run.invoker',
        member,
        ...(count === undefined ? {} : { count }),
      });
    });
  }
}

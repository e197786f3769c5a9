/**
 * One Cloud Workflows workflow, deployed from its file in `workflows/` byte-for-byte (escaped for
 * Terraform's templates, see `terraformLiteral`), running as the workflows service account, with the
 * function URLs and settings in its environment (`sys.get_env("EXTRACT_URL")`, ...).
 */
import { Construct } from 'constructs';
import { WorkflowsWorkflow } from '@cdktf/provider-google/lib/workflows-workflow/index.js';
import { terraformLiteral, type WorkflowSource } from '../workflow-sources.js';

/** Props of {@link PipelineWorkflow}. */
export interface PipelineWorkflowProps {
  readonly projectId: string;
  readonly region: string;
  readonly source: WorkflowSource;
  /** Service account email the workflow runs as. */
  readonly serviceAccountEmail: string;
  readonly environment: Record<string, string>;
  readonly labels: Record<string, string>;
}

/** The workflow (its IAM: the account it runs as holds the invoker grants, see the functions). */
export class PipelineWorkflow extends Construct {
  readonly workflow: WorkflowsWorkflow;

  constructor(scope: Construct, id: string, props: PipelineWorkflowProps) {
    super(scope, id);
    this.workflow = new WorkflowsWorkflow(this, 'workflow', {
      project: props.projectId,
      region: props.region,
      name: props.source.name,
      description: `NYC taxi ELT: ${props.source.name} (workflows/${props.source.name}.yaml)`,
      serviceAccount: props.serviceAccountEmail,
      sourceContents: terraformLiteral(props.source.contents),
      userEnvVars: props.environment,
      callLogLevel: 'LOG_ERRORS_ONLY',
      labels: { ...props.labels, component: 'workflow' },
      deletionProtection: false,
    });
  }

  /** The workflow's name. */
  get name(): string {
    return this.workflow.name;
  }
}

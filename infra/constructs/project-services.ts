/**
 * The Google APIs the system uses, enabled in the project. Every other resource of the stack depends
 * on all of them (see `dependOnServices` in the stack), so a first apply on an empty project works.
 */
import { Construct } from 'constructs';
import { ProjectService } from '@cdktf/provider-google/lib/project-service/index.js';

/** API → why it is needed. */
export const REQUIRED_SERVICES: Readonly<Record<string, string>> = {
  'cloudresourcemanager.googleapis.com': 'project IAM bindings',
  'serviceusage.googleapis.com': 'enabling the other APIs',
  'iam.googleapis.com': 'service accounts',
  'cloudfunctions.googleapis.com': 'the extract, stage, merge and notify functions',
  'run.googleapis.com': 'gen2 functions run as Cloud Run services',
  'cloudbuild.googleapis.com': 'gen2 functions are built by Cloud Build',
  'artifactregistry.googleapis.com': 'function images',
  'workflows.googleapis.com': 'the ingest_month and backfill workflows',
  'workflowexecutions.googleapis.com': 'executions started by the scheduler and by backfill',
  'cloudscheduler.googleapis.com': 'monthly triggers',
  'secretmanager.googleapis.com': 'the alert webhook secret',
  'bigquery.googleapis.com': 'the warehouse',
  'storage.googleapis.com': 'the lake and the function source buckets',
  'logging.googleapis.com': 'function and workflow logs',
  'eventarc.googleapis.com': 'the trigger of the lake\'s landing/ prefix',
  'pubsub.googleapis.com': 'the lake bucket\'s notifications of landed files',
};

/** Props of {@link ProjectServices}. */
export interface ProjectServicesProps {
  readonly projectId: string;
}

/**
 * One `google_project_service` per required API. `disable_on_destroy` is false: destroying this stack
 * must not switch off APIs other workloads in the project may use.
 */
export class ProjectServices extends Construct {
  /** The enabled services, by API name. */
  readonly services: Readonly<Record<string, ProjectService>>;

  constructor(scope: Construct, id: string, props: ProjectServicesProps) {
    super(scope, id);
    this.services = Object.fromEntries(
      Object.keys(REQUIRED_SERVICES).map((api) => [
        api,
        new ProjectService(this, api.split('.')[0]!, {
          project: props.projectId,
          service: api,
          disableOnDestroy: false,
          disableDependentServices: false,
        }),
      ]),
    );
  }

  /** Every service resource, for `depends_on`. */
  get all(): ProjectService[] {
    return Object.values(this.services);
  }
}

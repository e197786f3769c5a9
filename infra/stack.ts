/**
 * The whole deployment as one CDK for Terraform stack: project services, lake bucket, warehouse
 * dataset, service accounts, functions, workflows, scheduler jobs, alert secret, variables and
 * outputs. The synthesized `cdk.tf.json` is plain Terraform JSON: `terraform init && terraform apply`
 * in `cdktf.out/stacks/<stack>` works without cdktf.
 */
import { Construct } from 'constructs';
import { TerraformOutput, TerraformResource, TerraformStack, dependable } from 'cdktf';
import { GoogleProvider } from '@cdktf/provider-google/lib/provider/index.js';
import { firstMonths } from '../functions/src/domain/datasets.js';
import { SCHEDULES } from '../functions/src/domain/schedules.js';
import { mainTable, quarantineTable } from '../functions/src/domain/naming.js';
import { AlertWebhookSecret } from './constructs/alert-webhook-secret.js';
import { FunctionSourceBucket } from './constructs/function-source-bucket.js';
import { LakeBucket } from './constructs/lake-bucket.js';
import { PipelineFunction, type FunctionSizing } from './constructs/pipeline-function.js';
import { PipelineWorkflow } from './constructs/pipeline-workflow.js';
import { ProjectServices } from './constructs/project-services.js';
import { SchedulerJob } from './constructs/scheduler-job.js';
import { ServiceAccounts, type Role } from './constructs/service-accounts.js';
import { WarehouseDataset } from './constructs/warehouse-dataset.js';
import { StackVariables } from './variables.js';
import { BACKFILL_WORKFLOW, INGEST_WORKFLOW, LAND_FILE_WORKFLOW, type WorkflowSource } from './workflow-sources.js';
import { LandingTrigger } from './constructs/landing-trigger.js';
import { LANDING_PREFIX } from '../functions/src/domain/landing.js';

/** The pipeline's functions: entry point → runtime account and sizing. */
export type Step = 'catalog' | 'extract' | 'stage' | 'merge' | 'notify';

/**
 * Sizing for a yellow month (the largest file: ~130 MB compressed, ~700 MB and ~7-8 M rows
 * uncompressed for 2019 months). Workflows HTTP calls time out after at most 1800 s, so no function
 * that a workflow waits on needs longer.
 */
export const SIZING: Readonly<Record<Step, FunctionSizing>> = {
  // A 12 KiB download, then a few dozen BigQuery DDL jobs when the zones or the definitions changed
  // (about a minute); one instance is enough, every execution calls it first.
  catalog: { memory: '256Mi', cpu: '0.167', timeoutSeconds: 900, maxInstances: 2, concurrency: 1 },
  // Streams the download to GCS while gunzipping and hashing it to verify: memory stays at a few
  // stream buffers (512 MiB leaves room for the SDKs and the upload's chunk buffers), the work is
  // CPU-bound so one full vCPU; 1800 s covers a slow mirror plus 5 retries with backoff. 4 instances
  // keep a backfill from hammering the release mirror.
  extract: { memory: '512Mi', cpu: '1', timeoutSeconds: 1800, maxInstances: 4, concurrency: 1 },
  // Submits the external-table and staging queries and waits for the BigQuery jobs (a yellow month
  // stages in 1-3 minutes): the instance only polls, so the smallest size; 900 s of headroom.
  // Up to 8 instances: backfill runs 2 months at a time by default (at most 20); past the limit a call
  // gets a 429, which the workflows retry.
  stage: { memory: '256Mi', cpu: '0.167', timeoutSeconds: 900, maxInstances: 8, concurrency: 1 },
  // Same shape as stage: a partition-bounded delete+insert and the quarantine insert.
  merge: { memory: '256Mi', cpu: '0.167', timeoutSeconds: 900, maxInstances: 8, concurrency: 1 },
  // One webhook POST.
  notify: { memory: '256Mi', cpu: '0.167', timeoutSeconds: 60, maxInstances: 2, concurrency: 1 },
};

/** Which account each function runs as. */
export const FUNCTION_ACCOUNTS: Readonly<Record<Step, Role>> = {
  catalog: 'functions',
  extract: 'functions',
  stage: 'functions',
  merge: 'functions',
  notify: 'notify',
};

/** Environment variable of the notify function holding the webhook (from Secret Manager). */
export const ALERT_WEBHOOK_ENV = 'TAXI_ALERT_WEBHOOK';

/** Inputs of the stack that come from the repository at synth time. */
export interface TaxiEltStackProps {
  /** Folder assembled by `assembleFunctionSource`. */
  readonly functionSourceDir: string;
  /** The workflow files found in `workflows/`. */
  readonly workflows: readonly WorkflowSource[];
}

/** The stack. */
export class TaxiEltStack extends TerraformStack {
  readonly vars: StackVariables;
  readonly services: ProjectServices;
  readonly accounts: ServiceAccounts;
  readonly lake: LakeBucket;
  readonly warehouse: WarehouseDataset;
  readonly source: FunctionSourceBucket;
  readonly secret: AlertWebhookSecret;
  readonly functions: Readonly<Record<Step, PipelineFunction>>;
  readonly workflows: readonly PipelineWorkflow[];
  readonly schedulerJobs: readonly SchedulerJob[];
  /** Absent when workflows/ has no land_file.yaml. */
  readonly landing: LandingTrigger | null;

  constructor(scope: Construct, id: string, props: TaxiEltStackProps) {
    super(scope, id);
    this.vars = new StackVariables(this, 'variables');
    const s = this.vars.settings;
    const labels = { app: 'nyc-taxi-elt', 'managed-by': 'cdktf' };

    new GoogleProvider(this, 'google', { project: s.projectId, region: s.region, defaultLabels: labels });

    this.services = new ProjectServices(this, 'services', { projectId: s.projectId });
    this.accounts = new ServiceAccounts(this, 'accounts', { projectId: s.projectId, namePrefix: s.namePrefix });
    const member = (role: Role) => this.accounts.member(role);

    this.lake = new LakeBucket(this, 'lake', {
      projectId: s.projectId,
      name: s.lakeBucketName,
      location: s.dataLocation,
      labels,
      objectAdmins: [member('functions')],
      forceDestroy: s.forceDestroyData,
    });
    this.warehouse = new WarehouseDataset(this, 'warehouse', {
      projectId: s.projectId,
      datasetId: s.datasetId,
      location: s.dataLocation,
      labels,
      dataEditors: [member('functions')],
      deleteContentsOnDestroy: s.forceDestroyData,
    });
    this.secret = new AlertWebhookSecret(this, 'alert-webhook', {
      projectId: s.projectId,
      secretId: `${s.namePrefix}-alert-webhook`,
      labels,
      accessors: [member('notify')],
    });
    this.source = new FunctionSourceBucket(this, 'function-source', {
      projectId: s.projectId,
      region: s.region,
      bucketName: s.sourceBucketName,
      namePrefix: s.namePrefix,
      sourceDir: props.functionSourceDir,
      labels,
      builder: member('builder'),
    });

    // Every function reads the same configuration (index.ts parses it once at load, for all entry points).
    const environment: Record<string, string> = {
      TAXI_TARGET: 'gcp',
      TAXI_SOURCE_URL: s.sourceUrl,
      TAXI_SCHEMA_CONTRACT: s.schemaContract,
      TAXI_GCP_PROJECT: s.projectId,
      TAXI_GCP_LOCATION: s.dataLocation,
      TAXI_BQ_DATASET: this.warehouse.datasetId,
      TAXI_GCS_BUCKET: this.lake.name,
      TAXI_HTTP_RETRIES: `${s.httpRetries}`,
    };
    const steps: Step[] = ['catalog', 'extract', 'stage', 'merge', 'notify'];
    this.functions = Object.fromEntries(
      steps.map((step) => [
        step,
        new PipelineFunction(this, `fn-${step}`, {
          projectId: s.projectId,
          region: s.region,
          name: `${s.namePrefix}-${step}`,
          entryPoint: step,
          description: `NYC taxi ELT: ${step} step`,
          source: { bucket: this.source.bucket.name, object: this.source.object.name },
          dockerRepository: this.source.repository.id,
          buildServiceAccount: this.accounts.accounts.builder.id,
          serviceAccountEmail: this.accounts.email(FUNCTION_ACCOUNTS[step]),
          environment,
          ...(step === 'notify'
            ? {
                secrets: [{ key: ALERT_WEBHOOK_ENV, projectId: s.projectId, secret: this.secret.secretId, version: s.alertWebhookSecretVersion }],
                enabled: s.notifyEnabled,
              }
            : {}),
          sizing: SIZING[step],
          labels,
          invokers: [member('workflows')],
        }),
      ]),
    ) as Record<Step, PipelineFunction>;

    const workflowEnv: Record<string, string> = {
      CATALOG_URL: this.functions.catalog.url,
      EXTRACT_URL: this.functions.extract.url,
      STAGE_URL: this.functions.stage.url,
      MERGE_URL: this.functions.merge.url,
      NOTIFY_URL: this.functions.notify.url,
      INGEST_WORKFLOW: INGEST_WORKFLOW,
      MONTH_LAG: `${s.monthLag}`,
      SCHEDULE_WINDOW: `${s.scheduleWindow}`,
      FIRST_MONTHS: JSON.stringify(firstMonths()),
    };
    this.workflows = props.workflows.map(
      (source) =>
        new PipelineWorkflow(this, `workflow-${source.name}`, {
          projectId: s.projectId,
          region: s.region,
          source,
          serviceAccountEmail: this.accounts.email('workflows'),
          environment: workflowEnv,
          labels,
        }),
    );
    const ingest = this.workflows.find((w) => w.workflow.nameInput === INGEST_WORKFLOW);
    this.schedulerJobs = ingest
      ? SCHEDULES.map(
          (schedule) =>
            new SchedulerJob(this, `schedule-${schedule.taxi}`, {
              projectId: s.projectId,
              region: s.region,
              name: `${s.namePrefix}-ingest-${schedule.taxi}`,
              schedule,
              workflow: ingest.name,
              serviceAccountEmail: this.accounts.email('scheduler'),
            }),
        )
      : [];

    const landFile = this.workflows.find((w) => w.workflow.nameInput === LAND_FILE_WORKFLOW);
    this.landing = landFile
      ? new LandingTrigger(this, 'landing', {
          projectId: s.projectId,
          region: s.region,
          namePrefix: s.namePrefix,
          bucket: this.lake.name,
          prefix: LANDING_PREFIX,
          workflowId: landFile.workflow.id,
          serviceAccountEmail: this.accounts.email('landing'),
          labels,
        })
      : null;

    this.outputs(ingest, props.workflows);
    this.dependOnServices();
  }

  private outputs(ingest: PipelineWorkflow | undefined, workflows: readonly WorkflowSource[]): void {
    const s = this.vars.settings;
    const out = (id: string, value: string, description: string) => new TerraformOutput(this, id, { value, description }).overrideLogicalId(id);
    out('lake_bucket', this.lake.name, 'Lake bucket (raw files under raw/)');
    out('dataset', this.warehouse.datasetId, 'BigQuery dataset of the warehouse');
    out('workflow_names', workflows.map((w) => w.name).join(','), 'Deployed workflows');
    for (const step of ['catalog', 'extract', 'stage', 'merge', 'notify'] as const) out(`${step}_url`, this.functions[step].url, `URL of the ${step} function (IAM-protected)`);
    out('service_accounts', Object.values(this.accounts.accounts).map((a) => a.email).join(','), 'Service accounts of the system');
    if (ingest) {
      out(
        'run_ingest_command',
        `gcloud workflows run ${ingest.name} --project=${s.projectId} --location=${s.region} --data='{"taxi":"green","month":"2020-10"}'`,
        'Load one month now',
      );
    }
    if (workflows.some((w) => w.name === BACKFILL_WORKFLOW)) {
      out(
        'run_backfill_command',
        `gcloud workflows run ${BACKFILL_WORKFLOW} --project=${s.projectId} --location=${s.region} --data='{"taxi":"green","from":"2019-01","to":"2020-12"}'`,
        'Load a range of months',
      );
    }
    if (this.landing) {
      out('landing_prefix', `gs://${this.lake.name}/${LANDING_PREFIX}`, 'Drop a TLC trip file here to load its month');
      out('land_file_command', `gcloud storage cp green_tripdata_2020-10.parquet gs://${this.lake.name}/${LANDING_PREFIX}`, 'Load a file you have: its name says the month');
    }
    const table = (name: string) => `\`${s.projectId}.${this.warehouse.datasetId}.${name}\``;
    out(
      'bigquery_trips_per_month_query',
      `SELECT FORMAT_TIMESTAMP('%Y-%m', lpep_pickup_datetime) AS month, COUNT(*) AS trips FROM ${table(mainTable('green'))} GROUP BY month ORDER BY month`,
      'Paste into the BigQuery console: green trips per month',
    );
    out(
      'bigquery_quarantine_query',
      `SELECT filename, reason, COUNT(*) AS lines FROM ${table(quarantineTable('green'))} GROUP BY filename, reason ORDER BY filename, reason`,
      'Paste into the BigQuery console: quarantined green lines by file and reason',
    );
    out('bigquery_console_url', `https://console.cloud.google.com/bigquery?project=${s.projectId}&ws=!1m4!1m3!3m2!1s${s.projectId}!2s${this.warehouse.datasetId}`, 'The dataset in the console');
  }

  /** Make every resource outside the services construct depend on all the services. */
  private dependOnServices(): void {
    // dependable() renders the bare address (`google_project_service.x`) that depends_on requires.
    const serviceFqns = this.services.all.map((svc) => dependable(svc));
    for (const node of this.node.findAll()) {
      if (!(node instanceof TerraformResource) || node.node.scope === this.services) continue;
      if (this.services.all.includes(node as never)) continue;
      node.dependsOn = [...new Set([...(node.dependsOn ?? []), ...serviceFqns])];
    }
  }
}

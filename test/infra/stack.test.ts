import { describe, expect, it } from 'vitest';
import { SCHEDULES } from '../../functions/src/domain/schedules.js';
import { REQUIRED_SERVICES } from '../../infra/constructs/project-services.js';
import { SCHEDULER_RETRY } from '../../infra/constructs/scheduler-job.js';
import { TRANSIENT_PREFIXES } from '../../infra/constructs/lake-bucket.js';
import { ALERT_WEBHOOK_ENV, FUNCTION_ACCOUNTS, SIZING, type Step } from '../../infra/stack.js';
import { INGEST_WORKFLOW, fromTerraformLiteral } from '../../infra/workflow-sources.js';
import { refTo, resourcesOf, synthesized } from './fixture.js';

const s = synthesized();
const STEPS: Step[] = ['catalog', 'extract', 'stage', 'merge', 'notify'];
const sa = (role: string, attr: 'email' | 'member' | 'id') => refTo(s, 'google_service_account', `/accounts/${role}`, attr);
const fnOf = (step: Step) => resourcesOf(s, 'google_cloudfunctions2_function').find((r) => r.path.endsWith(`/fn-${step}/function`))!;

describe('synthesized stack', () => {
  it('has the google provider on the project and region variables', () => {
    expect(s.tf.provider).toHaveProperty('google');
    expect(JSON.stringify(s.tf.provider)).toContain('${var.project_id}');
  });
});

describe('project services', () => {
  const services = resourcesOf(s, 'google_project_service');

  it('enables every API the system needs, without disabling them on destroy', () => {
    for (const api of ['cloudfunctions', 'run', 'cloudbuild', 'artifactregistry', 'workflows', 'workflowexecutions', 'cloudscheduler', 'secretmanager', 'bigquery', 'storage', 'iam', 'logging']) {
      expect(Object.keys(REQUIRED_SERVICES)).toContain(`${api}.googleapis.com`);
    }
    expect(services.map((r) => r.config.service).sort()).toEqual(Object.keys(REQUIRED_SERVICES).sort());
    for (const r of services) expect(r.config.disable_on_destroy).toBe(false);
  });

  it('orders every other resource after all the services', () => {
    // Bare addresses: Terraform rejects interpolations in depends_on.
    const serviceRefs = services.map((r) => `google_project_service.${r.id}`).sort();
    for (const [type, byId] of Object.entries(s.tf.resource)) {
      if (type === 'google_project_service') continue;
      for (const [id, config] of Object.entries(byId)) {
        // Every service, and besides them only the resource's own ordering (the bucket notification
        // after its publisher grant).
        const own = type === 'google_storage_notification' ? [`google_pubsub_topic_iam_member.${resourcesOf(s, 'google_pubsub_topic_iam_member')[0]!.id}`] : [];
        expect([...((config.depends_on as string[]) ?? [])].sort(), `${type}.${id}`).toEqual([...serviceRefs, ...own].sort());
      }
    }
  });
});

describe('lake bucket', () => {
  const lake = resourcesOf(s, 'google_storage_bucket').find((r) => r.path.endsWith('/lake/bucket'))!.config;

  it('is private with uniform access and labels', () => {
    expect(lake.uniform_bucket_level_access).toBe(true);
    expect(lake.public_access_prevention).toBe('enforced');
    expect(lake.labels).toMatchObject({ app: 'nyc-taxi-elt', component: 'lake' });
    expect(lake.location).toBe('${var.data_location}');
    expect(lake.name).toContain('var.lake_bucket_name');
  });

  it('expires transient objects and keeps raw files', () => {
    const rules = lake.lifecycle_rule as Array<{ action: { type: string }; condition: { age: number; matches_prefix?: string[] } }>;
    expect(rules.map((r) => r.condition.matches_prefix).flat().sort()).toEqual([...TRANSIENT_PREFIXES].sort());
    for (const r of rules) {
      expect(r.action.type).toBe('Delete');
      // Every delete rule is scoped to a transient prefix: nothing ever matches raw/.
      expect(r.condition.matches_prefix?.length).toBeGreaterThan(0);
      expect(r.condition.matches_prefix!.some((p) => 'raw/'.startsWith(p))).toBe(false);
    }
  });
});

describe('warehouse dataset', () => {
  const ds = resourcesOf(s, 'google_bigquery_dataset')[0]!.config;

  it('is in the same location as the lake bucket', () => {
    const lake = resourcesOf(s, 'google_storage_bucket').find((r) => r.path.endsWith('/lake/bucket'))!.config;
    expect(ds.location).toBe(lake.location);
    expect(ds.dataset_id).toBe('${var.dataset_id}');
  });

  it('leaves table creation to the pipeline and sets no dataset-wide expiration', () => {
    expect(s.tf.resource).not.toHaveProperty('google_bigquery_table');
    expect(ds).not.toHaveProperty('default_table_expiration_ms');
    expect(ds).not.toHaveProperty('default_partition_expiration_ms');
  });
});

describe('IAM', () => {
  const iam = Object.entries(s.tf.resource)
    .filter(([type]) => /_iam_/.test(type))
    .flatMap(([type]) => resourcesOf(s, type).map((r) => ({ type, ...r })));

  it('only adds members (no authoritative bindings or policies)', () => {
    for (const r of iam) expect(r.type).toMatch(/_iam_member$/);
  });

  it('grants no primitive role and nothing public', () => {
    for (const r of iam) {
      expect(['roles/owner', 'roles/editor', 'roles/viewer']).not.toContain(r.config.role);
      expect(String(r.config.member)).not.toMatch(/allUsers|allAuthenticatedUsers/);
      // Our own accounts, and Cloud Storage's service agent (it publishes the bucket's notifications).
      expect(String(r.config.member)).toMatch(/^\$\{google_service_account\.[^}]+\.member\}$|^serviceAccount:\$\{data\.google_storage_project_service_account\.[^}]+\.email_address\}$/);
    }
    expect(s.json).not.toMatch(/allUsers|allAuthenticatedUsers|roles\/(owner|editor|viewer)"/);
    expect(s.json).not.toMatch(/compute@developer\.gserviceaccount\.com/);
  });

  it('is exactly the narrowest role on the narrowest resource for each account', () => {
    const project = '${var.project_id}';
    const lakeName = refTo(s, 'google_storage_bucket', '/lake/bucket', 'name');
    const sourceName = refTo(s, 'google_storage_bucket', '/function-source/bucket', 'name');
    const datasetId = refTo(s, 'google_bigquery_dataset', '/warehouse/dataset', 'dataset_id');
    const secretId = refTo(s, 'google_secret_manager_secret', '/alert-webhook/secret', 'secret_id');
    const repo = refTo(s, 'google_artifact_registry_repository', '/function-source/images', 'name');
    const service = (step: Step) =>
      step === 'notify' ? `\${google_cloudfunctions2_function.${fnOf(step).id}[0].service_config[0].service}` : `\${google_cloudfunctions2_function.${fnOf(step).id}.service_config[0].service}`;

    const key = (type: string, role: string, member: string, on: string) => `${type} ${role} ${member} on ${on}`;
    const actual = iam
      .map((r) => {
        const on = r.config.bucket ?? r.config.dataset_id ?? r.config.secret_id ?? r.config.repository ?? r.config.name ?? r.config.topic ?? r.config.project;
        return key(r.type, r.config.role, r.config.member, on);
      })
      .sort();
    const expected = [
      key('google_project_iam_member', 'roles/bigquery.jobUser', sa('functions', 'member'), project),
      key('google_project_iam_member', 'roles/workflows.invoker', sa('workflows', 'member'), project),
      key('google_project_iam_member', 'roles/logging.logWriter', sa('workflows', 'member'), project),
      key('google_project_iam_member', 'roles/workflows.invoker', sa('scheduler', 'member'), project),
      key('google_project_iam_member', 'roles/logging.logWriter', sa('builder', 'member'), project),
      // The landing trigger's account: receive the events, start executions; nothing else.
      key('google_project_iam_member', 'roles/eventarc.eventReceiver', sa('landing', 'member'), project),
      key('google_project_iam_member', 'roles/workflows.invoker', sa('landing', 'member'), project),
      key('google_pubsub_topic_iam_member', 'roles/pubsub.publisher', `serviceAccount:${refTo(s, 'data.google_storage_project_service_account', '/landing/storage-agent', 'email_address')}`, refTo(s, 'google_pubsub_topic', '/landing/topic', 'name')),
      key('google_storage_bucket_iam_member', 'roles/storage.objectAdmin', sa('functions', 'member'), lakeName),
      key('google_storage_bucket_iam_member', 'roles/storage.objectViewer', sa('builder', 'member'), sourceName),
      key('google_bigquery_dataset_iam_member', 'roles/bigquery.dataEditor', sa('functions', 'member'), datasetId),
      key('google_secret_manager_secret_iam_member', 'roles/secretmanager.secretAccessor', sa('notify', 'member'), secretId),
      key('google_artifact_registry_repository_iam_member', 'roles/artifactregistry.writer', sa('builder', 'member'), repo),
      ...STEPS.map((step) => key('google_cloud_run_v2_service_iam_member', 'roles/run.invoker', sa('workflows', 'member'), service(step))),
    ].sort();
    expect(actual).toEqual(expected);
  });

  it('has one service account per role', () => {
    expect(resourcesOf(s, 'google_service_account').map((r) => r.path.split('/').pop()).sort()).toEqual(['builder', 'functions', 'landing', 'notify', 'scheduler', 'workflows']);
  });
});

describe('functions', () => {
  const object = resourcesOf(s, 'google_storage_bucket_object')[0]!.config;

  it('uploads the source package under a content-hashed name from a TerraformAsset', () => {
    expect(object.name).toMatch(/^functions\/source-[0-9A-F]{32}\.zip$/);
    expect(object.source).toMatch(/^assets\/.+\/[0-9A-F]{32}\/archive\.zip$/);
    expect(object.name).toContain(s.stack.source.sourceHash);
  });

  it.each(STEPS)('%s is a gen2 nodejs22 function with its entry point, own account, sizing and environment', (step) => {
    const fn = fnOf(step).config;
    expect(fn.build_config.runtime).toBe('nodejs22');
    expect(fn.build_config.entry_point).toBe(step);
    expect(fn.build_config.service_account).toBe(sa('builder', 'id'));
    expect(fn.build_config.docker_repository).toBe(refTo(s, 'google_artifact_registry_repository', '/function-source/images', 'id'));
    expect(fn.build_config.source.storage_source).toEqual({
      bucket: refTo(s, 'google_storage_bucket', '/function-source/bucket', 'name'),
      object: refTo(s, 'google_storage_bucket_object', '/function-source/object', 'name'),
    });
    const svc = fn.service_config;
    expect(svc.service_account_email).toBe(sa(FUNCTION_ACCOUNTS[step], 'email'));
    expect(svc.available_memory).toBe(SIZING[step].memory);
    expect(svc.available_cpu).toBe(SIZING[step].cpu);
    expect(svc.timeout_seconds).toBe(SIZING[step].timeoutSeconds);
    expect(svc.max_instance_count).toBe(SIZING[step].maxInstances);
    expect(svc.timeout_seconds).toBeLessThanOrEqual(1800); // the Workflows HTTP call limit
    expect(svc.environment_variables).toMatchObject({
      TAXI_TARGET: 'gcp',
      TAXI_SOURCE_URL: '${var.source_url}',
      TAXI_SCHEMA_CONTRACT: '${var.schema_contract}',
      TAXI_GCP_PROJECT: '${var.project_id}',
      TAXI_GCP_LOCATION: '${var.data_location}',
      TAXI_BQ_DATASET: refTo(s, 'google_bigquery_dataset', '/warehouse/dataset', 'dataset_id'),
      TAXI_GCS_BUCKET: refTo(s, 'google_storage_bucket', '/lake/bucket', 'name'),
      TAXI_HTTP_RETRIES: '${var.http_retries}',
    });
  });

  it('gives notify the webhook secret pinned to a version variable, and deploys it only once a version is set', () => {
    const fn = fnOf('notify').config;
    expect(fn.service_config.secret_environment_variables).toEqual([
      {
        key: ALERT_WEBHOOK_ENV,
        project_id: '${var.project_id}',
        secret: refTo(s, 'google_secret_manager_secret', '/alert-webhook/secret', 'secret_id'),
        version: '${var.alert_webhook_secret_version}',
      },
    ]);
    expect(fn.count).toBe('${var.alert_webhook_secret_version != "" ? 1 : 0}');
    for (const step of ['extract', 'stage', 'merge'] as const) {
      expect(fnOf(step).config).not.toHaveProperty('count');
      expect(fnOf(step).config.service_config).not.toHaveProperty('secret_environment_variables');
    }
  });
});

describe('workflows', () => {
  const workflows = resourcesOf(s, 'google_workflows_workflow');

  it('deploys every file of workflows/ byte-for-byte, as its own account, with the function URLs', () => {
    expect(workflows.map((w) => w.config.name).sort()).toEqual(s.workflows.map((w) => w.name).sort());
    for (const source of s.workflows) {
      const wf = workflows.find((w) => w.config.name === source.name)!.config;
      // Terraform evaluates the JSON string as a template: $${ and %%{ become ${ and %{.
      expect(fromTerraformLiteral(wf.source_contents)).toBe(source.contents);
      expect(wf.source_contents).not.toMatch(/(^|[^$])\$\{/);
      expect(wf.service_account).toBe(sa('workflows', 'email'));
      expect(wf.region).toBe('${var.region}');
      expect(wf.user_env_vars).toEqual({
        CATALOG_URL: `\${google_cloudfunctions2_function.${fnOf('catalog').id}.url}`,
        EXTRACT_URL: `\${google_cloudfunctions2_function.${fnOf('extract').id}.url}`,
        STAGE_URL: `\${google_cloudfunctions2_function.${fnOf('stage').id}.url}`,
        MERGE_URL: `\${google_cloudfunctions2_function.${fnOf('merge').id}.url}`,
        NOTIFY_URL: `\${join("", google_cloudfunctions2_function.${fnOf('notify').id}[*].url)}`,
        INGEST_WORKFLOW,
        MONTH_LAG: '${var.month_lag}',
        SCHEDULE_WINDOW: '${var.schedule_window}',
        FIRST_MONTHS: '{"yellow":"2011-01","green":"2014-01","fhv":"2015-01","fhvhv":"2019-02"}',
      });
    }
  });
});

describe('landing trigger', () => {
  const one = (type: string) => {
    const all = resourcesOf(s, type);
    expect(all, type).toHaveLength(1);
    return all[0]!;
  };

  it('notifies a topic of objects finalized under landing/ only', () => {
    const n = one('google_storage_notification').config;
    expect(n.bucket).toBe(refTo(s, 'google_storage_bucket', '/lake/bucket', 'name'));
    expect(n.object_name_prefix).toBe('landing/');
    expect(n.event_types).toEqual(['OBJECT_FINALIZE']);
    expect(n.payload_format).toBe('JSON_API_V1');
    expect(n.topic).toBe(refTo(s, 'google_pubsub_topic', '/landing/topic', 'id'));
    const topic = one('google_pubsub_topic').config;
    expect(topic.name).toBe('${var.name_prefix}-landing');
  });

  it('starts land_file for every message of that topic, as its own account', () => {
    const t = one('google_eventarc_trigger').config;
    expect(t.location).toBe('${var.region}');
    expect(t.matching_criteria).toEqual([{ attribute: 'type', value: 'google.cloud.pubsub.topic.v1.messagePublished' }]);
    expect(t.transport).toEqual({ pubsub: { topic: refTo(s, 'google_pubsub_topic', '/landing/topic', 'id') } });
    expect(t.destination).toEqual({ workflow: refTo(s, 'google_workflows_workflow', '/workflow-land_file/workflow', 'id') });
    expect(t.service_account).toBe(sa('landing', 'email'));
    // The account is used by nothing else: no function, workflow or job runs as it.
    const users = Object.entries(s.tf.resource).flatMap(([type, byId]) => Object.entries(byId).filter(([, c]) => JSON.stringify(c).includes(sa('landing', 'email'))).map(([id]) => `${type}.${id}`));
    expect(users).toEqual([`google_eventarc_trigger.${resourcesOf(s, 'google_eventarc_trigger')[0]!.id}`]);
  });

  it('outputs where to drop a file', () => {
    expect(String(s.tf.output.landing_prefix!.value)).toBe(`gs://${refTo(s, 'google_storage_bucket', '/lake/bucket', 'name')}/landing/`);
    expect(String(s.tf.output.land_file_command!.value)).toMatch(/^gcloud storage cp \S+ gs:\/\/.*\/landing\/$/);
  });
});

describe('scheduler jobs', () => {
  const jobs = resourcesOf(s, 'google_cloud_scheduler_job');

  it('follow the shared schedule definition and start ingest_month as the scheduler account', () => {
    expect(jobs).toHaveLength(SCHEDULES.length);
    const ingest = refTo(s, 'google_workflows_workflow', `/workflow-${INGEST_WORKFLOW}/workflow`, 'name');
    for (const schedule of SCHEDULES) {
      const job = jobs.find((j) => j.path.endsWith(`/schedule-${schedule.taxi}/job`))!.config;
      expect(job.schedule).toBe(schedule.cron);
      expect(job.time_zone).toBe('America/New_York');
      expect(job.region).toBe('${var.region}');
      const target = job.http_target;
      expect(target.http_method).toBe('POST');
      expect(target.uri).toBe(`https://workflowexecutions.googleapis.com/v1/projects/\${var.project_id}/locations/\${var.region}/workflows/${ingest}/executions`);
      const body = JSON.parse(Buffer.from(target.body, 'base64').toString('utf8'));
      expect(Object.keys(body)).toEqual(['argument']);
      expect(typeof body.argument).toBe('string');
      expect(JSON.parse(body.argument)).toEqual({ taxi: schedule.taxi });
      expect(target.oauth_token).toEqual({ service_account_email: sa('scheduler', 'email'), scope: 'https://www.googleapis.com/auth/cloud-platform' });
      expect(target).not.toHaveProperty('oidc_token');
      expect(job.retry_config).toEqual({
        retry_count: SCHEDULER_RETRY.retryCount,
        min_backoff_duration: SCHEDULER_RETRY.minBackoffDuration,
        max_backoff_duration: SCHEDULER_RETRY.maxBackoffDuration,
        max_doublings: SCHEDULER_RETRY.maxDoublings,
        max_retry_duration: SCHEDULER_RETRY.maxRetryDuration,
      });
    }
  });
});

describe('alert webhook secret', () => {
  it('exists without any value in the configuration', () => {
    expect(resourcesOf(s, 'google_secret_manager_secret')).toHaveLength(1);
    expect(s.tf.resource).not.toHaveProperty('google_secret_manager_secret_version');
  });
});

describe('variables and outputs', () => {
  it('declares validated variables with defaults (project_id required)', () => {
    const vars = s.tf.variable;
    for (const name of ['project_id', 'region', 'data_location', 'name_prefix', 'lake_bucket_name', 'dataset_id', 'source_url', 'month_lag', 'schedule_window', 'schema_contract', 'http_retries', 'alert_webhook_secret_version']) {
      expect(vars[name], name).toBeDefined();
      expect((vars[name]!.validation as unknown[]).length, name).toBeGreaterThan(0);
    }
    expect(vars.project_id).not.toHaveProperty('default');
    expect(vars.region!.default).toBe('us-central1');
    expect(vars.month_lag!.default).toBe(1);
    expect(vars.schedule_window!.default).toBe(3);
    expect(vars.source_url!.default).toBe('tlc');
    expect(vars.schema_contract!.default).toBe('freeze');
    expect(vars.alert_webhook_secret_version!.default).toBe('');
  });

  it('outputs names, URLs and ready-to-paste commands and queries', () => {
    for (const name of ['lake_bucket', 'dataset', 'workflow_names', 'extract_url', 'stage_url', 'merge_url', 'notify_url', 'run_ingest_command', 'run_backfill_command', 'bigquery_trips_per_month_query', 'bigquery_quarantine_query']) {
      expect(s.tf.output[name], name).toBeDefined();
    }
    expect(String(s.tf.output.run_ingest_command!.value)).toMatch(/^gcloud workflows run /);
    expect(String(s.tf.output.bigquery_trips_per_month_query!.value)).toContain('green_tripdata`');
  });
});

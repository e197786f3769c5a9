/**
 * The stack's Terraform variables, validated where Terraform reads them (`validation` blocks), so a
 * bad value fails at plan time with a message instead of half-way through an apply.
 */
import { Construct } from 'constructs';
import { TerraformVariable, Token } from 'cdktf';
import { DEFAULT_SOURCE, SOURCE_PRESETS } from '../functions/src/domain/sources.js';
import { DEFAULT_MONTH_LAG, DEFAULT_SCHEDULE_WINDOW } from '../functions/src/domain/schedules.js';
import { SCHEMA_CONTRACTS } from '../functions/src/domain/schema-contract.js';

/** Values derived from the variables, as Terraform expressions (tokens). */
export interface StackSettings {
  readonly projectId: string;
  /** Region of the functions, workflows and scheduler jobs. */
  readonly region: string;
  /** Location of the lake bucket AND the warehouse dataset: one variable, so they cannot diverge. */
  readonly dataLocation: string;
  /** Short prefix of every resource name (service accounts, functions, jobs, secret). */
  readonly namePrefix: string;
  readonly lakeBucketName: string;
  readonly sourceBucketName: string;
  readonly datasetId: string;
  readonly sourceUrl: string;
  /** Number: months between the execution month and the loaded month. */
  readonly monthLag: number;
  readonly scheduleWindow: number;
  readonly schemaContract: string;
  readonly httpRetries: number;
  /** Secret Manager version number of the alert webhook; "" leaves the notify function undeployed. */
  readonly alertWebhookSecretVersion: string;
  /** Raw HCL boolean expression (no `${}`): true when the notify function is deployed. */
  readonly notifyEnabled: string;
  /** Whether `terraform destroy` may delete a lake bucket or dataset that still holds data. */
  readonly forceDestroyData: boolean;
}

/** Declares the variables (`project_id`, `region`, ...) and exposes them as {@link StackSettings}. */
export class StackVariables extends Construct {
  /** Resolved settings for the constructs. */
  readonly settings: StackSettings;
  /** Every declared variable by its Terraform name, for tests and documentation. */
  readonly variables: Readonly<Record<string, TerraformVariable>>;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    // Conditions are written as bare HCL here; Terraform JSON needs them as `${...}` templates.
    const v = (name: string, config: ConstructorParameters<typeof TerraformVariable>[2]) => {
      const validation = config.validation?.map((rule) => ({ ...rule, condition: `\${${rule.condition}}` }));
      const variable = new TerraformVariable(this, name, { ...config, ...(validation ? { validation } : {}) });
      variable.overrideLogicalId(name);
      return variable;
    };
    const projectId = v('project_id', {
      type: 'string',
      description: 'Google Cloud project ID to deploy into.',
      nullable: false,
      validation: [
        {
          condition: 'can(regex("^[a-z][a-z0-9-]{4,28}[a-z0-9]$", var.project_id))',
          errorMessage: 'project_id must be a project ID: 6-30 lowercase letters, digits or hyphens, starting with a letter.',
        },
      ],
    });
    const region = v('region', {
      type: 'string',
      default: 'us-central1',
      description: 'Region of the Cloud Functions, Workflows and Cloud Scheduler jobs.',
      validation: [
        { condition: 'can(regex("^[a-z]+-[a-z]+[0-9]+$", var.region))', errorMessage: 'region must be a Google Cloud region such as us-central1.' },
      ],
    });
    const dataLocation = v('data_location', {
      type: 'string',
      default: 'us-central1',
      description:
        'Location of the lake bucket and of the BigQuery dataset (the same value for both: BigQuery reads the raw files through an external table, which needs colocated data). A region (us-central1) or the US/EU multi-region.',
      validation: [
        {
          condition: 'can(regex("^(US|EU|[a-z]+-[a-z]+[0-9]+)$", var.data_location))',
          errorMessage: 'data_location must be a lowercase region (us-central1) or the multi-region US or EU.',
        },
      ],
    });
    const namePrefix = v('name_prefix', {
      type: 'string',
      default: 'taxi',
      description: 'Prefix of resource names (service accounts, functions, scheduler jobs, secret).',
      validation: [
        {
          condition: 'can(regex("^[a-z][a-z0-9-]{1,14}$", var.name_prefix))',
          errorMessage: 'name_prefix must be 2-15 lowercase letters, digits or hyphens, starting with a letter (service account IDs are limited to 30 characters).',
        },
      ],
    });
    const lakeBucket = v('lake_bucket_name', {
      type: 'string',
      default: '',
      description: 'Lake bucket name; empty means "<project_id>-<name_prefix>-lake".',
      validation: [
        {
          condition: 'var.lake_bucket_name == "" || can(regex("^[a-z0-9][a-z0-9._-]{1,61}[a-z0-9]$", var.lake_bucket_name))',
          errorMessage: 'lake_bucket_name must be empty or a valid bucket name (3-63 lowercase letters, digits, dots, hyphens, underscores).',
        },
      ],
    });
    const datasetId = v('dataset_id', {
      type: 'string',
      default: 'nyc_taxi',
      description: 'BigQuery dataset of the warehouse tables.',
      validation: [
        { condition: 'can(regex("^[A-Za-z_][A-Za-z0-9_]{0,1023}$", var.dataset_id))', errorMessage: 'dataset_id must be letters, digits and underscores.' },
      ],
    });
    const sourceUrl = v('source_url', {
      type: 'string',
      default: DEFAULT_SOURCE,
      description: `Where the monthly files come from (TAXI_SOURCE_URL): ${Object.keys(SOURCE_PRESETS).join(' or ')}, or an http(s) URL template with {taxi}, {YYYY} and {MM}.`,
      validation: [
        {
          condition: `contains(${JSON.stringify(Object.keys(SOURCE_PRESETS))}, var.source_url) || can(regex("^https?://[^\\\\s]+$", var.source_url))`,
          errorMessage: `source_url must be ${Object.keys(SOURCE_PRESETS).join(' or ')}, or an http(s) URL (template).`,
        },
      ],
    });
    const monthLag = v('month_lag', {
      type: 'number',
      default: DEFAULT_MONTH_LAG,
      description: 'Months between a scheduled execution and the newest month it looks at (1 = the previous month).',
      validation: [
        { condition: 'var.month_lag == floor(var.month_lag) && var.month_lag >= 0 && var.month_lag <= 12', errorMessage: 'month_lag must be a whole number from 0 to 12.' },
      ],
    });
    const scheduleWindow = v('schedule_window', {
      type: 'number',
      default: DEFAULT_SCHEDULE_WINDOW,
      description: 'Months a scheduled execution looks back over, loading each one published and not yet loaded (TAXI_SCHEDULE_WINDOW).',
      validation: [
        { condition: 'var.schedule_window == floor(var.schedule_window) && var.schedule_window >= 1 && var.schedule_window <= 24', errorMessage: 'schedule_window must be a whole number from 1 to 24.' },
      ],
    });
    const schemaContract = v('schema_contract', {
      type: 'string',
      default: 'freeze',
      description: 'A column no era of the dataset knows: freeze fails the month as schema drift, evolve adds it to the tables (TAXI_SCHEMA_CONTRACT).',
      validation: [{ condition: `contains(${JSON.stringify(SCHEMA_CONTRACTS)}, var.schema_contract)`, errorMessage: `schema_contract must be ${SCHEMA_CONTRACTS.join(' or ')}.` }],
    });
    const httpRetries = v('http_retries', {
      type: 'number',
      default: 5,
      description: 'Download retries of the extract function (TAXI_HTTP_RETRIES).',
      validation: [
        { condition: 'var.http_retries == floor(var.http_retries) && var.http_retries >= 0 && var.http_retries <= 20', errorMessage: 'http_retries must be a whole number from 0 to 20.' },
      ],
    });
    const secretVersion = v('alert_webhook_secret_version', {
      type: 'string',
      default: '',
      description:
        'Pinned version number of the alert webhook secret given to the notify function. Empty (the default) leaves the notify function undeployed until a secret version exists.',
      validation: [
        {
          condition: 'can(regex("^([1-9][0-9]*)?$", var.alert_webhook_secret_version))',
          errorMessage: 'alert_webhook_secret_version must be empty or a version number such as 1 ("latest" is not pinned).',
        },
      ],
    });
    const forceDestroy = v('force_destroy_data', {
      type: 'bool',
      default: false,
      description: 'Let destroy delete the lake bucket and the dataset with their contents.',
    });

    this.variables = {
      project_id: projectId,
      region,
      data_location: dataLocation,
      name_prefix: namePrefix,
      lake_bucket_name: lakeBucket,
      dataset_id: datasetId,
      source_url: sourceUrl,
      month_lag: monthLag,
      schedule_window: scheduleWindow,
      schema_contract: schemaContract,
      http_retries: httpRetries,
      alert_webhook_secret_version: secretVersion,
      force_destroy_data: forceDestroy,
    };

    const project = projectId.stringValue;
    const prefix = namePrefix.stringValue;
    this.settings = {
      projectId: project,
      region: region.stringValue,
      dataLocation: dataLocation.stringValue,
      namePrefix: prefix,
      // Raw HCL: cdktf renders an empty string literal in Op/Fn expressions as `undefined`.
      lakeBucketName: Token.asString('${var.lake_bucket_name == "" ? "${var.project_id}-${var.name_prefix}-lake" : var.lake_bucket_name}'),
      sourceBucketName: `${project}-${prefix}-fn-source`,
      datasetId: datasetId.stringValue,
      sourceUrl: sourceUrl.stringValue,
      monthLag: monthLag.numberValue,
      scheduleWindow: scheduleWindow.numberValue,
      schemaContract: schemaContract.stringValue,
      httpRetries: httpRetries.numberValue,
      alertWebhookSecretVersion: secretVersion.stringValue,
      notifyEnabled: 'var.alert_webhook_secret_version != ""',
      forceDestroyData: forceDestroy.booleanValue as unknown as boolean,
    };
  }
}

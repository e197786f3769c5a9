/**
 * The warehouse dataset. Tables are NOT declared here: the pipeline creates the main
 * (`{taxi}_tripdata`) and quarantine (`{taxi}_tripdata_quarantine`) tables on first run with
 * `CREATE TABLE IF NOT EXISTS` from `sql/bigquery/00_tables.sql`, the single source of their schema,
 * partitioning and clustering. Declaring them here too would give two schemas to keep in step and a
 * Terraform diff after every pipeline-side change.
 *
 * No dataset-wide default table expiration: it would apply to the main tables as well. Per-month
 * staging tables are the pipeline's to drop or expire (`OPTIONS(expiration_timestamp=...)`).
 */
import { Construct } from 'constructs';
import { BigqueryDataset } from '@cdktf/provider-google/lib/bigquery-dataset/index.js';
import { BigqueryDatasetIamMember } from '@cdktf/provider-google/lib/bigquery-dataset-iam-member/index.js';

/** Props of {@link WarehouseDataset}. */
export interface WarehouseDatasetProps {
  readonly projectId: string;
  readonly datasetId: string;
  /** Must equal the lake bucket's location: external tables read the raw files in place. */
  readonly location: string;
  readonly labels: Record<string, string>;
  /** Members given roles/bigquery.dataEditor on this dataset only. */
  readonly dataEditors: readonly string[];
  readonly deleteContentsOnDestroy: boolean;
}

/** The dataset and its IAM. */
export class WarehouseDataset extends Construct {
  readonly dataset: BigqueryDataset;

  constructor(scope: Construct, id: string, props: WarehouseDatasetProps) {
    super(scope, id);
    this.dataset = new BigqueryDataset(this, 'dataset', {
      project: props.projectId,
      datasetId: props.datasetId,
      location: props.location,
      friendlyName: 'NYC taxi trips',
      description: 'NYC TLC trip records loaded monthly; tables are created by the pipeline (sql/bigquery/00_tables.sql).',
      labels: { ...props.labels, component: 'warehouse' },
      deleteContentsOnDestroy: props.deleteContentsOnDestroy,
      maxTimeTravelHours: '168',
    });
    props.dataEditors.forEach((member, i) => {
      new BigqueryDatasetIamMember(this, `data-editor-${i}`, {
        project: props.projectId,
        datasetId: this.dataset.datasetId,
        role: 'roles/bigquery.dataEditor',
        member,
      });
    });
  }

  /** The dataset ID. */
  get datasetId(): string {
    return this.dataset.datasetId;
  }
}

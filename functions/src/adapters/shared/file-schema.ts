/**
 * How a month's raw file maps onto its dataset, as both warehouses' slot generators need it: the
 * schema contract applied to the columns extract recorded, and the file's format.
 */
import { dataset, type Column } from '../../domain/datasets.js';
import type { FileFormat } from '../../domain/file-formats.js';
import { matchSchema, type ColumnBinding } from '../../domain/schema-contract.js';
import { fileColumnsOf, formatOf } from '../../ports/object-store.js';
import type { MonthJob } from '../../ports/warehouse.js';

/** A month's file as the stage templates read it. */
export interface FileSchema {
  format: FileFormat;
  /** Every table column (canonical, then evolved), with where it is in the file. */
  bindings: readonly ColumnBinding[];
  /** The columns the `evolve` contract added (the last of `bindings`); empty under `freeze`. */
  evolved: readonly Column[];
  /** Fields per line (CSV) or columns (Parquet) in the file. */
  fieldCount: number;
}

/** The file schema of a job's raw object. */
export function fileSchema(job: MonthJob): FileSchema {
  const fileColumns = fileColumnsOf(job.object.meta);
  const match = matchSchema(dataset(job.taxi), job.month, fileColumns, job.schemaContract ?? 'freeze');
  return { format: formatOf(job.object.meta), bindings: match.bindings, evolved: match.evolved, fieldCount: fileColumns.length };
}

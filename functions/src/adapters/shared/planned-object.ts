/**
 * The raw object a plan assumes when a month is not landed: the month's file in canonical column order,
 * with the columns its era carries, typed as the TLC's current Parquet files type them. `plan` shows
 * statements without touching a lake, for either warehouse.
 */
import { dataset, type ColumnKind, type Taxi } from '../../domain/datasets.js';
import type { FileFormat } from '../../domain/file-formats.js';
import type { Month } from '../../domain/months.js';
import { rawObjectKey } from '../../domain/naming.js';
import type { ValueType } from '../../domain/schema-contract.js';
import type { StoredObject } from '../../ports/object-store.js';
import type { MonthJob } from '../../ports/warehouse.js';

/** The Parquet type assumed per kind when no file is at hand. */
const TYPICAL_PARQUET: Record<ColumnKind, ValueType> = { integer: 'integer', numeric: 'float', timestamp: 'timestamp', string: 'string' };

export function plannedObject(taxi: Taxi, month: Month, format: FileFormat, uri: string, options: { generation?: string; sourceUrl?: string } = {}): StoredObject {
  const columns = dataset(taxi).columns.filter((c) => c.since === undefined || month >= c.since);
  return {
    key: rawObjectKey(taxi, month, format),
    uri,
    generation: options.generation ?? '0',
    meta: {
      taxi,
      month,
      format,
      sourceUrl: options.sourceUrl ?? '',
      etag: null,
      bytes: 0,
      sha256: '',
      dataLines: 0,
      columns: columns.map((c) => c.name),
      fileColumns: columns.map((c) => ({ name: c.name, type: format === 'csv' ? 'text' : TYPICAL_PARQUET[c.kind] })),
      extractedAt: new Date(0).toISOString(),
    },
  };
}

/**
 * A job whose file carries every column of the dataset (a month after every `since`): the catalog
 * creates each dataset's tables with it, or gives an older table the columns it lacks.
 */
export function allColumnsJob(taxi: Taxi): MonthJob {
  return { taxi, month: '2099-12', object: plannedObject(taxi, '2099-12', 'parquet', '') };
}

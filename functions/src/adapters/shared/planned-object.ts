/**
 * The raw object a plan assumes when a month is not landed: the release file in canonical column order.
 * `plan` shows statements without touching a lake, for either warehouse.
 */
import { dataset, type Taxi } from '../../domain/datasets.js';
import type { Month } from '../../domain/months.js';
import { rawObjectKey } from '../../domain/naming.js';
import type { StoredObject } from '../../ports/object-store.js';

export function plannedObject(taxi: Taxi, month: Month, uri: string, options: { generation?: string; sourceUrl?: string } = {}): StoredObject {
  return {
    key: rawObjectKey(taxi, month),
    uri,
    generation: options.generation ?? '0',
    meta: {
      taxi,
      month,
      sourceUrl: options.sourceUrl ?? '',
      etag: null,
      bytes: 0,
      sha256: '',
      dataLines: 0,
      columns: dataset(taxi).columns.map((c) => c.name),
      extractedAt: new Date(0).toISOString(),
    },
  };
}

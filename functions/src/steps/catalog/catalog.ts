/**
 * The catalog step: the taxi zone lookup downloaded (a conditional GET: an unchanged file costs one
 * request), checked, landed untouched in the lake, and the warehouse's analyst catalog refreshed from
 * it — the zone table, every dataset's tables, the `trips` view and every description — when the file
 * or the code's definitions changed since the last refresh. Runs first in every ingest execution.
 */
import { createHash } from 'node:crypto';
import { BadSourceError } from '../../domain/errors.js';
import { parseZones, ZONES } from '../../domain/zones.js';
import type { ObjectStore, StoredObject } from '../../ports/object-store.js';
import type { Warehouse } from '../../ports/warehouse.js';
import { openSource, type RetryPolicy } from '../extract/source.js';

export interface CatalogDeps {
  store: ObjectStore;
  warehouse: Warehouse;
  /** Where the zone lookup is downloaded from (config: TAXI_ZONES_URL, else beside the trip files). */
  zonesUrl: string;
  retry: RetryPolicy;
}

/** What the lake records of the last refresh. */
interface CatalogRecord {
  sha256: string;
  version: string;
  zones: number;
  sourceUrl: string;
  loadedAt: string;
}

export interface CatalogResult {
  /** `refreshed`: the warehouse's catalog was rewritten; `unchanged`: the same file and definitions were already in. */
  status: 'refreshed' | 'unchanged';
  zones: number;
  sourceUrl: string;
  zonesUri: string;
  sha256: string;
}

/** The whole body, refusing more than `max` bytes (the real file is 12 KiB). */
async function readAll(body: AsyncIterable<Uint8Array>, max: number, url: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of body) {
    size += c.byteLength;
    if (size > max) throw new BadSourceError(`${url}: more than ${max} bytes: not a taxi zone lookup`);
    chunks.push(Buffer.from(c));
  }
  return Buffer.concat(chunks);
}

async function* once(bytes: Buffer): AsyncIterable<Uint8Array> {
  yield bytes;
}

/** Download, check and land the zone lookup, then refresh the warehouse's catalog if anything changed. */
export async function refreshCatalog(deps: CatalogDeps): Promise<CatalogResult> {
  const existing = await deps.store.head(ZONES.lakeKey);
  const res = await openSource(deps.zonesUrl, deps.retry, existing?.meta.etag);
  if (res.status === 'not_found') throw new BadSourceError(`${deps.zonesUrl}: not found (404): the taxi zone lookup is needed for the trips view (TAXI_ZONES_URL)`);
  let object: StoredObject;
  if (res.status === 'ok') {
    const bytes = await readAll(res.body, ZONES.maxBytes, deps.zonesUrl);
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      throw new BadSourceError(`${deps.zonesUrl}: not UTF-8 text: not a taxi zone lookup`);
    }
    // Checked before anything lands: a bad file changes nothing.
    const zones = parseZones(text);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    // An identical file already landed is kept, with its generation: the store itself sees to that.
    object = await deps.store.put(ZONES.lakeKey, once(bytes), () => ({
      sourceUrl: deps.zonesUrl,
      etag: res.etag,
      bytes: bytes.byteLength,
      sha256,
      dataLines: zones.length,
      columns: ZONES.columns.map((c) => c.name),
      extractedAt: new Date().toISOString(),
    }));
  } else if (existing) {
    object = existing;
  } else {
    throw new BadSourceError(`${deps.zonesUrl}: answered 304 Not Modified to a request without a validator`);
  }
  const version = deps.warehouse.catalogVersion();
  const record = await deps.store.getRecord<CatalogRecord>(ZONES.recordKey);
  const facts = { sourceUrl: deps.zonesUrl, zonesUri: object.uri, sha256: object.meta.sha256 };
  if (record && record.sha256 === object.meta.sha256 && record.version === version) return { status: 'unchanged', zones: record.zones, ...facts };
  const { zones } = await deps.warehouse.refreshCatalog(object);
  if (zones !== object.meta.dataLines) throw new BadSourceError(`${ZONES.table}: loaded ${zones} zones, the file has ${object.meta.dataLines}`);
  await deps.store.putRecord(ZONES.recordKey, { sha256: object.meta.sha256, version, zones, sourceUrl: deps.zonesUrl, loadedAt: new Date().toISOString() } satisfies CatalogRecord);
  return { status: 'refreshed', zones, ...facts };
}

/**
 * The lake as a GCS bucket.
 *
 * ## Raw objects are written once and never rewritten
 * An external table may be reading a raw object at any time, so a landed object is immutable:
 *
 * 1. **Upload.** `put` streams the body straight into a resumable upload (no `/tmp`, no buffering of
 *    the file) at `_incoming/<key>.<uuid>`, with `ifGenerationMatch: 0` and crc32c validation of the
 *    whole object (the library sends the crc32c it computed and compares it with the stored one; a
 *    mismatch deletes the upload and fails). A body that throws (bad gzip, dropped source) aborts the
 *    session, so nothing is committed. Custom metadata is only known once the body has ended
 *    (sha256, line count, columns), which is why the bytes land under an incoming name first.
 * 2. **Publish.** The incoming object is copied (a same-bucket rewrite: metadata-only, no data moves)
 *    to its final name with the full metadata and `ifGenerationMatch: 0`:
 *    - `raw/green/2020/green_tripdata_2020-10.csv.gz` for the first content of a month (or when the
 *      content equals what is there);
 *    - `raw/green/2020/green_tripdata_2020-10.<sha8>.csv.gz` for a republished file whose sha256
 *      differs from the base object's (sha8 = the first 8 hex digits of the sha256).
 *    A 412 means the object already exists (a retry, or a concurrent extract of the same bytes): its
 *    sha256 and size are compared with what was just streamed; equal, it is used as it is; different,
 *    `put` fails with a clear error and rewrites nothing. The incoming object is then deleted; a
 *    crashed run can leave one behind, so the bucket needs a lifecycle rule deleting `_incoming/`
 *    after a day.
 * 3. **Point.** `pointers/<key>.json` names the current object (`{name, generation, sha256}`). It is
 *    written last, with `ifGenerationMatch` of the pointer generation read before the upload, so two
 *    concurrent extracts cannot both move it. `head(key)` reads the pointer and then the object it
 *    names; with no pointer it falls back to the base object itself (a run that died between publish
 *    and point).
 *
 * `StoredObject.generation` is `<object generation>` or, with a pointer, `<object generation>.<pointer
 * generation>`: it changes whenever the current object for a key changes, even back to an earlier
 * object (A, B, then A again), so warehouse job IDs derived from it never reuse a stale job.
 */
import { randomUUID } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Bucket, File, FileMetadata, Storage } from '@google-cloud/storage';
import { PipelineError } from '../../domain/errors.js';
import type { ObjectStore, PlainObject, RawFileMeta, StoredObject } from '../../ports/object-store.js';

/** Pointer to the current object of a key. */
interface Pointer {
  name: string;
  generation: string;
  sha256: string;
}

const META_PREFIX = 'taxi-';

/** RawFileMeta as GCS custom metadata (string values). */
export function toCustomMetadata(meta: RawFileMeta): Record<string, string> {
  return {
    [`${META_PREFIX}taxi`]: meta.taxi ?? '',
    [`${META_PREFIX}month`]: meta.month ?? '',
    [`${META_PREFIX}source-url`]: meta.sourceUrl,
    [`${META_PREFIX}etag`]: meta.etag ?? '',
    [`${META_PREFIX}bytes`]: String(meta.bytes),
    [`${META_PREFIX}sha256`]: meta.sha256,
    [`${META_PREFIX}data-lines`]: String(meta.dataLines),
    [`${META_PREFIX}columns`]: meta.columns.join(','),
    [`${META_PREFIX}extracted-at`]: meta.extractedAt,
    ...(meta.format ? { [`${META_PREFIX}format`]: meta.format } : {}),
    // The footer's schema (about 1 KiB for 25 columns): GCS allows 8 KiB of custom metadata.
    ...(meta.fileColumns ? { [`${META_PREFIX}schema`]: JSON.stringify(meta.fileColumns) } : {}),
  };
}

/** Custom metadata back to RawFileMeta, or null when the object has none (not published by `put`). */
export function fromCustomMetadata(m: Record<string, unknown> | undefined | null): RawFileMeta | null {
  const get = (k: string) => {
    const v = m?.[`${META_PREFIX}${k}`];
    return v === undefined || v === null ? undefined : String(v);
  };
  const sha256 = get('sha256');
  if (!sha256) return null;
  return {
    ...(get('taxi') ? { taxi: get('taxi') as RawFileMeta['taxi'] } : {}),
    ...(get('month') ? { month: get('month') as RawFileMeta['month'] } : {}),
    sourceUrl: get('source-url') ?? '',
    etag: get('etag') || null,
    bytes: Number(get('bytes')),
    sha256,
    dataLines: Number(get('data-lines')),
    columns: (get('columns') ?? '').split(',').filter(Boolean),
    extractedAt: get('extracted-at') ?? '',
    ...(get('format') ? { format: get('format') as RawFileMeta['format'] } : {}),
    ...(get('schema') ? { fileColumns: JSON.parse(get('schema')!) as RawFileMeta['fileColumns'] } : {}),
  };
}

/** Name of a republished file: `<stem>.<sha8>.csv.gz` (or `.parquet`) beside the base key. */
export function versionedKey(key: string, sha256: string): string {
  const sha8 = sha256.slice(0, 8);
  const m = /^(.*?)(\.csv\.gz|\.parquet)$/.exec(key);
  return m ? `${m[1]}.${sha8}${m[2]}` : `${key}.${sha8}`;
}

export function pointerKey(key: string): string {
  return `pointers/${key}.json`;
}

/** Content type of a raw object, by its extension. */
export function contentTypeOf(key: string): string {
  return key.endsWith('.parquet') ? 'application/vnd.apache.parquet' : 'application/gzip';
}

export function incomingKey(key: string): string {
  return `_incoming/${key}.${randomUUID()}`;
}

/** HTTP status of a client library error. */
export function statusOf(err: unknown): number | undefined {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'number' ? code : typeof code === 'string' && /^\d+$/.test(code) ? Number(code) : undefined;
}

/** GCS implementation of the object store port. */
export class GcsObjectStore implements ObjectStore {
  private readonly bucket: Bucket;

  constructor(
    storage: Storage,
    readonly bucketName: string,
  ) {
    this.bucket = storage.bucket(bucketName);
  }

  private uri(name: string): string {
    return `gs://${this.bucketName}/${name}`;
  }

  private async metadata(file: File): Promise<FileMetadata | null> {
    try {
      const [m] = await file.getMetadata();
      return m;
    } catch (err) {
      if (statusOf(err) === 404) return null;
      throw err;
    }
  }

  private async readPointer(key: string): Promise<{ pointer: Pointer; generation: string } | null> {
    const file = this.bucket.file(pointerKey(key));
    try {
      const [m] = await file.getMetadata();
      const [buf] = await this.bucket.file(pointerKey(key), { generation: Number(m.generation) }).download({ validation: false });
      return { pointer: JSON.parse(buf.toString('utf8')) as Pointer, generation: String(m.generation) };
    } catch (err) {
      if (statusOf(err) === 404) return null;
      throw err;
    }
  }

  private stored(key: string, m: FileMetadata, pointerGeneration?: string): StoredObject | null {
    const meta = fromCustomMetadata(m.metadata as Record<string, unknown>);
    if (!meta || !m.name) return null;
    const generation = pointerGeneration ? `${m.generation}.${pointerGeneration}` : String(m.generation);
    return { key, uri: this.uri(m.name), generation, meta };
  }

  async head(key: string): Promise<StoredObject | null> {
    const ptr = await this.readPointer(key);
    if (ptr) {
      const m = await this.metadata(this.bucket.file(ptr.pointer.name));
      if (!m) throw new PipelineError('internal', `pointer ${pointerKey(key)} names ${ptr.pointer.name}, which does not exist`);
      return this.stored(key, m, ptr.generation);
    }
    const m = await this.metadata(this.bucket.file(key));
    return m ? this.stored(key, m) : null;
  }

  async putRecord(key: string, value: unknown): Promise<void> {
    await this.bucket.file(key).save(JSON.stringify(value), { resumable: false, contentType: 'application/json' });
  }

  async getRecord<T>(key: string): Promise<T | null> {
    try {
      const [buf] = await this.bucket.file(key).download({ validation: false });
      return JSON.parse(buf.toString('utf8')) as T;
    } catch (err) {
      if (statusOf(err) === 404) return null;
      throw err;
    }
  }

  async stat(key: string): Promise<PlainObject | null> {
    const m = await this.metadata(this.bucket.file(key));
    return m ? { key, uri: this.uri(key), generation: String(m.generation), bytes: Number(m.size) } : null;
  }

  async remove(key: string, generation: string): Promise<boolean> {
    try {
      await this.bucket.file(key).delete({ ifGenerationMatch: Number(generation) });
      return true;
    } catch (err) {
      if (statusOf(err) === 404 || statusOf(err) === 412) return false;
      throw err;
    }
  }

  /** A same-bucket rewrite of exactly that generation (metadata only, no data moves), then its delete. */
  async move(key: string, generation: string, to: string, note: Record<string, string>): Promise<boolean> {
    const source = this.bucket.file(key, { generation: Number(generation) });
    try {
      await source.copy(this.bucket.file(to), { metadata: Object.fromEntries(Object.entries(note).map(([k, v]) => [`${META_PREFIX}${k}`, v])) });
    } catch (err) {
      if (statusOf(err) === 404) return false;
      throw err;
    }
    return this.remove(key, generation);
  }

  read(key: string, generation?: string): AsyncIterable<Uint8Array> {
    const self = this;
    if (generation !== undefined) {
      // A landed object, read as it is: a newer copy under the same name fails the read (404), never mixes in.
      return (async function* () {
        try {
          yield* self.bucket.file(key, { generation: Number(generation) }).createReadStream({ validation: 'crc32c' });
        } catch (err) {
          // That generation is gone: replaced by a newer copy (or deleted). A retry reads the current one.
          if (statusOf(err) === 404) throw new PipelineError('unavailable', `${key} changed while it was being read (generation ${generation} is gone)`);
          throw err;
        }
      })();
    }
    return (async function* () {
      const current = await self.head(key);
      if (!current) throw new PipelineError('bad_request', `no object ${key} in gs://${self.bucketName}`);
      const name = current.uri.slice(`gs://${self.bucketName}/`.length);
      yield* self.bucket.file(name).createReadStream({ validation: 'crc32c' });
    })();
  }

  async put(key: string, body: AsyncIterable<Uint8Array>, meta: () => RawFileMeta): Promise<StoredObject> {
    const before = await this.readPointer(key);
    const incoming = this.bucket.file(incomingKey(key));
    try {
      // 1. Upload: one resumable session, streamed, crc32c-validated, never overwriting.
      await pipeline(
        Readable.from(body, { objectMode: false }),
        incoming.createWriteStream({
          resumable: true,
          validation: 'crc32c',
          contentType: contentTypeOf(key),
          preconditionOpts: { ifGenerationMatch: 0 },
          metadata: { metadata: { [`${META_PREFIX}target`]: key } },
        }) as Writable,
      );
      const info = meta();
      // 2. Publish under the final name, with the metadata the stream measured.
      const published = await this.publish(key, incoming, info);
      // 3. Point the key at it.
      const pointerGeneration = await this.point(key, published, info, before?.generation ?? '0');
      return this.stored(key, published, pointerGeneration)!;
    } finally {
      await incoming.delete({ ignoreNotFound: true }).catch(() => undefined);
    }
  }

  /** Copy the incoming object to its final name; a 412 compares with what is there. */
  private async publish(key: string, incoming: File, info: RawFileMeta): Promise<FileMetadata> {
    const base = await this.metadata(this.bucket.file(key));
    const baseMeta = base ? fromCustomMetadata(base.metadata as Record<string, unknown>) : null;
    const name = !base || baseMeta?.sha256 === info.sha256 ? key : versionedKey(key, info.sha256);
    const target = this.bucket.file(name);
    try {
      const [, resp] = await incoming.copy(target, {
        contentType: contentTypeOf(key),
        metadata: toCustomMetadata(info),
        preconditionOpts: { ifGenerationMatch: 0 },
      });
      const resource = (resp as { resource?: FileMetadata } | undefined)?.resource;
      return resource ?? (await this.metadata(target))!;
    } catch (err) {
      if (statusOf(err) !== 412) throw err;
      // Already there: a retried put, or another extract of the same file. Same bytes, or refuse.
      const existing = await this.metadata(target);
      const existingMeta = existing ? fromCustomMetadata(existing.metadata as Record<string, unknown>) : null;
      if (existing && existingMeta && existingMeta.sha256 === info.sha256 && Number(existing.size) === info.bytes) return existing;
      throw new PipelineError(
        'bad_source',
        `raw object gs://${this.bucketName}/${name} already exists with different content (sha256 ${existingMeta?.sha256.slice(0, 12) ?? 'unknown'}, ${existing?.size ?? '?'} bytes; the source has sha256 ${info.sha256.slice(0, 12)}, ${info.bytes} bytes); it is never overwritten: delete it and its pointer by hand if it is corrupt`,
      );
    }
  }

  /** Move the key's pointer to `object`, compare-and-swap on the pointer generation. */
  private async point(key: string, object: FileMetadata, info: RawFileMeta, expectedGeneration: string): Promise<string> {
    const pointer: Pointer = { name: object.name!, generation: String(object.generation), sha256: info.sha256 };
    const file = this.bucket.file(pointerKey(key));
    try {
      await file.save(JSON.stringify(pointer), {
        resumable: false,
        contentType: 'application/json',
        preconditionOpts: { ifGenerationMatch: expectedGeneration },
      });
      // save() leaves the created object's resource on the File
      const generation = file.metadata?.generation ?? (await this.metadata(file))?.generation;
      return String(generation);
    } catch (err) {
      if (statusOf(err) !== 412) throw err;
      const now = await this.readPointer(key);
      if (now && now.pointer.name === pointer.name) return now.generation;
      throw new PipelineError('unavailable', `another extract moved ${pointerKey(key)} meanwhile (to ${now?.pointer.name ?? 'nothing'}); retry`);
    }
  }
}

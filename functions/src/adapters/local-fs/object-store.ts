/**
 * The lake as a local folder. Writes go to a temp file beside the target and are renamed into place
 * only when the body ended cleanly, so a reader never sees half a file. Metadata sits in a
 * `<key>.meta.json` sidecar, written (atomically too) before the data file is renamed in.
 */
import { createReadStream } from 'node:fs';
import { mkdir, readFile, rename, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { ObjectStore, PlainObject, RawFileMeta, StoredObject } from '../../ports/object-store.js';
import { PipelineError } from '../../domain/errors.js';
import { removeDeadTemps, tempName } from '../shared/leftovers.js';
import { writeBody } from './write-body.js';

/** Local-folder implementation of the object store port. */
export class LocalFsObjectStore implements ObjectStore {
  private readonly root: string;

  /** @param root folder standing for the bucket */
  constructor(root: string) {
    this.root = resolve(root);
  }

  private path(key: string): string {
    if (key.split('/').some((part) => part === '..' || part === '')) throw new Error(`invalid object key ${key}`);
    return join(this.root, key);
  }

  async put(key: string, body: AsyncIterable<Uint8Array>, meta: () => RawFileMeta): Promise<StoredObject> {
    const target = this.path(key);
    // writeBody makes the folder when it is missing.
    const tmp = tempName(target, 'tmp');
    const tmpMeta = `${tmp}.meta.json`;
    try {
      await writeBody(tmp, body);
      const info = meta();
      // The same bytes already landed (another execution extracted the month at the same time): keep
      // that object and its generation, as the GCS store does on a 412 with an equal checksum.
      const existing = await this.head(key);
      if (existing && existing.meta.sha256 === info.sha256 && existing.meta.bytes === info.bytes) {
        await rm(tmp, { force: true });
        return existing;
      }
      const generation = String(Date.now() * 1000 + Math.floor(Math.random() * 1000));
      await writeFile(tmpMeta, JSON.stringify({ generation, meta: info }, null, 2));
      await rename(tmpMeta, `${target}.meta.json`);
      await rename(tmp, target);
      return { key, uri: target, generation, meta: info };
    } catch (err) {
      await rm(tmp, { force: true });
      await rm(tmpMeta, { force: true });
      throw err;
    }
  }

  /** The object, after removing what a killed writer of it left beside it (its temp files). */
  async head(key: string): Promise<StoredObject | null> {
    const target = this.path(key);
    removeDeadTemps(dirname(target), basename(target));
    try {
      await stat(target);
      const side = JSON.parse(await readFile(`${target}.meta.json`, 'utf8')) as { generation: string; meta: RawFileMeta };
      return { key, uri: target, generation: side.generation, meta: side.meta };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  async putRecord(key: string, value: unknown): Promise<void> {
    const target = this.path(key);
    await mkdir(dirname(target), { recursive: true });
    const tmp = tempName(target, 'tmp');
    try {
      await writeFile(tmp, JSON.stringify(value, null, 2));
      await rename(tmp, target);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
  }

  async getRecord<T>(key: string): Promise<T | null> {
    try {
      return JSON.parse(await readFile(this.path(key), 'utf8')) as T;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  read(key: string, generation?: string): AsyncIterable<Uint8Array> {
    if (generation === undefined) return createReadStream(this.path(key));
    const self = this;
    const unchanged = async () => {
      const now = await self.stat(key);
      if (now?.generation !== generation) throw new PipelineError('unavailable', `${key} changed while it was being read (generation ${generation}, now ${now?.generation ?? 'gone'})`);
    };
    return (async function* () {
      await unchanged();
      yield* createReadStream(self.path(key));
      // A copy rewriting the file in place while it was read: the bytes read are not one version's.
      await unchanged();
    })();
  }

  /**
   * A file's generation: inode, modification time (ns) and size, so a copy landing again under the
   * same name (new inode, or the same one rewritten) is a new generation.
   */
  async stat(key: string): Promise<PlainObject | null> {
    const target = this.path(key);
    try {
      const st = await stat(target, { bigint: true });
      if (!st.isFile()) return null;
      return { key, uri: target, generation: `${st.ino}.${st.mtimeNs}.${st.size}`, bytes: Number(st.size) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  /** The object and then its metadata sidecar (a crash between leaves only the sidecar, which `head` ignores, as after a killed `put`). */
  async remove(key: string, generation: string): Promise<boolean> {
    if ((await this.stat(key))?.generation !== generation) return false;
    await rm(this.path(key), { force: true });
    await rm(`${this.path(key)}.meta.json`, { force: true });
    await this.prune(key);
    return true;
  }

  /**
   * The folders the removal of `key` left empty, as a bucket has no empty folders (a CSV month's text
   * left `work/{taxi}/{YYYY}/`): up to, not including, the key's first folder (`landing/` stays where
   * files are dropped). A write racing this into the same folder makes it again (`writeBody`).
   */
  private async prune(key: string): Promise<void> {
    const top = join(this.root, key.split('/')[0]!);
    for (let dir = dirname(this.path(key)); dir.startsWith(`${top}/`); dir = dirname(dir)) {
      try {
        await rmdir(dir);
      } catch {
        return; // not empty (or gone): what is above it is not empty either
      }
    }
  }

  /** The note is written as `<to>.meta.json` before the rename, so the moved file never lacks it. */
  async move(key: string, generation: string, to: string, note: Record<string, string>): Promise<boolean> {
    if ((await this.stat(key))?.generation !== generation) return false;
    const target = this.path(to);
    await mkdir(dirname(target), { recursive: true });
    await this.putRecord(`${to}.meta.json`, { note });
    await rename(this.path(key), target);
    return true;
  }
}

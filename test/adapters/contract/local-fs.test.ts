import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalFsLeaseStore } from '../../../functions/src/adapters/local-fs/lease.js';
import { LocalFsObjectStore } from '../../../functions/src/adapters/local-fs/object-store.js';
import { tempDir } from '../../helpers/files.js';
import { leaseContract } from './lease.contract.js';
import { landedObjectContract } from './landed-object.contract.js';
import { objectStoreContract } from './object-store.contract.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());
let n = 0;

objectStoreContract('local-fs', () => new LocalFsObjectStore(`${tmp.dir}/store-${n++}`));
leaseContract('local-fs', (now) => new LocalFsLeaseStore(`${tmp.dir}/lease-${n++}`, now));
landedObjectContract('local-fs', () => {
  const root = `${tmp.dir}/landed-${n++}`;
  return {
    store: new LocalFsObjectStore(root),
    drop: async (key, body) => {
      mkdirSync(dirname(join(root, key)), { recursive: true });
      // Another file renamed over the name, as a copy tool finishing does: a new inode.
      writeFileSync(join(root, `${key}.new`), body);
      const { renameSync } = await import('node:fs');
      renameSync(join(root, `${key}.new`), join(root, key));
    },
    noteOf: async (key) => (JSON.parse(readFileSync(join(root, `${key}.meta.json`), 'utf8')) as { note: Record<string, string> }).note,
  };
});

describe('local-fs removal', () => {
  it('removes the folders it left empty, up to the key\'s first folder, and no folder still holding a file', async () => {
    const root = `${tmp.dir}/prune-${n++}`;
    const store = new LocalFsObjectStore(root);
    const meta = () => ({ sourceUrl: 's', etag: null, bytes: 4, sha256: 'x', dataLines: 1, columns: [], extractedAt: '' });
    const put = (key: string) => store.put(key, (async function* () {
      yield Buffer.from('line');
    })(), meta);
    // Removed by the generation of the file itself, as the steps remove them.
    const remove = async (key: string) => store.remove(key, (await store.stat(key))!.generation);
    await put('work/green/2020/a.csv');
    await put('work/green/2021/b.csv');
    await put('landing/c.csv.gz');
    expect(await remove('work/green/2020/a.csv')).toBe(true);
    expect(readdirSync(join(root, 'work', 'green'))).toEqual(['2021']);
    expect(await remove('work/green/2021/b.csv')).toBe(true);
    expect(readdirSync(join(root, 'work'))).toEqual([]);
    // landing/ is where files are dropped: it stays, empty.
    expect(await remove('landing/c.csv.gz')).toBe(true);
    expect(readdirSync(join(root, 'landing'))).toEqual([]);
    // A write into a folder removed meanwhile makes it again.
    expect((await put('work/green/2020/d.csv')).key).toBe('work/green/2020/d.csv');
  });
});

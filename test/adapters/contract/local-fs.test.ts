import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll } from 'vitest';
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

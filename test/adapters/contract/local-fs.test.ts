import { afterAll } from 'vitest';
import { LocalFsLeaseStore } from '../../../functions/src/adapters/local-fs/lease.js';
import { LocalFsObjectStore } from '../../../functions/src/adapters/local-fs/object-store.js';
import { tempDir } from '../../helpers/files.js';
import { leaseContract } from './lease.contract.js';
import { objectStoreContract } from './object-store.contract.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());
let n = 0;

objectStoreContract('local-fs', () => new LocalFsObjectStore(`${tmp.dir}/store-${n++}`));
leaseContract('local-fs', (now) => new LocalFsLeaseStore(`${tmp.dir}/lease-${n++}`, now));

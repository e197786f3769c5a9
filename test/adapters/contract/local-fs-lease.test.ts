/**
 * What only the local lease does: a lease whose process is gone is free at once, and what a process
 * killed mid-write left (a temp file) is removed by the next acquisition.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalFsLeaseStore } from '../../../functions/src/adapters/local-fs/lease.js';
import { tempDir } from '../../helpers/files.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());
const KEY = 'leases/green_tripdata_2020-10.lock';

describe('local lease', () => {
  it('is free at once when its holder process is gone, whatever its TTL', async () => {
    const store = new LocalFsLeaseStore(join(tmp.dir, 'dead'));
    const got = await store.acquire(KEY, 'exec-dead', 3_600_000);
    expect(got.lease).toBeDefined();
    const path = join(tmp.dir, 'dead', KEY);
    const dead = spawnSync(process.execPath, ['-e', 'process.exit(0)']).pid;
    writeFileSync(path, JSON.stringify({ ...JSON.parse(readFileSync(path, 'utf8')), pid: dead }));
    const next = await store.acquire(KEY, 'exec-next', 60_000);
    expect(next.lease?.holder).toBe('exec-next');
    // a live holder (this process) is waited for
    expect((await store.acquire(KEY, 'exec-third', 60_000)).busy).toMatchObject({ holder: 'exec-next' });
  });

  it('removes a killed writer\'s temp file and a stale mutex', async () => {
    const dir = join(tmp.dir, 'left');
    const store = new LocalFsLeaseStore(dir);
    await store.acquire(KEY, 'exec-a', 60_000).then((g) => g.lease!.release());
    const path = join(dir, KEY);
    writeFileSync(`${path}.tmp-0000`, '{"half": ');
    const mutex = `${path}.mutex`;
    spawnSync('mkdir', [mutex]);
    spawnSync('touch', ['-d', '1 minute ago', mutex]);
    expect((await store.acquire(KEY, 'exec-b', 60_000)).lease).toBeDefined();
    expect(readdirSync(join(dir, 'leases'))).toEqual(['green_tripdata_2020-10.lock']);
  });
});

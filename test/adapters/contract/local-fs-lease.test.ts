/**
 * What only the local lease does: a lease whose process is gone is free at once, and what a process
 * killed mid-write left (a temp file, its mutex) is removed by the next acquisition.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
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

  it('breaks at once a fresh mutex whose process is gone, waits for a live one\'s, and an unnamed one after a second', async () => {
    const dir = join(tmp.dir, 'mutex');
    const store = new LocalFsLeaseStore(dir);
    await store.acquire(KEY, 'exec-a', 60_000).then((g) => g.lease!.release());
    const mutex = `${join(dir, KEY)}.mutex`;
    // Killed inside a critical section a moment ago: named, its process gone. Broken at once (not after
    // the 10 s a nameless mutex of another host waits).
    const dead = spawnSync(process.execPath, ['-e', 'process.exit(0)']).pid;
    mkdirSync(mutex);
    writeFileSync(join(mutex, 'owner'), `${hostname()} ${dead}`);
    let t0 = Date.now();
    expect((await store.acquire(KEY, 'exec-b', 60_000)).lease).toBeDefined();
    expect(Date.now() - t0).toBeLessThan(1_000);
    expect(existsSync(mutex)).toBe(false);
    // A live owner (this process) is waited for: released after 300 ms, then taken.
    mkdirSync(mutex);
    writeFileSync(join(mutex, 'owner'), `${hostname()} ${process.pid}`);
    setTimeout(() => rmSync(mutex, { recursive: true }), 300);
    t0 = Date.now();
    expect((await store.acquire(KEY, 'exec-b', 60_000)).lease).toBeDefined();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(300);
    // Killed between creating it and naming itself: broken once it is a second old.
    mkdirSync(mutex);
    t0 = Date.now();
    expect((await store.acquire(KEY, 'exec-b', 60_000)).lease).toBeDefined();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
    expect(Date.now() - t0).toBeLessThan(5_000);
    // Killed after creating its owner file, before writing its name in it: the same, not the 10 s of a
    // named mutex of another host.
    mkdirSync(mutex);
    writeFileSync(join(mutex, 'owner'), '');
    t0 = Date.now();
    expect((await store.acquire(KEY, 'exec-b', 60_000)).lease).toBeDefined();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
    expect(Date.now() - t0).toBeLessThan(5_000);
  });
});

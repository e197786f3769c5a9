/**
 * Two executions never replace one month at once: a run that finds the month's lease held reports
 * `skipped` and changes nothing; once the lease is released or stale, runs proceed.
 */
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { LocalFsLeaseStore } from '../../functions/src/adapters/local-fs/lease.js';
import { leaseKey } from '../../functions/src/domain/naming.js';
import { REAL_MONTH, tempDir } from '../helpers/files.js';
import { query, run, source } from '../helpers/stack.js';
import { cli } from '../helpers/cli.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

it('a month whose lease is held elsewhere is skipped, then loads once released', async () => {
  const server = await source({ '/green/green_tripdata_2020-10.csv.gz': REAL_MONTH });
  try {
    const leases = new LocalFsLeaseStore(join(tmp.dir, 'lake'));
    const held = await leases.acquire(leaseKey('green', '2020-10'), 'another-execution', 60_000);
    expect(held).not.toBeNull();
    const skipped = await run(server.url, tmp.dir, 'green', '2020-10');
    expect(skipped).toMatchObject({ status: 'skipped', rowsLoaded: 0, inserted: 0 });
    const [t] = await query(tmp.dir, "SELECT count(*) AS n FROM information_schema.tables WHERE table_name = 'green_tripdata'");
    expect(t!.n).toBe('0');
    const r = await cli(['run', '--taxi', 'green', '--month', '2020-10', '--source', server.url, '--data-dir', tmp.dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('error: the month is locked by another run\n');
    await held!.release();
    const loaded = await run(server.url, tmp.dir, 'green', '2020-10');
    expect(loaded).toMatchObject({ status: 'succeeded', rowsLoaded: 95_111 });
  } finally {
    await server.close();
  }
});

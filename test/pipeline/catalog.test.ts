/**
 * The analyst catalog on the embedded stack: the real zone lookup fetched, checked, landed and loaded by
 * the workflow's catalog step; the trips view over the four datasets; every description from the
 * domain; refreshed when the file changes and not otherwise; a bad file refused with the tables unchanged.
 */
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { describedObjects } from '../../functions/src/domain/descriptions.js';
import { runMonth } from '../../functions/src/local/run-month.js';
import { serveFiles } from '../../functions/src/local/file-server.js';
import { fixtureZones, REAL_MONTH, tempDir, ZONES_FILE, ZONES_PATH } from '../helpers/files.js';
import { query, testConfig } from '../helpers/stack.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

describe('catalog', () => {
  const zones = join(tmp.dir, 'zones.csv');
  copyFileSync(ZONES_FILE, zones);
  const published = new Map([['/green/green_tripdata_2020-10.csv.gz', REAL_MONTH], [ZONES_PATH, zones]]);
  const dir = join(tmp.dir, 'data');
  const record = () => JSON.parse(readFileSync(join(dir, 'lake', 'loads', 'misc', 'taxi_zone_lookup.json'), 'utf8')) as { loadedAt: string; sha256: string };

  it('loads the real zone lookup, the trips view and every description with the month', async () => {
    const server = await serveFiles(published);
    try {
      expect(await runMonth(testConfig(server.url, dir), 'green', '2020-10')).toMatchObject({ status: 'succeeded', rowsLoaded: 95_111 });
      const rows = await query(dir, 'SELECT * FROM taxi_zone_lookup ORDER BY LocationID');
      const expected = fixtureZones();
      expect(rows).toHaveLength(265);
      expect(rows.map((r) => [String(r.LocationID), r.Borough, r.Zone, r.service_zone])).toEqual(expected);
      // the raw file landed untouched
      expect(readFileSync(join(dir, 'lake', 'raw', 'misc', 'taxi_zone_lookup.csv')).equals(readFileSync(zones))).toBe(true);
      // trips: the main table's rows, zones named as the lookup names them
      const [t] = await query(dir, "SELECT count(*) AS n, count(DISTINCT service_type) AS s FROM nyc_taxi.trips");
      expect(t).toEqual({ n: '95111', s: '1' });
      const joined = await query(dir, `SELECT t.pickup_location_id AS id, t.pickup_borough AS b, t.pickup_zone AS z, g.total_amount = t.total_amount AS same
        FROM trips t JOIN green_tripdata g ON g.unique_row_id IS NOT NULL AND g.filename = t.filename AND g.PULocationID = t.pickup_location_id AND g.lpep_pickup_datetime = t.pickup_datetime AND g.lpep_dropoff_datetime = t.dropoff_datetime AND g.DOLocationID = t.dropoff_location_id
        WHERE t.pickup_location_id = 74 LIMIT 1`);
      expect(joined[0]).toMatchObject({ id: '74', b: 'Manhattan', z: 'East Harlem North' });
      const byName = new Map(expected.map((z) => [z[0], z]));
      expect(byName.get('74')!.slice(1, 3)).toEqual(['Manhattan', 'East Harlem North']);
      // every described object and column carries the domain's text
      const comments = await query(dir, "SELECT table_name, column_name, comment FROM duckdb_columns() WHERE schema_name = 'main'");
      const objects = await query(dir, "SELECT table_name AS name, comment FROM duckdb_tables() UNION ALL SELECT view_name, comment FROM duckdb_views() WHERE NOT internal AND schema_name = 'main'");
      for (const o of describedObjects()) {
        expect(objects.find((x) => x.name === o.name)?.comment, o.name).toBe(o.description);
        for (const c of o.columns) {
          const found = comments.find((x) => x.table_name === o.name && String(x.column_name).toLowerCase() === c.name.toLowerCase());
          expect(found?.comment, `${o.name}.${c.name}`).toBe(c.description);
        }
      }
      const [pt] = await query(dir, "SELECT comment FROM duckdb_columns() WHERE table_name = 'green_tripdata' AND column_name = 'payment_type'");
      expect(pt!.comment).toMatch(/1 = Credit card, 2 = Cash/);
    } finally {
      await server.close();
    }
  });

  it('is not rewritten when nothing changed, and is when the zone file changes', async () => {
    const server = await serveFiles(published);
    try {
      const before = record();
      expect(await runMonth(testConfig(server.url, dir), 'green', '2020-10')).toMatchObject({ status: 'succeeded' });
      expect(record().loadedAt).toBe(before.loadedAt);
      // The TLC renames a zone.
      writeFileSync(zones, readFileSync(ZONES_FILE, 'utf8').replace('"East Harlem North"', '"East Harlem (North)"'));
      expect(await runMonth(testConfig(server.url, dir), 'green', '2020-10')).toMatchObject({ status: 'succeeded' });
      expect(record().sha256).not.toBe(before.sha256);
      const [z] = await query(dir, 'SELECT Zone FROM taxi_zone_lookup WHERE LocationID = 74');
      expect(z!.Zone).toBe('East Harlem (North)');
      const [t] = await query(dir, "SELECT count(*) AS n FROM trips WHERE pickup_zone = 'East Harlem (North)'");
      expect(Number(t!.n)).toBeGreaterThan(0);
    } finally {
      await server.close();
    }
  });

  it('a one-month run refreshes the catalog while the file downloads, and stages the month after both ended', async () => {
    const fresh = join(tmp.dir, 'overlap');
    // The zone file is answered only once the month's file was asked for, and late: a run that fetched
    // the zones before the month's file would wait here (up to 5 s) and fail the first check below.
    let tripAsked: () => void = () => undefined;
    const tripRequested = new Promise<void>((ok) => (tripAsked = ok));
    let zonesAnsweredAt = 0;
    let tripFirst = false;
    const server = await serveFiles(published, async (req) => {
      if (req.url?.includes('green_tripdata')) tripAsked();
      else if (req.url?.includes('taxi_zone_lookup')) {
        tripFirst = await Promise.race([tripRequested.then(() => true), new Promise<boolean>((ok) => setTimeout(() => ok(false), 5_000))]);
        await new Promise((ok) => setTimeout(ok, 400));
        zonesAnsweredAt = Date.now();
      }
      return false;
    });
    try {
      expect(await runMonth(testConfig(server.url, fresh), 'green', '2020-10')).toMatchObject({ status: 'succeeded', rowsLoaded: 95_111 });
      expect(tripFirst).toBe(true);
      const [stage] = await query(fresh, "SELECT CAST(epoch_ms(started_at) AS BIGINT) AS t FROM pipeline_runs WHERE step = 'stage'");
      expect(Number(stage!.t)).toBeGreaterThanOrEqual(zonesAnsweredAt);
      expect(await query(fresh, 'SELECT count(*) AS n FROM taxi_zone_lookup')).toEqual([{ n: '265' }]);
    } finally {
      await server.close();
    }
  });

  it.each([
    ['a wrong header', (t: string) => t.replace('"service_zone"', '"service"'), /taxi_zone_lookup\.csv: the header must be LocationID,Borough,Zone,service_zone/],
    ['a repeated id', (t: string) => `${t.trim()}\n74,"Manhattan","Again","Boro Zone"\n`, /taxi_zone_lookup\.csv line 267: LocationID 74 appears twice/],
    ['an HTML page', () => '<html>maintenance</html>\n', /the header must be/],
  ])('%s is refused in one line; the lake file and the table stay as they were', async (_what, corrupt, message) => {
    const server = await serveFiles(published);
    const good = readFileSync(zones, 'utf8');
    const logs: { severity: string; message: unknown }[] = [];
    try {
      const landed = readFileSync(join(dir, 'lake', 'raw', 'misc', 'taxi_zone_lookup.csv'));
      const table = await query(dir, 'SELECT * FROM taxi_zone_lookup ORDER BY LocationID');
      writeFileSync(zones, corrupt(good));
      const s = await runMonth(testConfig(server.url, dir), 'green', '2020-10', { workflowLog: (e) => logs.push(e as never) });
      expect(s.status).toBe('succeeded'); // the months do not wait for the zones
      const warning = logs.find((l) => l.severity === 'WARNING' && String((l.message as { message?: string })?.message ?? '').startsWith('catalog: '));
      const text = String((warning?.message as { message?: string })?.message);
      expect(text).toMatch(message);
      expect(text).not.toMatch(/\n|    at /); // one line, no stack
      expect(readFileSync(join(dir, 'lake', 'raw', 'misc', 'taxi_zone_lookup.csv')).equals(landed)).toBe(true);
      expect(await query(dir, 'SELECT * FROM taxi_zone_lookup ORDER BY LocationID')).toEqual(table);
    } finally {
      writeFileSync(zones, good);
      await server.close();
    }
  });
});

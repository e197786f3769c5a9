/**
 * `taxi-elt report` in a real headless browser (Debian's chromium, driven by playwright-core): the page
 * opens from a file with no console error and no network request, and shows what the ledger holds —
 * the coverage heatmap, the executions' steps, rows and quarantine reasons, the failure with its error,
 * and the workflow topology read from `workflows/`. The screenshot in the README is taken here.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';
import { REAL_MONTH, tempDir } from '../helpers/files.js';
import { run, source } from '../helpers/stack.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const tmp = tempDir();
let browser: Browser;
const out = join(tmp.dir, 'report.html');

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`no browser at ${CHROMIUM}: install Debian's chromium (.ci/run does) or set CHROMIUM_PATH`);
  const server = await source({ '/green/green_tripdata_2020-10.csv.gz': REAL_MONTH }, (req, res) => {
    if (!req.url?.includes('2020-11')) return false;
    res.writeHead(200, { 'content-type': 'text/html' }).end('<html>maintenance</html>');
    return true;
  });
  try {
    expect((await run(server.url, tmp.dir, 'green', '2020-10')).status).toBe('succeeded');
    expect((await run(server.url, tmp.dir, 'green', '2020-11')).status).toBe('failed');
  } finally {
    await server.close();
  }
  const r = await cli(['report', '--out', out, '--data-dir', tmp.dir]);
  expect(r.code, r.stderr).toBe(0);
  expect(r.stdout).toMatch(/^wrote .*report\.html \(4 step attempt\(s\), 2 month\(s\)\)\n$/);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  tmp.cleanup();
});

describe('taxi-elt report', () => {
  it('is one self-contained file: no script, no external reference', () => {
    const html = readFileSync(out, 'utf8');
    expect(html).not.toMatch(/<script|<link |src="http|href="http|url\(http/i);
  });

  it('opens in chromium with no console error and no request, and shows what the ledger holds', async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const problems: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(`file://${out}`);
    expect(problems).toEqual([]);
    expect(requests).toEqual([`file://${out}`]);

    expect(await page.getAttribute('td.cell[data-taxi="green"][data-month="2020-10"]', 'data-state')).toBe('loaded');
    expect(await page.getAttribute('td.cell[data-taxi="green"][data-month="2020-11"]', 'data-state')).toBe('failed');
    expect(await page.getAttribute('td.cell[data-taxi="green"][data-month="2020-10"]', 'title')).toMatch(/95,111 rows, 9 quarantined/);
    // the executions: three steps of the loaded month, one failed extract
    expect(await page.locator('svg.gantt rect.bar').count()).toBe(4);
    expect(await page.locator('svg.gantt rect.bar[data-step="merge"]').count()).toBe(1);
    // rows and quarantine reasons per month
    expect(await page.locator('table.grid').first().innerText()).toMatch(/green\s+2020-10\s+95,111\s+9\s+outside_month 9/);
    // the failure with its error
    expect(await page.locator('table.failures').innerText()).toContain('the source is not a gzip file: it starts with an HTML/XML page');
    // the topology of the workflow files, from the YAML
    const topo = await page.locator('#topology ~ .wf').allInnerTexts();
    expect(topo.join('\n')).toMatch(/ingest_month\.yaml[\s\S]*load_month\(taxi, month, execution, only_new, origin, execution_started, landing, format, refresh\)[\s\S]*call_extract http\.post → EXTRACT_URL/);
    expect(topo.join('\n')).toMatch(/backfill\.yaml[\s\S]*child execution → ingest_month/);
    expect(topo.join('\n')).toMatch(/land_file\.yaml[\s\S]*classify[\s\S]*http\.post → EXTRACT_URL[\s\S]*load child execution → ingest_month/);
    if (process.env.REPORT_SCREENSHOT) await page.screenshot({ path: resolve(process.env.REPORT_SCREENSHOT), fullPage: true });
    await page.close();
  });
});

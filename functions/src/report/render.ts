/**
 * `taxi-elt report`: one self-contained HTML page (inline CSS and SVG, no script, no network at view
 * time) of what the run ledger holds — the coverage heatmap, a Gantt of recent executions' steps, rows and
 * quarantine per month, recent failures — and the topology of each workflow file. Pure: data in, text out.
 */
import type { LedgerEntry } from '../domain/ledger.js';
import type { TopologyBlock, TopologyStep } from './topology.js';

/** A month's cell of the heatmap (the `status` cells). */
export interface CoverageCell {
  taxi: string;
  month: string;
  state: string;
  rowsLoaded: number | null;
  rowsQuarantined: number | null;
  loadedAt: string | null;
  error: string | null;
}

/** Quarantined rows of a month by reason (from the warehouse, when it is at hand). */
export interface QuarantineRow {
  taxi: string;
  month: string;
  reason: string;
  n: number;
}

export interface ReportData {
  generatedAt: string;
  where: string;
  taxis: string[];
  months: string[];
  cells: CoverageCell[];
  entries: LedgerEntry[];
  quarantine: QuarantineRow[];
  workflows: { file: string; blocks: TopologyBlock[] }[];
}

const esc = (s: unknown) => String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
const n = (x: number | null | undefined) => (x === null || x === undefined ? '' : x.toLocaleString('en-US'));

const STATE_COLOR: Record<string, string> = { loaded: '#2e9d5b', stale: '#d9a21b', failed: '#d64545', running: '#3a7bd5', not_published: '#c9ced6', never: '#f2f3f5' };
const STEP_COLOR: Record<string, string> = { extract: '#6c8ebf', stage: '#9673a6', merge: '#82b366' };

function heatmap(d: ReportData): string {
  if (!d.months.length) return '<p class="empty">The run ledger is empty: no step has run yet.</p>';
  const head = `<tr><th></th>${d.months.map((m) => `<th class="m">${esc(m.slice(2))}</th>`).join('')}</tr>`;
  const rows = d.taxis
    .map((t) => {
      const cells = d.months
        .map((m) => {
          const c = d.cells.find((x) => x.taxi === t && x.month === m);
          const state = c?.state ?? 'never';
          const title = `${t} ${m}: ${state}${c?.rowsLoaded !== null && c?.rowsLoaded !== undefined ? `, ${n(c.rowsLoaded)} rows, ${n(c.rowsQuarantined)} quarantined, loaded ${c.loadedAt}` : ''}${c?.error ? `: ${c.error}` : ''}`;
          return `<td class="cell" data-taxi="${esc(t)}" data-month="${esc(m)}" data-state="${esc(state)}" style="background:${STATE_COLOR[state] ?? '#eee'}" title="${esc(title)}"></td>`;
        })
        .join('');
      return `<tr><th class="t">${esc(t)}</th>${cells}</tr>`;
    })
    .join('');
  const legend = Object.entries(STATE_COLOR)
    .map(([s, c]) => `<span class="key"><i style="background:${c}"></i>${esc(s.replace('_', ' '))}</span>`)
    .join('');
  return `<table class="heat">${head}${rows}</table><p class="legend">${legend}</p>`;
}

/** Executions (one per execution id), most recent last, with their step rows. */
function executions(entries: readonly LedgerEntry[], max: number) {
  const by = new Map<string, LedgerEntry[]>();
  for (const e of entries) {
    const k = `${e.execution_id} ${e.taxi} ${e.month}`;
    if (!by.has(k)) by.set(k, []);
    by.get(k)!.push(e);
  }
  return [...by.values()].sort((a, b) => Date.parse(a[0]!.started_at) - Date.parse(b[0]!.started_at)).slice(-max);
}

function gantt(d: ReportData): string {
  const runs = executions(d.entries, 30);
  if (!runs.length) return '<p class="empty">No executions recorded.</p>';
  const t0 = Math.min(...runs.flat().map((e) => Date.parse(e.started_at)));
  const t1 = Math.max(...runs.flat().map((e) => Date.parse(e.ended_at)));
  const span = Math.max(1, t1 - t0);
  const W = 860;
  const L = 300;
  const H = 18;
  const x = (iso: string) => L + ((Date.parse(iso) - t0) / span) * (W - L - 10);
  const rows = runs
    .map((r, i) => {
      const y = 10 + i * (H + 4);
      const first = r[0]!;
      const label = `${first.taxi} ${first.month} · ${first.workflow} · ${first.execution_id.slice(0, 14)}`;
      const bars = r
        .map((e) => {
          const x0 = x(e.started_at);
          const w = Math.max(2, x(e.ended_at) - x0);
          const fill = e.status === 'failed' ? STATE_COLOR.failed : (STEP_COLOR[e.step] ?? '#999');
          return `<rect class="bar" data-step="${esc(e.step)}" x="${x0.toFixed(1)}" y="${y}" width="${w.toFixed(1)}" height="${H}" rx="3" fill="${fill}"><title>${esc(`${e.step} ${e.status} ${((Date.parse(e.ended_at) - Date.parse(e.started_at)) / 1000).toFixed(2)} s${e.error ? `: ${e.error}` : ''}`)}</title></rect>`;
        })
        .join('');
      return `<text x="4" y="${y + 13}" class="lbl">${esc(label)}</text>${bars}`;
    })
    .join('');
  const height = 20 + runs.length * (H + 4);
  const axis = `<text x="${L}" y="${height - 2}" class="ax">${esc(new Date(t0).toISOString().replace('T', ' ').slice(0, 19))}</text><text x="${W - 10}" y="${height - 2}" class="ax" text-anchor="end">+${(span / 1000).toFixed(1)} s</text>`;
  const legend = Object.entries(STEP_COLOR)
    .map(([s, c]) => `<span class="key"><i style="background:${c}"></i>${s}</span>`)
    .join('');
  return `<svg class="gantt" viewBox="0 0 ${W} ${height + 6}" width="${W}" height="${height + 6}">${rows}${axis}</svg><p class="legend">${legend}<span class="key"><i style="background:${STATE_COLOR.failed}"></i>failed</span></p>`;
}

function perMonth(d: ReportData): string {
  const loaded = d.cells.filter((c) => c.rowsLoaded !== null);
  if (!loaded.length) return '<p class="empty">No month loaded yet.</p>';
  const reasons = (t: string, m: string) =>
    d.quarantine
      .filter((q) => q.taxi === t && q.month === m)
      .map((q) => `${esc(q.reason)} ${n(q.n)}`)
      .join(', ');
  const body = loaded
    .map((c) => `<tr><td>${esc(c.taxi)}</td><td>${esc(c.month)}</td><td class="num">${n(c.rowsLoaded)}</td><td class="num">${n(c.rowsQuarantined)}</td><td>${reasons(c.taxi, c.month)}</td><td>${esc(c.loadedAt)}</td></tr>`)
    .join('');
  return `<table class="grid"><tr><th>dataset</th><th>month</th><th>rows loaded</th><th>quarantined</th><th>quarantine reasons</th><th>loaded at</th></tr>${body}</table>`;
}

function failures(d: ReportData): string {
  const failed = d.entries.filter((e) => e.status === 'failed').slice(-20).reverse();
  if (!failed.length) return '<p class="empty">No failure recorded.</p>';
  const body = failed.map((e) => `<tr><td>${esc(e.ended_at)}</td><td>${esc(e.taxi)} ${esc(e.month)}</td><td>${esc(e.step)}</td><td class="err">${esc(e.error)}</td></tr>`).join('');
  return `<table class="grid failures"><tr><th>when</th><th>month</th><th>step</th><th>error</th></tr>${body}</table>`;
}

function stepHtml(s: TopologyStep): string {
  const target = s.target ? ` <span class="target">${esc(s.target)}</span>` : '';
  const children = s.children.length ? `<ul>${s.children.map(stepHtml).join('')}</ul>` : '';
  return `<li class="k-${esc(s.kind)}"><span class="kind">${esc(s.kind)}</span> <span class="name">${esc(s.name)}</span>${target}${children}</li>`;
}

function topology(d: ReportData): string {
  return d.workflows
    .map(
      (w) =>
        `<div class="wf"><h3>${esc(w.file)}</h3>${w.blocks
          .map((b) => `<div class="sub"><h4>${esc(b.name)}(${esc(b.params.join(', '))})</h4><ul class="topo">${b.steps.map(stepHtml).join('')}</ul></div>`)
          .join('')}</div>`,
    )
    .join('');
}

const CSS = `
body{font:14px/1.4 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px;color:#1f2328;max-width:1100px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #d0d7de;padding-bottom:4px}
h3{font-size:15px;margin:12px 0 4px}h4{font-size:13px;margin:8px 0 2px;font-family:ui-monospace,monospace}
.meta{color:#57606a}.empty{color:#57606a;font-style:italic}
table.heat{border-collapse:separate;border-spacing:2px}table.heat th{font-weight:500;font-size:11px;color:#57606a}
table.heat th.m{writing-mode:vertical-rl;transform:rotate(180deg);height:44px}table.heat th.t{text-align:right;padding-right:6px;font-size:13px;color:#1f2328}
td.cell{width:14px;height:14px;border-radius:2px}
.legend .key{margin-right:12px;font-size:12px;color:#57606a}.legend i{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:4px;vertical-align:-1px}
table.grid{border-collapse:collapse;font-size:13px}table.grid th,table.grid td{border:1px solid #d0d7de;padding:3px 8px;text-align:left}
td.num{text-align:right;font-variant-numeric:tabular-nums}td.err{color:#a40e26;font-family:ui-monospace,monospace;font-size:12px}
svg.gantt .lbl{font:11px ui-monospace,monospace;fill:#1f2328}svg.gantt .ax{font:11px system-ui;fill:#57606a}
.wf{display:inline-block;vertical-align:top;margin-right:32px}ul.topo,ul.topo ul{list-style:none;margin:0;padding-left:16px;border-left:1px solid #d0d7de}
ul.topo{padding-left:8px}ul.topo li{margin:1px 0;font-family:ui-monospace,monospace;font-size:12px}
.kind{display:inline-block;min-width:56px;color:#57606a}.k-call>.name{font-weight:600}.target{color:#0969da}
`;

/** The page. */
export function renderReport(d: ReportData): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>nyc-taxi-elt report</title><style>${CSS}</style></head>
<body>
<h1>nyc-taxi-elt</h1>
<p class="meta">Generated ${esc(d.generatedAt)} from ${esc(d.where)}: ${n(d.entries.length)} step attempt(s) in the run ledger.</p>
<h2 id="coverage">Coverage</h2>${heatmap(d)}
<h2 id="executions">Recent executions</h2>${gantt(d)}
<h2 id="months">Rows and quarantine per month</h2>${perMonth(d)}
<h2 id="failures">Recent failures</h2>${failures(d)}
<h2 id="topology">Workflows</h2>${topology(d)}
</body></html>
`;
}

import { describe, expect, it } from 'vitest';
import type { LedgerEntry } from '../../functions/src/domain/ledger.js';
import { summaryFromLedger, type RunSummary } from '../../functions/src/domain/summary.js';

const answer: RunSummary = {
  taxi: 'green', month: '2020-10', status: 'succeeded', rowsInFile: 1, rowsLoaded: 1, rowsQuarantined: 0,
  quarantined: { malformed: 0, invalid_value: 0, outside_month: 9, duplicate: 0 }, inserted: 1, deleted: 0, durationMs: 5, rawUri: '/lake/x',
};
const row = (step: string, status: string, counts: Partial<LedgerEntry> = {}): LedgerEntry => ({
  execution_id: 'local-1', workflow: 'ingest', taxi: 'green', month: '2020-10', step, started_at: '2026-12-04T00:00:00.000Z', ended_at: '2026-12-04T00:00:01.000Z', status,
  rows_in_file: null, rows_loaded: null, rows_quarantined: null, quarantined: null, inserted: null, deleted: null, bytes: null, source_url: null, etag: null, sha256: null, error: null, ...counts,
});

describe('summaryFromLedger', () => {
  it('takes the counts from the execution\'s ledger rows, the rest from the workflow\'s answer', () => {
    const s = summaryFromLedger(answer, [
      row('extract', 'extracted', { rows_in_file: 95_120 }),
      row('stage', 'staged', { rows_in_file: 95_120, rows_loaded: 95_111 }),
      row('merge', 'merged', { rows_in_file: 95_120, rows_loaded: 95_111, rows_quarantined: 9, quarantined: '{"outside_month":8,"duplicate":1}', inserted: 95_111, deleted: 0 }),
    ]);
    expect(s).toEqual({
      ...answer,
      rowsInFile: 95_120,
      rowsLoaded: 95_111,
      rowsQuarantined: 9,
      quarantined: { malformed: 0, invalid_value: 0, outside_month: 8, duplicate: 1 },
      inserted: 95_111,
      deleted: 0,
    });
  });

  it('keeps the answer when the ledger has nothing of the execution, and ignores failed attempts', () => {
    expect(summaryFromLedger(answer, [])).toEqual(answer);
    expect(summaryFromLedger(answer, [row('merge', 'failed', { rows_loaded: 7 })])).toEqual(answer);
  });
});

/**
 * A loopback BigQuery REST API for tests: jobs.insert (409 on a duplicate job ID), jobs.get (a job is
 * DONE after `pollsUntilDone` gets), jobs.getQueryResults, tables.get, and jobs.list of a script's child
 * jobs: a query of several statements gets one child job per statement, as BigQuery runs scripts, each
 * passed to `onInsert` too. Records every request.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BigQuery } from '@google-cloud/bigquery';

/**
 * Credentials that never leave the process: without them the client asks the GCE metadata server
 * (a network lookup) for Application Default Credentials.
 */
export function fakeAuthClient(): NonNullable<ConstructorParameters<typeof BigQuery>[0]>['authClient'] {
  const client = {
    universeDomain: 'googleapis.com',
    getRequestHeaders: async () => new Headers({ authorization: 'Bearer fake-token' }),
    getAccessToken: async () => ({ token: 'fake-token' }),
    request: async () => {
      throw new Error('the fake auth client makes no requests');
    },
  };
  return client as never;
}

export interface FakeJob {
  id: string;
  location?: string;
  configuration: {
    query: { query: string; queryParameters?: { name: string; parameterType: { type: string }; parameterValue: { value: string } }[]; parameterMode?: string };
    labels?: Record<string, string>;
  };
  polls: number;
  pollsUntilDone: number;
  error?: { reason: string; message: string };
  statistics: Record<string, unknown>;
  rows?: { reason: string; n: number }[];
  /** A script's child jobs, one per statement, in order. */
  children?: FakeJob[];
  /** Any other result: its schema and rows, values as the API sends them (strings or null). */
  result?: { fields: { name: string; type: string }[]; rows: (string | null)[][] };
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  json?: unknown;
  status?: number;
}

export class FakeBigQuery {
  readonly requests: RecordedRequest[] = [];
  readonly jobs = new Map<string, FakeJob>();
  /** Table resources by `dataset.table`, as tables.get answers them. */
  readonly tables = new Map<string, Record<string, unknown>>();
  endpoint = '';
  private server!: Server;
  /** Decides what a new job reports; by default every job is DONE at once with no DML. */
  onInsert: (job: FakeJob) => void = () => undefined;

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      void this.handle(req).then(({ status, body }) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      });
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.endpoint = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  client(): BigQuery {
    return new BigQuery({ projectId: 'test-project', apiEndpoint: this.endpoint, location: 'EU', autoRetry: false, authClient: fakeAuthClient() });
  }

  /** Add a job as if an earlier call had started it. */
  seed(job: Partial<FakeJob> & { id: string }): FakeJob {
    const full: FakeJob = { configuration: { query: { query: 'SELECT 1' } }, polls: 0, pollsUntilDone: 0, statistics: {}, ...job };
    this.jobs.set(job.id, full);
    return full;
  }

  private resource(job: FakeJob) {
    const done = job.polls >= job.pollsUntilDone;
    return {
      kind: 'bigquery#job',
      id: `test-project:${job.location ?? 'EU'}.${job.id}`,
      jobReference: { projectId: 'test-project', jobId: job.id, location: job.location ?? 'EU' },
      configuration: job.configuration,
      status: done ? { state: 'DONE', ...(job.error ? { errorResult: job.error, errors: [job.error] } : {}) } : { state: 'RUNNING' },
      statistics: done ? job.statistics : {},
    };
  }

  private async handle(req: IncomingMessage): Promise<{ status: number; body: unknown }> {
    const url = new URL(req.url!, this.endpoint);
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const rec: RecordedRequest = { method: req.method!, path: url.pathname, query: Object.fromEntries(url.searchParams), ...(text ? { json: JSON.parse(text) } : {}) };
    this.requests.push(rec);
    const answer = (status: number, body: unknown) => {
      rec.status = status;
      return { status, body };
    };
    let m: RegExpExecArray | null;
    if (req.method === 'POST' && /^\/bigquery\/v2\/projects\/[^/]+\/jobs$/.test(url.pathname)) {
      const body = rec.json as { jobReference: { jobId: string; location?: string }; configuration: FakeJob['configuration'] };
      const id = body.jobReference.jobId;
      if (this.jobs.has(id)) return answer(409, { error: { code: 409, message: `Already Exists: Job test-project:EU.${id}`, errors: [{ reason: 'duplicate', message: 'Already Exists' }] } });
      const job: FakeJob = { id, configuration: body.configuration, polls: 0, pollsUntilDone: 0, statistics: { totalBytesProcessed: '0', query: { totalBytesProcessed: '0' } } };
      if (body.jobReference.location) job.location = body.jobReference.location;
      const statements = body.configuration.query.query.split(/;\s*(?:\n|$)/).map((t) => t.trim()).filter((t) => t.replace(/^\s*--.*$/gm, '').trim());
      if (statements.length > 1) {
        job.children = statements.map((query, n) => {
          const child: FakeJob = { id: `script_job_${id}_${n}`, configuration: { query: { query } }, polls: 0, pollsUntilDone: 0, statistics: { query: {} } };
          this.onInsert(child);
          return child;
        });
        // A failing statement fails the script with its message.
        const failed = job.children.find((c) => c.error);
        if (failed) job.error = failed.error;
      }
      this.onInsert(job);
      this.jobs.set(id, job);
      return answer(200, this.resource(job));
    }
    if (req.method === 'GET' && /^\/bigquery\/v2\/projects\/[^/]+\/jobs$/.test(url.pathname)) {
      const parent = this.jobs.get(url.searchParams.get('parentJobId') ?? '');
      if (!parent) return answer(200, { kind: 'bigquery#jobList', jobs: [] });
      return answer(200, { kind: 'bigquery#jobList', jobs: (parent.children ?? []).map((c) => this.resource(c)) });
    }
    if (req.method === 'GET' && (m = /^\/bigquery\/v2\/projects\/[^/]+\/jobs\/([^/]+)$/.exec(url.pathname))) {
      const job = this.jobs.get(decodeURIComponent(m[1]!));
      if (!job) return answer(404, { error: { code: 404, message: 'Not found: Job' } });
      job.polls++;
      return answer(200, this.resource(job));
    }
    if (req.method === 'GET' && (m = /^\/bigquery\/v2\/projects\/[^/]+\/queries\/([^/]+)$/.exec(url.pathname))) {
      const job = this.jobs.get(decodeURIComponent(m[1]!));
      if (!job) return answer(404, { error: { code: 404, message: 'Not found: Job' } });
      if (job.result) {
        return answer(200, {
          kind: 'bigquery#getQueryResultsResponse',
          jobReference: { projectId: 'test-project', jobId: job.id, location: job.location ?? 'EU' },
          jobComplete: true,
          totalRows: String(job.result.rows.length),
          schema: { fields: job.result.fields },
          rows: job.result.rows.map((r) => ({ f: r.map((v) => ({ v })) })),
        });
      }
      const rows = job.rows ?? [];
      return answer(200, {
        kind: 'bigquery#getQueryResultsResponse',
        jobReference: { projectId: 'test-project', jobId: job.id, location: job.location ?? 'EU' },
        jobComplete: true,
        totalRows: String(rows.length),
        schema: { fields: [{ name: 'reason', type: 'STRING' }, { name: 'n', type: 'INTEGER' }] },
        rows: rows.map((r) => ({ f: [{ v: r.reason }, { v: String(r.n) }] })),
      });
    }
    if (req.method === 'GET' && (m = /^\/bigquery\/v2\/projects\/([^/]+)\/datasets\/([^/]+)\/tables\/([^/]+)$/.exec(url.pathname))) {
      const key = `${decodeURIComponent(m[2]!)}.${decodeURIComponent(m[3]!)}`;
      const table = this.tables.get(key);
      if (!table) return answer(404, { error: { code: 404, message: `Not found: Table ${m[1]}:${key}` } });
      return answer(200, { kind: 'bigquery#table', tableReference: { projectId: m[1], datasetId: decodeURIComponent(m[2]!), tableId: decodeURIComponent(m[3]!) }, ...table });
    }
    return answer(501, { error: { code: 501, message: `fake BigQuery does not do ${req.method} ${url.pathname}` } });
  }
}

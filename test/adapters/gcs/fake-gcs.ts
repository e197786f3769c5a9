/**
 * A loopback GCS JSON API for tests: resumable and multipart uploads, metadata, media download,
 * rewrite (copy) and delete, with generation preconditions. Records every request. Object bodies are
 * kept only when `keepBodies` (the memory test streams hundreds of MB through it).
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CRC32C, Storage } from '@google-cloud/storage';

function crc32cOf(body: Buffer): string {
  const c = new CRC32C();
  c.update(body);
  return c.toString();
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: IncomingMessage['headers'];
  /** JSON body of metadata requests (not of media uploads). */
  json?: unknown;
}

export interface FakeObject {
  name: string;
  generation: number;
  metageneration: number;
  size: number;
  crc32c: string;
  md5Hash: string;
  contentType?: string;
  metadata?: Record<string, string>;
  body?: Buffer;
}

interface Session {
  bucket: string;
  name: string;
  ifGenerationMatch?: string;
  metadata?: Record<string, string>;
  contentType?: string;
}

export class FakeGcs {
  readonly requests: RecordedRequest[] = [];
  readonly objects = new Map<string, FakeObject>();
  private sessions = new Map<string, Session>();
  private nextGeneration = 1_700_000_000_000_000;
  private server!: Server;
  endpoint = '';
  /** Hook to fail requests: return a status to answer with, or undefined to proceed. */
  failWith?: (req: RecordedRequest) => number | undefined;
  /** Hook to misreport an object's crc32c (a corrupted upload). */
  misreportCrc32c?: (name: string) => string | undefined;

  constructor(private readonly keepBodies = true) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((err) => {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { code: 500, message: String(err) } }));
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

  /** A Storage client talking to this server, with no credentials and no retries. */
  storage(): Storage {
    return new Storage({ apiEndpoint: this.endpoint, projectId: 'test-project', retryOptions: { autoRetry: false } });
  }

  /** Put an object directly (test setup). */
  seed(name: string, body: Buffer, metadata?: Record<string, string>): FakeObject {
    return this.store(name, { body, metadata, contentType: 'application/octet-stream' });
  }

  private store(name: string, o: { body?: Buffer; size?: number; crc32c?: string; md5Hash?: string; metadata?: Record<string, string>; contentType?: string }): FakeObject {
    const body = o.body;
    const obj: FakeObject = {
      name,
      generation: this.nextGeneration++,
      metageneration: 1,
      size: body ? body.length : o.size!,
      crc32c: body ? crc32cOf(body) : o.crc32c!,
      md5Hash: body ? createHash('md5').update(body).digest('base64') : o.md5Hash!,
      ...(o.contentType ? { contentType: o.contentType } : {}),
      ...(o.metadata ? { metadata: o.metadata } : {}),
      ...(body && this.keepBodies ? { body } : {}),
    };
    this.objects.set(name, obj);
    return obj;
  }

  private resource(bucket: string, o: FakeObject) {
    return {
      kind: 'storage#object',
      id: `${bucket}/${o.name}/${o.generation}`,
      bucket,
      name: o.name,
      generation: String(o.generation),
      metageneration: String(o.metageneration),
      size: String(o.size),
      crc32c: this.misreportCrc32c?.(o.name) ?? o.crc32c,
      md5Hash: o.md5Hash,
      contentType: o.contentType,
      metadata: o.metadata,
    };
  }

  private error(res: ServerResponse, code: number, message: string) {
    const reason = code === 412 ? 'conditionNotMet' : code === 404 ? 'notFound' : 'error';
    res.writeHead(code, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: { code, message, errors: [{ reason, message }] } }));
  }

  private json(res: ServerResponse, body: unknown, code = 200) {
    res.writeHead(code, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  }

  private precondition(name: string, ifGenerationMatch: string | undefined): boolean {
    if (ifGenerationMatch === undefined) return true;
    const current = this.objects.get(name);
    return ifGenerationMatch === '0' ? !current : current !== undefined && String(current.generation) === ifGenerationMatch;
  }

  private async readAll(req: IncomingMessage): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    return Buffer.concat(chunks);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url!, this.endpoint);
    const query = Object.fromEntries(url.searchParams);
    const rec: RecordedRequest = { method: req.method!, path: url.pathname, query, headers: req.headers };
    this.requests.push(rec);
    const injected = this.failWith?.(rec);
    if (injected) {
      await this.readAll(req);
      return this.error(res, injected, `injected ${injected}`);
    }
    const p = url.pathname;
    let m: RegExpExecArray | null;

    // Resumable: start a session
    if (req.method === 'POST' && (m = /^\/upload\/storage\/v1\/b\/([^/]+)\/o$/.exec(p)) && query.uploadType === 'resumable') {
      const json = JSON.parse((await this.readAll(req)).toString('utf8') || '{}') as { name?: string; metadata?: Record<string, string>; contentType?: string };
      rec.json = json;
      const name = query.name ?? json.name!;
      if (!this.precondition(name, query.ifGenerationMatch)) return this.error(res, 412, 'At least one of the pre-conditions you specified did not hold.');
      const id = `session-${this.sessions.size + 1}`;
      this.sessions.set(id, { bucket: m[1]!, name, ifGenerationMatch: query.ifGenerationMatch, metadata: json.metadata, contentType: json.contentType });
      res.writeHead(200, { location: `${this.endpoint}/upload/storage/v1/b/${m[1]}/o?uploadType=resumable&upload_id=${id}` });
      return void res.end();
    }
    // Resumable: the bytes (one streamed request)
    if (req.method === 'PUT' && query.upload_id) {
      const s = this.sessions.get(query.upload_id);
      if (!s) return this.error(res, 404, 'no such upload');
      const crc = new CRC32C();
      const md5 = createHash('md5');
      const kept: Buffer[] = [];
      let size = 0;
      for await (const c of req) {
        const b = c as Buffer;
        crc.update(b);
        md5.update(b);
        size += b.length;
        if (this.keepBodies) kept.push(b);
      }
      if (!this.precondition(s.name, s.ifGenerationMatch)) return this.error(res, 412, 'At least one of the pre-conditions you specified did not hold.');
      const obj = this.store(s.name, {
        ...(this.keepBodies ? { body: Buffer.concat(kept) } : { size, crc32c: crc.toString(), md5Hash: md5.digest('base64') }),
        ...(s.metadata ? { metadata: s.metadata } : {}),
        ...(s.contentType ? { contentType: s.contentType } : {}),
      });
      this.sessions.delete(query.upload_id);
      return this.json(res, this.resource(s.bucket, obj));
    }
    // Multipart (simple) upload
    if (req.method === 'POST' && (m = /^\/upload\/storage\/v1\/b\/([^/]+)\/o$/.exec(p)) && query.uploadType === 'multipart') {
      const raw = await this.readAll(req);
      const boundary = /boundary=("?)([^";]+)\1/.exec(String(req.headers['content-type']))![2]!;
      const parts = raw
        .toString('latin1')
        .split(`--${boundary}`)
        .slice(1, -1)
        .map((part) => part.slice(part.indexOf('\r\n\r\n') + 4, part.length - 2));
      const json = JSON.parse(parts[0]!) as { name?: string; metadata?: Record<string, string>; contentType?: string };
      rec.json = json;
      const name = query.name ?? json.name!;
      if (!this.precondition(name, query.ifGenerationMatch)) return this.error(res, 412, 'At least one of the pre-conditions you specified did not hold.');
      const obj = this.store(name, { body: Buffer.from(parts[1]!, 'latin1'), ...(json.metadata ? { metadata: json.metadata } : {}), ...(json.contentType ? { contentType: json.contentType } : {}) });
      return this.json(res, this.resource(m[1]!, obj));
    }
    // Rewrite (copy)
    if (req.method === 'POST' && (m = /^\/storage\/v1\/b\/([^/]+)\/o\/([^/]+)\/rewriteTo\/b\/([^/]+)\/o\/([^/]+)$/.exec(p))) {
      const json = JSON.parse((await this.readAll(req)).toString('utf8') || '{}') as { metadata?: Record<string, string>; contentType?: string };
      rec.json = json;
      const src = this.objects.get(decodeURIComponent(m[2]!));
      const dst = decodeURIComponent(m[4]!);
      if (!src || (query.sourceGeneration !== undefined && query.sourceGeneration !== String(src.generation))) return this.error(res, 404, 'No such object');
      if (!this.precondition(dst, query.ifGenerationMatch)) return this.error(res, 412, 'At least one of the pre-conditions you specified did not hold.');
      const obj = this.store(dst, {
        ...(src.body ? { body: src.body } : { size: src.size, crc32c: src.crc32c, md5Hash: src.md5Hash }),
        metadata: json.metadata ?? src.metadata ?? {},
        contentType: json.contentType ?? src.contentType ?? 'application/octet-stream',
      });
      return this.json(res, { kind: 'storage#rewriteResponse', done: true, totalBytesRewritten: String(obj.size), objectSize: String(obj.size), resource: this.resource(m[3]!, obj) });
    }
    // Object metadata / media / delete
    if ((m = /^\/storage\/v1\/b\/([^/]+)\/o\/([^/]+)$/.exec(p))) {
      const name = decodeURIComponent(m[2]!);
      const obj = this.objects.get(name);
      const payload = await this.readAll(req);
      if (req.method === 'PATCH') {
        // objects.patch: custom metadata merged (null deletes a key), metageneration bumped; both
        // generation and metageneration preconditions, as the JSON API has them.
        if (!obj) return this.error(res, 404, 'No such object');
        if (!this.precondition(name, query.ifGenerationMatch)) return this.error(res, 412, 'At least one of the pre-conditions you specified did not hold.');
        if (query.ifMetagenerationMatch !== undefined && query.ifMetagenerationMatch !== String(obj.metageneration)) {
          return this.error(res, 412, 'At least one of the pre-conditions you specified did not hold.');
        }
        const json = JSON.parse(payload.toString('utf8') || '{}') as { metadata?: Record<string, string | null> };
        rec.json = json;
        const merged: Record<string, string> = { ...(obj.metadata ?? {}) };
        for (const [k, v] of Object.entries(json.metadata ?? {})) {
          if (v === null) delete merged[k];
          else merged[k] = v;
        }
        obj.metadata = merged;
        obj.metageneration++;
        return this.json(res, this.resource(m[1]!, obj));
      }
      if (req.method === 'DELETE') {
        if (!obj) return this.error(res, 404, 'No such object');
        if (!this.precondition(name, query.ifGenerationMatch)) return this.error(res, 412, 'At least one of the pre-conditions you specified did not hold.');
        this.objects.delete(name);
        res.writeHead(204);
        return void res.end();
      }
      if (!obj || (query.generation && query.generation !== String(obj.generation))) return this.error(res, 404, 'No such object');
      if (query.alt === 'media') {
        if (!obj.body) return this.error(res, 500, 'body not kept');
        res.writeHead(200, { 'content-type': obj.contentType ?? 'application/octet-stream', 'x-goog-hash': `crc32c=${obj.crc32c},md5=${obj.md5Hash}`, 'x-goog-generation': String(obj.generation) });
        return void res.end(obj.body);
      }
      return this.json(res, this.resource(m[1]!, obj));
    }
    return this.error(res, 501, `fake GCS does not do ${req.method} ${p}`);
  }
}

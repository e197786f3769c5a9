/**
 * The benchmark's side of its release host (server-child.mjs): start it, publish files on it, stop it.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const CHILD = join(dirname(fileURLToPath(import.meta.url)), 'server-child.mjs');

/** A release host in its own process. */
export interface SourceServer {
  /** Base URL to pass as the source. */
  url: string;
  /** Serve `file` at URL path `path`; resolves once the server has it. */
  publish(path: string, file: string): Promise<void>;
  close(): Promise<void>;
}

/** Start the release host (over the compiled dist/, which the benchmark builds first). */
export async function startSourceServer(cwd: string): Promise<SourceServer> {
  const child = spawn(process.execPath, [CHILD], { cwd, stdio: ['pipe', 'pipe', 'inherit'] });
  const waiting = new Map<string, () => void>();
  let onUrl: (url: string) => void = () => undefined;
  const url = new Promise<string>((resolve, reject) => {
    onUrl = resolve;
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the benchmark's file server exited ${code} before it listened`)));
  });
  createInterface({ input: child.stdout! }).on('line', (line) => {
    if (line.startsWith('@@url ')) onUrl(line.slice(6));
    else if (line.startsWith('@@published ')) {
      const path = line.slice(12);
      waiting.get(path)?.();
      waiting.delete(path);
    }
  });
  const base = await url;
  return {
    url: base,
    publish: (path, file) =>
      new Promise<void>((resolve) => {
        waiting.set(path, resolve);
        child.stdin!.write(`${JSON.stringify([path, file])}\n`);
      }),
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.stdin!.end();
      }),
  };
}

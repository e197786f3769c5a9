/**
 * Temp files of the embedded mode name the process writing them (`<name>.<kind>-<pid>-<uuid>`), so a
 * later run can tell a dead writer's leftovers from a live writer's work and remove only the former:
 * whatever a killed run left is cleared by the next one, and nothing accumulates over many crashes.
 */
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';

/** Whether a process of this host is alive (EPERM: alive, not ours to signal). */
export function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A temp name for `name` in this process: `<name>.<kind>-<pid>-<uuid>`. */
export function tempName(name: string, kind: string): string {
  return `${name}.${kind}-${process.pid}-${randomUUID()}`;
}

const TEMP = /\.(tmp|write|rewrite)-(\d+)-[0-9a-f-]{36}(\.meta\.json)?$/;

/**
 * Remove the temp files in `dir` whose writer process is gone; with `startsWith`, only those of that name.
 * @returns the removed file names
 */
export function removeDeadTemps(dir: string, startsWith = ''): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const m = TEMP.exec(name);
    if (!m || !name.startsWith(startsWith) || processAlive(Number(m[2]))) continue;
    rmSync(join(dir, name), { force: true });
    removed.push(name);
  }
  return removed;
}

/**
 * Terminal progress for a run: a bar of downloaded bytes, then the step being run. Silent when
 * stderr is not a terminal, so logs and `--json` output stay clean.
 */
import cliProgress from 'cli-progress';

export interface RunProgress {
  bytes(received: number, total: number | null): void;
  step(name: string): void;
  /** A retry of the download: the attempt, what went wrong, the wait. */
  retry(attempt: number, of: number, what: string, delayMs: number): void;
  stop(): void;
}

/** The line a retry shows: `attempt 2/6 in 1.2 s after HTTP 503`. */
export function retryNote(attempt: number, of: number, what: string, delayMs: number): string {
  return `attempt ${attempt}/${of} in ${(delayMs / 1000).toFixed(1)} s after ${what}`;
}

const MiB = 1024 * 1024;

/** A progress display for one month, or a no-op when `enabled` is false. */
export function runProgress(label: string, enabled: boolean, stream: NodeJS.WriteStream = process.stderr): RunProgress {
  if (!enabled) return { bytes: () => {}, step: () => {}, retry: () => {}, stop: () => {} };
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: `${label} {step} [{bar}] {mib}/{totalMib} MiB {note}`,
      barsize: 30,
      hideCursor: true,
      clearOnComplete: false,
    },
    cliProgress.Presets.shades_classic,
  );
  let total = 1;
  bar.start(1, 0, { step: 'extract', mib: '0.0', totalMib: '?', note: '' });
  return {
    bytes(received, size) {
      if (size && size !== total) {
        total = size;
        bar.setTotal(size);
      }
      bar.update(received, { mib: (received / MiB).toFixed(1), totalMib: size ? (size / MiB).toFixed(1) : '?', note: '' });
    },
    retry(attempt, of, what, delayMs) {
      bar.update({ note: retryNote(attempt, of, what, delayMs) });
    },
    step(name) {
      bar.update({ step: name.padEnd(7) });
    },
    stop() {
      bar.stop();
    },
  };
}

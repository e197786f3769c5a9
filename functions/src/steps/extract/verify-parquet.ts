/**
 * Verification of a Parquet file while it streams into the lake: `PAR1` at the start (an HTML page is
 * refused at its first bytes), the byte count against `Content-Length`, `PAR1` at the end and a footer
 * that parses and agrees with itself. Only the last bytes are kept (the footer sits at the end), so
 * memory stays flat for a 600 MB month; the bytes pass through untouched.
 */
import { createHash } from 'node:crypto';
import { BadSourceError } from '../../domain/errors.js';
import type { FileColumn } from '../../domain/schema-contract.js';
import { readParquetFooter } from './parquet-footer.js';
import type { FileFacts, VerifiedFile } from './verified-file.js';
import { sniff } from './verify.js';

/** How many bytes from the end are kept for the footer: footers of the TLC files are tens of KiB. */
export const FOOTER_WINDOW = 8 * 1024 * 1024;

/**
 * Pass `body` through unchanged while checking it is a complete Parquet file of `expectedBytes` (when
 * known). `onColumns` gets the footer's columns before the stream ends, so a schema it refuses is never
 * committed. The returned iterable throws BadSourceError before its end when the file is not acceptable.
 */
export function verifyParquet(body: AsyncIterable<Uint8Array>, expectedBytes: number | null, onColumns: (columns: FileColumn[]) => void): VerifiedFile {
  const hash = createHash('sha256');
  let bytes = 0;
  let facts: FileFacts | null = null;

  async function* run(): AsyncGenerator<Uint8Array> {
    const tail: Uint8Array[] = [];
    let tailBytes = 0;
    let head: Buffer | null = Buffer.alloc(0);
    for await (const chunk of body) {
      if (head) {
        // The magic may arrive split across chunks: gather the first bytes until there are four.
        head = Buffer.concat([head, chunk]);
        if (head.length >= 4) {
          if (head.subarray(0, 4).toString('latin1') !== 'PAR1') throw new BadSourceError(`the source is not a Parquet file: it starts with ${sniff(head)}`);
          head = null;
        }
      }
      hash.update(chunk);
      bytes += chunk.byteLength;
      if (expectedBytes !== null && bytes > expectedBytes) throw new BadSourceError(`the source sent more than its Content-Length of ${expectedBytes} bytes`);
      tail.push(chunk);
      tailBytes += chunk.byteLength;
      while (tail.length > 1 && tailBytes - tail[0]!.byteLength >= FOOTER_WINDOW) tailBytes -= tail.shift()!.byteLength;
      yield chunk;
    }
    if (bytes === 0) throw new BadSourceError('the source file is empty');
    if (head) throw new BadSourceError(`the source is not a Parquet file: it starts with ${sniff(head)}`);
    if (expectedBytes !== null && bytes !== expectedBytes) throw new BadSourceError(`the Parquet file is truncated: received ${bytes} of ${expectedBytes} bytes`);
    const footer = readParquetFooter(Buffer.concat(tail, tailBytes), bytes);
    onColumns(footer.columns);
    facts = { bytes, sha256: hash.digest('hex'), rows: footer.rows, columns: footer.columns };
  }

  return {
    stream: run(),
    facts: () => {
      if (!facts) throw new Error('stream facts read before the stream ended');
      return facts;
    },
  };
}

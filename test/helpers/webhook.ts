/**
 * A loopback alert webhook: records every JSON body posted to it.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export async function webhookReceiver() {
  const received: unknown[] = [];
  const hook = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      received.push(JSON.parse(body));
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
  return {
    received,
    url: `http://127.0.0.1:${(hook.address() as AddressInfo).port}/alert`,
    close: () => new Promise<void>((r) => hook.close(() => r())),
  };
}

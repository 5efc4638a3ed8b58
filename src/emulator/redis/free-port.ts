import { createServer } from 'node:net';

/**
 * Finds a TCP port that is free on `host` right now, by binding port 0 and releasing it.
 * Another process could take it before it is used; callers that can listen on port 0 should.
 *
 * @param host - the interface to probe. Default `127.0.0.1`.
 */
export function findFreePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

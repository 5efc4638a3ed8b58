// FetchNetworkClient against a plain local HTTP server on port 0: what msal sees (headers, body, status, msal's
// error codes), the Retry-After it records, and that the request body (client_secret) never reaches an error.
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { inspect } from 'node:util';
import { findFreePort } from '../../src/emulator/redis/free-port.js';
import { FetchNetworkClient } from '../../src/identity/network-client.js';

const SECRET = 'client_secret=s3cr3t-network-client-value';

interface Seen {
  readonly method: string | undefined;
  readonly url: string | undefined;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

function json(status: number, body: unknown, headers: Record<string, string> = {}): Handler {
  return (_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };
}

describe('FetchNetworkClient', () => {
  let server: Server;
  let base: string;
  const sockets = new Set<Socket>();
  const seen: Seen[] = [];
  let handler: Handler = json(200, {});

  before(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (body += chunk));
      req.on('end', () => {
        seen.push({ method: req.method, url: req.url, headers: req.headers, body });
        handler(req, res);
      });
    });
    server.on('connection', (socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('GET and POST: forwards headers and body, returns lower-case headers, parsed body and status', async () => {
    const client = new FetchNetworkClient();
    handler = json(200, { ok: 1 }, { 'X-Ms-Request-Id': 'r-1' });
    seen.length = 0;
    const get = await client.sendGetRequestAsync<{ ok: number }>(`${base}/tenant/v2.0/.well-known/openid-configuration`, { headers: { 'x-client-sku': 'test' } });
    assert.equal(get.status, 200);
    assert.deepEqual(get.body, { ok: 1 });
    assert.equal(get.headers['x-ms-request-id'], 'r-1');
    const post = await client.sendPostRequestAsync<{ ok: number }>(`${base}/tenant/oauth2/v2.0/token`, {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `grant_type=client_credentials&${SECRET}`,
    });
    assert.equal(post.status, 200);
    assert.deepEqual(
      seen.map((s) => [s.method, s.url, s.body]),
      [
        ['GET', '/tenant/v2.0/.well-known/openid-configuration', ''],
        ['POST', '/tenant/oauth2/v2.0/token', `grant_type=client_credentials&${SECRET}`],
      ],
    );
    assert.equal(seen[0]?.headers['x-client-sku'], 'test');
    assert.equal(seen[1]?.headers['content-type'], 'application/x-www-form-urlencoded');
    assert.equal(client.takeRetryAfter(), undefined);
  });

  it('records Retry-After (delta seconds) of a 429 and returns the answer to msal; take forgets it', async () => {
    const client = new FetchNetworkClient(() => 1_000_000);
    handler = json(429, { error: 'too_many_requests' }, { 'Retry-After': '7' });
    const answer = await client.sendPostRequestAsync(`${base}/t/oauth2/v2.0/token`, { body: SECRET });
    assert.equal(answer.status, 429);
    assert.equal(answer.headers['retry-after'], '7');
    assert.deepEqual(client.takeRetryAfter(), { status: 429, retryAfterMs: 7_000, atMs: 1_000_000 });
    assert.equal(client.takeRetryAfter(), undefined);
  });

  it('records an HTTP-date Retry-After of a 503 relative to its clock', async () => {
    const now = Date.parse('Wed, 21 Oct 2015 07:28:00 GMT');
    const client = new FetchNetworkClient(() => now);
    handler = json(503, { error: 'temporarily_unavailable' }, { 'Retry-After': 'Wed, 21 Oct 2015 07:28:09 GMT' });
    await client.sendPostRequestAsync(`${base}/t/oauth2/v2.0/token`, { body: SECRET });
    assert.deepEqual(client.takeRetryAfter(), { status: 503, retryAfterMs: 9_000, atMs: now });
  });

  it('ignores Retry-After on other statuses, and a 429 without one records nothing', async () => {
    const client = new FetchNetworkClient();
    handler = json(400, { error: 'invalid_client' }, { 'Retry-After': '5' });
    assert.equal((await client.sendPostRequestAsync(`${base}/t`, { body: SECRET })).status, 400);
    assert.equal(client.takeRetryAfter(), undefined);
    handler = json(429, { error: 'too_many_requests' });
    assert.equal((await client.sendPostRequestAsync(`${base}/t`, { body: SECRET })).status, 429);
    assert.equal(client.takeRetryAfter(), undefined);
  });

  it('a body that is not JSON → msal AuthError token_parsing_error (Retry-After still recorded)', async () => {
    const client = new FetchNetworkClient();
    handler = (_req, res) => {
      res.writeHead(503, { 'content-type': 'text/html', 'Retry-After': '3' });
      res.end('<html>down</html>');
    };
    const error: unknown = await client.sendPostRequestAsync(`${base}/t`, { body: SECRET }).then(() => undefined, (e: unknown) => e);
    assert.ok(error instanceof Error);
    assert.equal((error as { errorCode?: string }).errorCode, 'token_parsing_error');
    assert.equal(error.name, 'AuthError');
    assert.equal(client.takeRetryAfter()?.retryAfterMs, 3_000);
  });

  it('connection refused → msal AuthError network_error naming the cause, never the body', async () => {
    const client = new FetchNetworkClient();
    const port = await findFreePort();
    const error: unknown = await client
      .sendPostRequestAsync(`http://127.0.0.1:${port}/t`, { body: SECRET })
      .then(() => undefined, (e: unknown) => e);
    assert.ok(error instanceof Error);
    assert.equal((error as { errorCode?: string }).errorCode, 'network_error');
    assert.match(error.message, /^network_error: Network request failed: fetch failed \(ECONNREFUSED\)/);
    for (const text of [error.message, inspect(error, { depth: 10 }), JSON.stringify(error)]) {
      assert.ok(!text.includes('s3cr3t'), text);
    }
  });

  it('the current request signal aborts a hanging request; msal timeout option (GET) too', async () => {
    const client = new FetchNetworkClient();
    handler = () => undefined; // never answers
    const controller = new AbortController();
    client.setSignal(controller.signal);
    const started = Date.now();
    const pending = client.sendPostRequestAsync(`${base}/hang`, { body: SECRET }).then(() => undefined, (e: unknown) => e);
    setTimeout(() => controller.abort(), 100).unref();
    const aborted = await pending;
    assert.ok(aborted instanceof Error);
    assert.equal((aborted as { errorCode?: string }).errorCode, 'network_error');
    assert.match(aborted.message, /Request timeout/);
    assert.ok(Date.now() - started < 5_000);

    client.setSignal(undefined);
    const timedOut: unknown = await client.sendGetRequestAsync(`${base}/hang`, {}, 150).then(() => undefined, (e: unknown) => e);
    assert.ok(timedOut instanceof Error);
    assert.equal((timedOut as { errorCode?: string }).errorCode, 'network_error');
    assert.match(timedOut.message, /Request timeout/);
    for (const socket of sockets) socket.destroy();
  });
});

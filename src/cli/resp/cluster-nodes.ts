import type { Reply } from './reply-parser.js';

/** A cluster node's address as announced by the cluster. */
export interface ClusterNodeAddress {
  readonly host: string;
  readonly port: number;
}

/**
 * The distinct primary and replica addresses in a `CLUSTER SLOTS` reply, in order of appearance. An empty
 * or `?` host means "the address you reached me on": `seedHost`.
 */
export function clusterNodes(reply: Reply, seedHost: string): ClusterNodeAddress[] {
  if (!Array.isArray(reply)) throw new Error('CLUSTER SLOTS did not return an array');
  const seen = new Map<string, ClusterNodeAddress>();
  for (const range of reply as readonly Reply[]) {
    if (!Array.isArray(range)) continue;
    for (const node of (range as readonly Reply[]).slice(2)) {
      if (!Array.isArray(node)) continue;
      const [host, port] = node as readonly Reply[];
      if (typeof port !== 'number') continue;
      const h = typeof host === 'string' && host !== '' && host !== '?' ? host : seedHost;
      seen.set(`${h}:${port}`, { host: h, port });
    }
  }
  return [...seen.values()];
}

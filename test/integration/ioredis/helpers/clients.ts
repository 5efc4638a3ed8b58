// The ioredis flavours under test, behind one small factory type.
import { Cluster as Cluster6, Redis as Redis6 } from 'ioredis';
import { Cluster as Cluster5, Redis as Redis5 } from 'ioredis5';
import { Redis as RedisValkey } from 'iovalkey';

export type AnyRedis = Redis6 | Redis5 | RedisValkey;
export type AnyCluster = Cluster6 | Cluster5;

export interface Flavour {
  readonly name: string;
  /** Whether a subscriber speaks RESP3 by default (and so can take AUTH while subscribed). */
  readonly resp3: boolean;
  create(options: object): AnyRedis;
}

export const IOREDIS6: Flavour = { name: 'ioredis 6', resp3: true, create: (options) => new Redis6(options) };
export const IOREDIS5: Flavour = { name: 'ioredis 5', resp3: false, create: (options) => new Redis5(options) };
export const IOVALKEY: Flavour = { name: 'iovalkey', resp3: false, create: (options) => new RedisValkey(options) };

export const CLUSTERS = [
  { name: 'ioredis 6', create: (nodes: object[], options: object): AnyCluster => new Cluster6(nodes, options) },
  { name: 'ioredis 5', create: (nodes: object[], options: object): AnyCluster => new Cluster5(nodes, options) },
] as const;

import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';

/** ioredis options from REDIS_URL (redis://[user:password@]host:port[/db]). */
export function redisOptionsFromUrl(url: string): RedisOptions {
  const u = new URL(url);
  return {
    host: u.hostname,
    port: u.port ? Number(u.port) : 6379,
    username: u.username ? decodeURIComponent(u.username) : undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    db: u.pathname.length > 1 ? Number(u.pathname.slice(1)) : 0,
    tls: u.protocol === 'rediss:' ? {} : undefined,
  };
}

/** Where Redis is: REDIS_URL, or with REDIS_CLUSTER_NODES a Redis Cluster (credentials and TLS still from REDIS_URL). */
export interface RedisTarget {
  REDIS_URL: string;
  REDIS_CLUSTER_NODES?: string;
}

/**
 * A client of either topology. Cluster and Redis share ioredis's command interface; the service only sends
 * commands that touch one key (or one slot), so every caller works on both.
 */
export type RedisClient = Redis | Cluster;

/** The seed nodes of REDIS_CLUSTER_NODES (`host:port,host:port`). */
export function clusterNodesOf(nodes: string): Array<{ host: string; port: number }> {
  return nodes
    .split(',')
    .map((n) => n.trim())
    .filter(Boolean)
    .map((n) => {
      const at = n.lastIndexOf(':');
      return { host: n.slice(0, at), port: Number(n.slice(at + 1)) };
    });
}

export const isCluster = (target: RedisTarget): boolean => Boolean(target.REDIS_CLUSTER_NODES);

/**
 * Opens a client of the configured topology with `options` (connection behaviour: timeouts, retries,
 * offline queue, pipelining). On a cluster the per-node options go to every node's connection; a database
 * number does not exist there (always 0).
 */
export function createRedisClient(target: RedisTarget, options: RedisOptions & { enableAutoPipelining?: boolean } = {}): RedisClient {
  const fromUrl = redisOptionsFromUrl(target.REDIS_URL);
  if (!target.REDIS_CLUSTER_NODES) return new Redis({ ...fromUrl, ...options });
  const { enableOfflineQueue, enableAutoPipelining, retryStrategy, lazyConnect, ...perNode } = options;
  const clusterOptions: ClusterOptions = {
    redisOptions: { username: fromUrl.username, password: fromUrl.password, tls: fromUrl.tls, ...perNode, db: 0 },
    enableOfflineQueue: enableOfflineQueue ?? true,
    enableAutoPipelining: enableAutoPipelining ?? false,
    lazyConnect: lazyConnect ?? false,
    // The cluster client reconnects as a whole: the same back-off as a single node.
    clusterRetryStrategy: retryStrategy ? (times: number) => retryStrategy(times) ?? null : (times: number) => Math.min(times * 200, 2000),
    // Slot moves during a failover are answered with MOVED/TRYAGAIN: follow them a few times, shortly apart.
    maxRedirections: 16,
    retryDelayOnFailover: 200,
    retryDelayOnClusterDown: 300,
    retryDelayOnTryAgain: 100,
    slotsRefreshTimeout: 2000,
  };
  return new Cluster(clusterNodesOf(target.REDIS_CLUSTER_NODES), clusterOptions);
}

/**
 * The prefix of the BullMQ queues. On a cluster it is hash-tagged, `{<REDIS_PREFIX>}`, so that all keys of a
 * queue (which BullMQ's Lua scripts touch together) hash to one slot. On a single Redis it stays
 * `<REDIS_PREFIX>`, as before the cluster support: an existing deployment keeps finding its queued jobs and
 * job schedulers (a switch to a cluster is a new Redis anyway; see README "Redis Cluster").
 */
export function queuePrefix(config: RedisTarget & { REDIS_PREFIX: string }): string {
  return isCluster(config) ? `{${config.REDIS_PREFIX}}` : config.REDIS_PREFIX;
}

/**
 * Deletes every key under `<prefix>:` and the queue keys under `{<prefix>}:` (scratch data of tests,
 * benchmarks and the demo); on a cluster, on every master. Idempotent.
 */
export async function deleteKeysWithPrefix(target: string | RedisTarget, prefix: string): Promise<void> {
  const client = createRedisClient(typeof target === 'string' ? { REDIS_URL: target } : target, { maxRetriesPerRequest: 1 });
  client.on('error', () => undefined);
  try {
    const nodes = client instanceof Cluster ? await masters(client) : [client];
    for (const node of nodes) {
      for (const pattern of [`${prefix}:*`, `{${prefix}}:*`]) {
        let cursor = '0';
        do {
          const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
          // One key per DEL: on a cluster, keys of one node may still be in different slots.
          if (keys.length) await Promise.all(keys.map((key) => node.del(key)));
          cursor = next;
        } while (cursor !== '0');
      }
    }
  } finally {
    client.disconnect();
  }
}

async function masters(cluster: Cluster): Promise<Redis[]> {
  if (cluster.status !== 'ready') await new Promise<void>((resolve, reject) => {
    cluster.once('ready', resolve);
    cluster.once('end', () => reject(new Error('Redis Cluster connection ended')));
  });
  return cluster.nodes('master');
}

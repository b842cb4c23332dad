import type { S3Client } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { createArtifactStore } from '../../src/core/artifacts/artifacts.module.js';
import { createS3Client, S3ArtifactStore } from '../../src/core/artifacts/s3-artifact-store.js';
import { loadConfig } from '../../src/core/config/config.schema.js';
import { describeArtifactStoreContract } from '../support/artifact-store-contract.js';
import { ConditionalPutProxy, S3TestServer } from '../support/s3-test-server.js';
import { TcpProxy } from '../support/tcp-proxy.js';

/**
 * The S3 artifact store against a real S3-compatible server (s3rver in its own process, on a free port):
 * the same contract as the directory store (test/unit/artifact-store.spec.ts), then what is S3's own.
 */
const BUCKET = 'il-artifacts';
const server = new S3TestServer([BUCKET]);
let proxy: ConditionalPutProxy;
let client: S3Client;
const PREFIX = 'deploy-a/';

beforeAll(async () => {
  await server.start();
  proxy = new ConditionalPutProxy(server.port);
  await proxy.start();
  client = createS3Client({ endpoint: proxy.endpoint, region: 'us-east-1', forcePathStyle: true, accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey });
});
afterAll(async () => {
  client?.destroy();
  await proxy?.stop();
  await server.stop();
});

/**
 * The object names under `prefix`, by an unsigned ListObjectsV2 (s3rver allows anonymous reads; its check
 * of a signed bucket-level request's path differs from the SDK's, as for CreateBucket).
 */
async function objectNames(prefix: string): Promise<string[]> {
  const response = await fetch(`${server.endpoint}/${BUCKET}?list-type=2&max-keys=1000&prefix=${encodeURIComponent(prefix)}`);
  const xml = await response.text();
  expect(response.status).toBe(200);
  expect(xml).not.toContain('<IsTruncated>true</IsTruncated>');
  return [...xml.matchAll(/<Key>([^<]*)<\/Key>/g)].map((m) => m[1]);
}

// 5 MiB parts (S3's minimum), so that the contract's 12 MiB body is a three-part upload.
describeArtifactStoreContract('S3ArtifactStore (s3rver, conditional PUT)', () => ({
  store: () => new S3ArtifactStore({ client, bucket: BUCKET, prefix: PREFIX, conditionalWrites: true, partSize: 5 << 20 }),
  storedUnder: async (path) => (await objectNames(`${PREFIX}${path}/`)).map((n) => n.slice(`${PREFIX}${path}/`.length)),
}));

describe('S3ArtifactStore specifics', () => {
  test('racing puts are settled by If-None-Match: * on the info object; the losers delete their copies', async () => {
    const before = proxy.refused;
    const store = () => new S3ArtifactStore({ client, bucket: BUCKET, prefix: PREFIX, conditionalWrites: true });
    const results = await Promise.all(['a', 'b', 'c'].map((v) => store().putOnce('db/settled', [v.repeat(100)], { contentType: 'text/plain' })));
    expect(new Set(results.map((r) => r.sha256)).size).toBe(1);
    expect(proxy.refused - before).toBeGreaterThanOrEqual(1);
    const names = await objectNames(`${PREFIX}db/settled/`);
    expect(names).toHaveLength(2);
    expect(names).toContain(`${PREFIX}db/settled/meta.json`);
  });

  test('without conditional writes (servers lacking If-None-Match): stat, put, re-read; a later put keeps the first', async () => {
    const direct = createS3Client({ endpoint: server.endpoint, region: 'us-east-1', forcePathStyle: true, accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey });
    try {
      const store = () => new S3ArtifactStore({ client: direct, bucket: BUCKET, prefix: 'plain-s3/', conditionalWrites: false });
      const first = await store().putOnce('db/one', ['first'], { contentType: 'text/plain', precompress: true });
      const second = await store().putOnce('db/one', ['second'], { contentType: 'text/plain' });
      expect(second).toEqual(first);
      expect((await store().get('db/one'))!.toString()).toBe('first');
    } finally {
      direct.destroy();
    }
  });

  test('the configuration chooses it: ARTIFACT_STORE=s3 with endpoint, bucket, prefix, credentials and path-style', async () => {
    const config = loadConfig({
      ARTIFACT_STORE: 's3',
      S3_ENDPOINT: proxy.endpoint,
      S3_BUCKET: BUCKET,
      S3_PREFIX: 'from-config',
      S3_ACCESS_KEY_ID: server.accessKeyId,
      S3_SECRET_ACCESS_KEY: server.secretAccessKey,
      S3_FORCE_PATH_STYLE: 'true',
    });
    const store = createArtifactStore(config);
    expect(store).toBeInstanceOf(S3ArtifactStore);
    const info = await store.putOnce('db/configured', ['hello'], { contentType: 'text/plain', expectSha256: createHash('sha256').update('hello').digest('hex') });
    expect(info.sizes.identity).toBe(5);
    expect(await objectNames('from-config/db/configured/')).toHaveLength(2);
  });

  test('the server going away in the middle of an upload fails the put (no hang); nothing appears under the key', async () => {
    const cuttable = await TcpProxy.start(`127.0.0.1:${server.port}`);
    const viaCuttable = createS3Client({ endpoint: `http://127.0.0.1:${cuttable.port}`, region: 'us-east-1', forcePathStyle: true, accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey });
    try {
      const store = new S3ArtifactStore({ client: viaCuttable, bucket: BUCKET, prefix: PREFIX, conditionalWrites: true, partSize: 5 << 20 });
      async function* body(): AsyncGenerator<Buffer> {
        for (let i = 0; i < 16; i++) {
          if (i === 7) await cuttable.cut('reset'); // after the first part went up
          yield Buffer.alloc(1 << 20, 97 + (i % 26));
        }
      }
      const started = Date.now();
      await expect(store.putOnce('db/interrupted', body(), { contentType: 'text/plain', precompress: true })).rejects.toThrow();
      expect(Date.now() - started).toBeLessThan(30_000);
      await cuttable.restore();
      expect(await new S3ArtifactStore({ client, bucket: BUCKET, prefix: PREFIX, conditionalWrites: true }).stat('db/interrupted')).toBeNull();
      expect(await objectNames(`${PREFIX}db/interrupted/`)).toEqual([]);
    } finally {
      viaCuttable.destroy();
      await cuttable.close();
    }
  });

  test('a wrong secret is an error, not a missing artifact', async () => {
    const wrong = createS3Client({ endpoint: server.endpoint, region: 'us-east-1', forcePathStyle: true, accessKeyId: server.accessKeyId, secretAccessKey: 'not-the-secret' });
    try {
      const store = new S3ArtifactStore({ client: wrong, bucket: BUCKET, prefix: PREFIX, conditionalWrites: true });
      await expect(store.stat('db/draws/x/entries.csv')).rejects.toThrow();
    } finally {
      wrong.destroy();
    }
  });
});

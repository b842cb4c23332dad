import { createHash, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { PassThrough, pipeline, Readable, Transform } from 'node:stream';
import { text } from 'node:stream/consumers';
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  PutObjectCommand,
  S3Client,
  type GetObjectCommandOutput,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import {
  ArtifactDigestMismatch,
  assertArtifactKey,
  type ArtifactEncoding,
  type ArtifactInfo,
  type ArtifactStore,
  type ByteRange,
  type PutOptions,
} from './artifact-store.js';
import { ARTIFACT_FILES as FILES, ARTIFACT_META as META, BROTLI_MAX_BYTES, brotliCompressor, gzipCompressor, hashed, INFO_CACHE_MAX } from './artifact-bytes.js';

/** S3's minimum part is 5 MiB; 8 MiB parts, two in flight per representation, bound a put's memory to ~50 MiB. */
const DEFAULT_PART_SIZE = 8 << 20;
const CONDITIONAL_CONFLICT_RETRIES = 5;

/** The sidecar `meta.json`: the artifact's info and where each representation's object lies under `<key>/`. */
interface ArtifactRecord extends ArtifactInfo {
  objects: Partial<Record<ArtifactEncoding, string>>;
}

/** How to reach the bucket (S3_* settings). Credentials unset: the SDK's default chain (environment, instance role). */
export interface S3ConnectionSettings {
  endpoint?: string;
  region: string;
  forcePathStyle: boolean;
  accessKeyId?: string;
  secretAccessKey?: string;
}

export interface S3ArtifactStoreOptions {
  client: S3Client;
  bucket: string;
  /** Prefix of every object name ('' or ending in '/'), so that several deployments can share a bucket. */
  prefix: string;
  /**
   * Whether the server honours `If-None-Match: *` on PutObject (AWS S3 and MinIO do). Without it the commit
   * is stat-then-put, re-read afterwards: two puts of one key racing within one round trip can both believe
   * they won (the stored one is what every later read sees).
   */
  conditionalWrites: boolean;
  partSize?: number;
}

/** An S3 client for S3-compatible servers too: checksums only where an operation requires one (many servers reject the SDK's default trailers). */
export function createS3Client(settings: S3ConnectionSettings): S3Client {
  return new S3Client({
    endpoint: settings.endpoint,
    region: settings.region,
    forcePathStyle: settings.forcePathStyle,
    credentials: settings.accessKeyId && settings.secretAccessKey ? { accessKeyId: settings.accessKeyId, secretAccessKey: settings.secretAccessKey } : undefined,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

function statusOf(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
}
const isNotFound = (error: unknown) => (error as Error)?.name === 'NoSuchKey' || (error as Error)?.name === 'NotFound' || statusOf(error) === 404;

/** Counts the bytes flowing through (the size of a compressed copy, known only at its end). */
function byteCounter(): Transform & { bytes: number } {
  const counter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      counter.bytes += chunk.length;
      done(null, chunk);
    },
  }) as Transform & { bytes: number };
  counter.bytes = 0;
  return counter;
}

/**
 * The artifact store in an S3-compatible bucket (ARTIFACT_STORE=s3). Layout under S3_PREFIX:
 * `<key>/meta.json` (the artifact's info: written last, it is what makes the artifact exist) and
 * `<key>/<put id>/data` (`data.gz`, `data.br`), the representations, named per put so that racing puts
 * never overwrite each other's bytes.
 *
 * A put streams the body (never held whole in memory; the gzip copy is compressed on the way, the brotli
 * copy only for bodies up to BROTLI_MAX_BYTES, kept in memory for it) with multipart uploads to
 * `.tmp/<put id>/` (no artifact key starts with '.'), hashing as it goes. Only bytes that hash to
 * `expectSha256` are then copied under the key (server-side copies; single-operation copy, so up to 5 GB);
 * the temporary objects are deleted either way. The sidecar is then written with `If-None-Match: *`: the
 * first complete put wins, a later one gets 412, reads the winner and deletes its own copies. A put that
 * dies half way leaves only objects under `.tmp/` (a bucket lifecycle rule on that prefix removes them,
 * with incomplete multipart uploads). Infos are cached in the process (artifacts never change).
 */
export class S3ArtifactStore implements ArtifactStore {
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly prefix: string;
  private readonly conditionalWrites: boolean;
  private readonly partSize: number;
  private readonly records = new Map<string, ArtifactRecord>();

  constructor(options: S3ArtifactStoreOptions) {
    if (options.prefix !== '' && !/^([A-Za-z0-9_-][A-Za-z0-9._-]*\/)+$/.test(options.prefix)) throw new Error(`invalid S3 prefix ${JSON.stringify(options.prefix)}`);
    this.client = options.client;
    this.bucket = options.bucket;
    this.prefix = options.prefix;
    this.conditionalWrites = options.conditionalWrites;
    this.partSize = options.partSize ?? DEFAULT_PART_SIZE;
  }

  private objectName(key: string, file: string): string {
    assertArtifactKey(key);
    return `${this.prefix}${key}/${file}`;
  }

  async putOnce(key: string, body: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>, options: PutOptions): Promise<ArtifactInfo> {
    const existing = await this.stat(key);
    if (existing) return existing;
    const putId = randomUUID();
    const temporary: string[] = [];
    const copied: string[] = [];
    let committed = false;
    try {
      const uploaded = await this.uploadTemporary(putId, body, options, temporary);
      if (options.expectSha256 !== undefined && uploaded.sha256 !== options.expectSha256) throw new ArtifactDigestMismatch(key, options.expectSha256, uploaded.sha256);
      const record: ArtifactRecord = { key, contentType: options.contentType, sha256: uploaded.sha256, sizes: uploaded.sizes, meta: { ...(options.meta ?? {}) }, objects: {} };
      for (const [encoding, source] of Object.entries(uploaded.objects) as [ArtifactEncoding, string][]) {
        const relative = `${putId}/${FILES[encoding]}`;
        const target = this.objectName(key, relative);
        await this.client.send(
          new CopyObjectCommand({ Bucket: this.bucket, Key: target, CopySource: `${this.bucket}/${source}`.split('/').map(encodeURIComponent).join('/'), ContentType: options.contentType, MetadataDirective: 'REPLACE', Metadata: { sha256: uploaded.sha256 } }),
        );
        copied.push(target);
        record.objects[encoding] = relative;
      }
      const stored = await this.commit(key, record);
      committed = stored.objects.identity === record.objects.identity;
      this.remember(stored);
      return infoOf(stored);
    } finally {
      await this.deleteAll(committed ? temporary : [...temporary, ...copied]);
    }
  }

  /** Streams the body and its compressed copies to `.tmp/<putId>/`, hashing on the way. */
  private async uploadTemporary(
    putId: string,
    body: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>,
    options: PutOptions,
    temporary: string[],
  ): Promise<{ sha256: string; sizes: ArtifactInfo['sizes']; objects: Partial<Record<ArtifactEncoding, string>> }> {
    const name = (encoding: ArtifactEncoding) => `${this.prefix}.tmp/${putId}/${FILES[encoding]}`;
    const hash = createHash('sha256');
    const identity = new PassThrough({ highWaterMark: 1 << 20 });
    const gzip = options.precompress ? gzipCompressor() : null;
    const gzipBytes = byteCounter();
    if (gzip) pipeline(gzip, gzipBytes, () => undefined); // errors surface through the upload reading gzipBytes
    const objects: Partial<Record<ArtifactEncoding, string>> = { identity: name('identity') };
    if (gzip) objects.gzip = name('gzip');
    temporary.push(...(Object.values(objects) as string[]));
    const uploads = Promise.all([this.upload(name('identity'), identity, options.contentType), gzip ? this.upload(name('gzip'), gzipBytes, options.contentType) : null]);
    uploads.catch(() => undefined); // awaited below; a failure while the body is being read must not count as unhandled
    let size = 0;
    let forBrotli: Buffer[] | null = options.precompress ? [] : null;
    try {
      for await (const bytes of hashed(body, hash)) {
        size += bytes.length;
        if (forBrotli && size <= BROTLI_MAX_BYTES) forBrotli.push(bytes);
        else forBrotli = null;
        const waits: Promise<unknown>[] = [];
        if (!identity.write(bytes)) waits.push(once(identity, 'drain'));
        if (gzip && !gzip.write(bytes)) waits.push(once(gzip, 'drain'));
        if (waits.length > 0) await Promise.race([Promise.all(waits), uploads]);
      }
      identity.end();
      gzip?.end();
    } catch (error) {
      identity.destroy(error as Error);
      gzip?.destroy(error as Error);
      throw error;
    }
    await uploads;
    const sizes: ArtifactInfo['sizes'] = { identity: size };
    if (gzip) sizes.gzip = gzipBytes.bytes;
    if (forBrotli) {
      const compressed = Buffer.concat(await Readable.from([Buffer.concat(forBrotli)]).pipe(brotliCompressor(size)).toArray());
      objects.br = name('br');
      temporary.push(objects.br);
      await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: objects.br, Body: compressed, ContentType: options.contentType }));
      sizes.br = compressed.length;
    }
    return { sha256: hash.digest('hex'), sizes, objects };
  }

  private async upload(objectName: string, body: Readable, contentType: string): Promise<void> {
    await new Upload({ client: this.client, params: { Bucket: this.bucket, Key: objectName, Body: body, ContentType: contentType }, partSize: this.partSize, queueSize: 2 }).done();
  }

  /** Writes the sidecar unless one exists; returns the record that is stored (this put's or an earlier winner's). */
  private async commit(key: string, record: ArtifactRecord): Promise<ArtifactRecord> {
    const put = (conditional: boolean) =>
      this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: this.objectName(key, META),
          Body: JSON.stringify(record),
          ContentType: 'application/json',
          ...(conditional ? { IfNoneMatch: '*' } : {}),
        }),
      );
    if (!this.conditionalWrites) {
      const earlier = await this.readRecord(key);
      if (earlier) return earlier;
      await put(false);
      return (await this.readRecord(key)) ?? record;
    }
    for (let attempt = 0; ; attempt++) {
      try {
        await put(true);
        return record;
      } catch (error) {
        const status = statusOf(error);
        // 409: another conditional write of this name is in flight; S3 asks to retry.
        if (status === 409 && attempt < CONDITIONAL_CONFLICT_RETRIES) {
          await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
          continue;
        }
        if (status !== 412) throw error;
        const winner = await this.readRecord(key);
        if (!winner) throw error;
        return winner;
      }
    }
  }

  private async deleteAll(objectNames: string[]): Promise<void> {
    // Best effort: what is left is either under .tmp/ (lifecycle rule) or unreferenced by any meta.json.
    await Promise.all(objectNames.map((Key) => this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key })).catch(() => undefined)));
  }

  private async readRecord(key: string): Promise<ArtifactRecord | null> {
    let response: GetObjectCommandOutput;
    try {
      response = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.objectName(key, META) }));
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
    return JSON.parse(await text(response.Body as Readable)) as ArtifactRecord;
  }

  private async record(key: string): Promise<ArtifactRecord | null> {
    const cached = this.records.get(key);
    if (cached) return cached;
    const record = await this.readRecord(key);
    if (record) this.remember(record);
    return record;
  }

  async stat(key: string): Promise<ArtifactInfo | null> {
    const record = await this.record(key);
    return record ? infoOf(record) : null;
  }

  async get(key: string): Promise<Buffer | null> {
    const body = await this.stream(key);
    return body ? Buffer.concat(await body.toArray()) : null;
  }

  async stream(key: string, options: { encoding?: ArtifactEncoding; range?: ByteRange } = {}): Promise<Readable | null> {
    const record = await this.record(key);
    const encoding = options.encoding ?? 'identity';
    const object = record?.objects[encoding];
    if (!record || object === undefined) return null;
    if (options.range && encoding !== 'identity') throw new Error('byte ranges are of the identity representation only');
    const response = await this.client.send(
      new GetObjectCommand({
        Bucket: this.bucket,
        Key: this.objectName(key, object),
        Range: options.range ? `bytes=${options.range.start}-${options.range.end}` : undefined,
      }),
    );
    return response.Body as Readable;
  }

  private remember(record: ArtifactRecord): void {
    if (this.records.size >= INFO_CACHE_MAX) this.records.delete(this.records.keys().next().value!);
    this.records.set(record.key, record);
  }
}

function infoOf(record: ArtifactRecord): ArtifactInfo {
  return { key: record.key, contentType: record.contentType, sha256: record.sha256, sizes: record.sizes, meta: record.meta };
}

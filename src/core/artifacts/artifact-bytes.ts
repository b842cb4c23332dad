import type { createHash } from 'node:crypto';
import type { ArtifactEncoding } from './artifact-store.js';
import { constants as zlib, createBrotliCompress, createGzip } from 'node:zlib';

/**
 * Compression of the precompressed copies, the same in every store: written once per artifact, read many
 * times. An entries file is mostly SHA-256 hex, which gzip and brotli both shrink to ~55 %, but brotli (even
 * at quality 6) takes many times gzip's time on 80 MB: brotli copies are made for artifacts up to
 * BROTLI_MAX_BYTES only (the audit bundle, where its better dictionary pays), gzip for all.
 */
export const BROTLI_MAX_BYTES = 8 << 20;
export const gzipCompressor = () => createGzip({ level: 6 });
export const brotliCompressor = (size: number) =>
  createBrotliCompress({
    params: { [zlib.BROTLI_PARAM_QUALITY]: 6, [zlib.BROTLI_PARAM_LGWIN]: 22, [zlib.BROTLI_PARAM_SIZE_HINT]: size, [zlib.BROTLI_PARAM_MODE]: zlib.BROTLI_MODE_TEXT },
  });

/** Turns string chunks into UTF-8 bytes and feeds every byte to `hash` on the way. */
export async function* hashed(
  body: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>,
  hash: ReturnType<typeof createHash>,
): AsyncGenerator<Buffer> {
  for await (const chunk of body) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (bytes.length === 0) continue;
    hash.update(bytes);
    yield bytes;
  }
}

/** The stored representations' names under an artifact's key, and its metadata record (both stores). */
export const ARTIFACT_FILES: Record<ArtifactEncoding, string> = { identity: 'data', gzip: 'data.gz', br: 'data.br' };
export const ARTIFACT_META = 'meta.json';
/** How many artifacts' info a store keeps in memory (they never change). */
export const INFO_CACHE_MAX = 1_000;

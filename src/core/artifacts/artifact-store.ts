import type { Readable } from 'node:stream';

/** A stored representation of an artifact: the bytes as written, or a precompressed copy of them. */
export type ArtifactEncoding = 'identity' | 'gzip' | 'br';

/** What is known about a stored artifact without reading it. */
export interface ArtifactInfo {
  key: string;
  contentType: string;
  /** Lowercase hex SHA-256 of the identity bytes: the basis of the strong ETag. */
  sha256: string;
  /** Size in bytes of each stored representation (identity always; gzip and br when precompressed). */
  sizes: Partial<Record<ArtifactEncoding, number>> & { identity: number };
  /** Small string metadata given at put time (e.g. the entry count of an entries file). */
  meta: Record<string, string>;
}

/** Options of {@link ArtifactStore.putOnce}. */
export interface PutOptions {
  contentType: string;
  /** When given, the bytes must hash to this (lowercase hex SHA-256), or nothing is stored and the put throws. */
  expectSha256?: string;
  /** Also store a gzip copy (and a brotli one for small artifacts), so that downloads are never compressed per request. */
  precompress?: boolean;
  meta?: Record<string, string>;
}

/** An inclusive byte range of the identity representation. */
export interface ByteRange {
  start: number;
  end: number;
}

/** The bytes did not hash to {@link PutOptions.expectSha256}: the source differs from what was committed. */
export class ArtifactDigestMismatch extends Error {
  constructor(
    readonly key: string,
    readonly expected: string,
    readonly actual: string,
  ) {
    super(`artifact ${key}: the bytes hash to ${actual}, expected ${expected}; not stored`);
    this.name = 'ArtifactDigestMismatch';
  }
}

/**
 * Write-once storage of immutable artifacts (entries files, audit bundles): a local directory by default
 * (DirectoryArtifactStore) or an S3-compatible bucket (S3ArtifactStore), chosen by ARTIFACT_STORE; both pass
 * one contract suite (test/support/artifact-store-contract.ts). Keys are `/`-separated paths of
 * `[A-Za-z0-9._-]` segments. An artifact is visible only once completely written; it never changes.
 */
export interface ArtifactStore {
  /**
   * Stores `body` under `key` unless something is stored there already, in which case the stored artifact
   * is kept and returned untouched (idempotent; concurrent puts of one key leave exactly one).
   */
  putOnce(key: string, body: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>, options: PutOptions): Promise<ArtifactInfo>;
  /** The artifact's info, or null when nothing is stored under `key`. */
  stat(key: string): Promise<ArtifactInfo | null>;
  /** The whole identity bytes (for small artifacts), or null. */
  get(key: string): Promise<Buffer | null>;
  /** A stream of one representation, or of a byte range of the identity bytes; null when not stored. */
  stream(key: string, options?: { encoding?: ArtifactEncoding; range?: ByteRange }): Promise<Readable | null>;
}

/** Nest injection token of the configured {@link ArtifactStore}. */
export const ARTIFACT_STORE = Symbol('ARTIFACT_STORE');

const KEY = /^[A-Za-z0-9._-]{1,128}(\/[A-Za-z0-9._-]{1,128}){0,7}$/;

/** Refuses keys that could escape a directory or be read differently by an object store. */
export function assertArtifactKey(key: string): void {
  if (!KEY.test(key) || key.split('/').some((s) => s === '.' || s === '..' || s.startsWith('.'))) throw new Error(`invalid artifact key ${JSON.stringify(key)}`);
}

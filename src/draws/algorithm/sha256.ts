/**
 * The hashing ILD-1 needs (SHA-256, incremental; HMAC-SHA256; random bytes), on Node's crypto. The browser
 * build (scripts/build-web.mjs) swaps this module for sha256.browser.ts, the same functions on
 * @noble/hashes and Web Crypto's getRandomValues, so the algorithm is one source for the worker, the CLI
 * and the page. Both must give identical digests (test/unit/draw-algorithm/sha256.spec.ts).
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';

/** An incremental SHA-256. */
export interface Sha256 {
  /** Adds bytes. */
  update(bytes: Uint8Array): void;
  /** Adds a string of code points below 256, one byte each (the entries file is ASCII). */
  updateLatin1(text: string): void;
  /** The lowercase hex digest; the hash cannot be updated afterwards. */
  hexDigest(): string;
}

/** Which SHA-256 runs large hashes: Node's native one, WebAssembly or pure JavaScript (browser build). */
export type Sha256Engine = 'native' | 'webassembly' | 'javascript';

/** Loads what hashing needs and says which engine runs; Node's crypto needs nothing (the browser build loads WebAssembly here). */
export async function prepareSha256(): Promise<Sha256Engine> {
  return 'native';
}

export function createSha256(): Sha256 {
  const hash = createHash('sha256');
  return {
    update: (bytes) => void hash.update(bytes),
    updateLatin1: (text) => void hash.update(text, 'latin1'),
    hexDigest: () => hash.digest('hex'),
  };
}

/** Lowercase hex SHA-256 of bytes, or of a string's UTF-8 bytes. */
export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Lowercase hex HMAC-SHA256 of a message's UTF-8 bytes; a string key is taken as its UTF-8 bytes. */
export function hmacSha256Hex(key: string | Uint8Array, message: string): string {
  return createHmac('sha256', key).update(message, 'utf8').digest('hex');
}

/** `n` bytes from the cryptographically secure generator, as lowercase hex. */
export function randomHex(n: number): string {
  return randomBytes(n).toString('hex');
}

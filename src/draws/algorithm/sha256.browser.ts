/**
 * Browser build of sha256.ts (swapped in by scripts/build-web.mjs): the same functions on @noble/hashes
 * (audited, pure JS; Web Crypto's digest() cannot hash a stream incrementally) and Web Crypto's
 * getRandomValues. The incremental hash of a large file runs on hash-wasm's WebAssembly SHA-256 once
 * {@link prepareSha256} has loaded it (about 10× noble's speed: it decides the verifier's time on a large
 * draw); small inputs, and any hash when WebAssembly is unavailable, use noble. Never imported by Node code.
 */
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { createSHA256, type IHasher } from 'hash-wasm';
import type { Sha256, Sha256Engine } from './sha256.js';

export type { Sha256, Sha256Engine } from './sha256.js';

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
const utf8 = new TextEncoder();

function toHex(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) out += HEX[bytes[i]];
  return out;
}

function latin1Bytes(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return out;
}

/** WebAssembly hashers not in use (one incremental hash at a time each). */
const wasmPool: IHasher[] = [];

/** Loads the WebAssembly SHA-256 (needs script-src 'wasm-unsafe-eval'); without it hashing stays on noble. */
export async function prepareSha256(): Promise<Sha256Engine> {
  if (wasmPool.length > 0) return 'webassembly';
  try {
    wasmPool.push(await createSHA256());
    return 'webassembly';
  } catch {
    return 'javascript'; // no WebAssembly here (or not allowed): the same digests, more slowly
  }
}

export function createSha256(): Sha256 {
  const wasm = wasmPool.pop();
  if (wasm) {
    wasm.init();
    let done = false;
    return {
      update: (bytes) => void wasm.update(bytes),
      updateLatin1: (text) => void wasm.update(latin1Bytes(text)),
      hexDigest: () => {
        if (done) throw new Error('sha256: digest already taken');
        done = true;
        const hex = wasm.digest('hex');
        wasmPool.push(wasm);
        return hex;
      },
    };
  }
  const hash = sha256.create();
  return {
    update: (bytes) => void hash.update(bytes),
    updateLatin1: (text) => void hash.update(latin1Bytes(text)),
    hexDigest: () => toHex(hash.digest()),
  };
}

export function sha256Hex(data: string | Uint8Array): string {
  return toHex(sha256(typeof data === 'string' ? utf8.encode(data) : data));
}

export function hmacSha256Hex(key: string | Uint8Array, message: string): string {
  return toHex(hmac(sha256, typeof key === 'string' ? utf8.encode(key) : key, utf8.encode(message)));
}

export function randomHex(n: number): string {
  return toHex(globalThis.crypto.getRandomValues(new Uint8Array(n)));
}

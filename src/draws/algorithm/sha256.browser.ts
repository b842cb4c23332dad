/**
 * Browser build of sha256.ts (swapped in by scripts/build-web.mjs): the same functions on @noble/hashes
 * (audited, pure JS; Web Crypto's digest() cannot hash a stream incrementally) and Web Crypto's
 * getRandomValues. Never imported by the Node code.
 */
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import type { Sha256 } from './sha256.js';

export type { Sha256 } from './sha256.js';

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

export function createSha256(): Sha256 {
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

/**
 * Browser build of instant-hash.ts (swapped in by scripts/build-web.mjs): the same two functions on
 * @noble/hashes (audited, pure JS, synchronous: ILI-1 computes outcomes entry by entry). Never imported by
 * Node code.
 */
import { sha256 } from '@noble/hashes/sha2.js';

const utf8 = new TextEncoder();
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

export function sha256HexUtf8(text: string): string {
  const bytes = sha256(utf8.encode(text));
  let out = '';
  for (let i = 0; i < bytes.length; i++) out += HEX[bytes[i]];
  return out;
}

export function sha256BytesUtf8(text: string): Uint8Array {
  return sha256(utf8.encode(text));
}

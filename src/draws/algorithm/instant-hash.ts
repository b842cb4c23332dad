import { createHash } from 'node:crypto';

/**
 * The only platform-specific piece of ILI-1 (instant draws): SHA-256 of a string's UTF-8 bytes as
 * lowercase hex, synchronously. Node's crypto here; a browser build swaps this one file for a pure
 * implementation (WebCrypto's digest is asynchronous, and outcomes are computed entry by entry).
 */
export function sha256HexUtf8(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** SHA-256 of a string's UTF-8 bytes as 32 raw bytes (the ILI-1 per-entry random stream). */
export function sha256BytesUtf8(text: string): Uint8Array {
  return createHash('sha256').update(text, 'utf8').digest();
}

import { ALGORITHM_ID, DrawInputError, HEX64 } from './constants.js';
import { hmacSha256Hex, randomHex, sha256Hex } from './sha256.js';

/**
 * Tickets an invoice earns: `min(cap, floor(amountCents / unitCents))`, computed exactly.
 * Returns 0 when the amount is below one unit (such an invoice is not an entry).
 * Throws on a negative or non-integer amount, or a non-positive unit or cap.
 */
export function computeTickets(amountCents: number | bigint, unitCents: number, cap: number): number {
  if (!Number.isSafeInteger(unitCents) || unitCents <= 0) throw new DrawInputError(`unitCents must be a positive integer, got ${unitCents}`);
  if (!Number.isSafeInteger(cap) || cap <= 0) throw new DrawInputError(`cap must be a positive integer, got ${cap}`);
  let units: bigint;
  if (typeof amountCents === 'bigint') {
    if (amountCents < 0n) throw new DrawInputError(`amountCents must not be negative, got ${amountCents}`);
    units = amountCents / BigInt(unitCents);
  } else {
    if (!Number.isSafeInteger(amountCents) || amountCents < 0) {
      throw new DrawInputError(`amountCents must be a non-negative safe integer, got ${amountCents}`);
    }
    units = BigInt(amountCents) / BigInt(unitCents); // exact integer division, no float rounding
  }
  return units >= BigInt(cap) ? cap : Number(units);
}

/**
 * An entry's `ref`: lowercase hex SHA-256 of the invoice identity `<code>-<number>` (UTF-8/ASCII).
 * 20-digit (fully digital) invoice numbers have no code, so their identity is `-<number>`.
 * Both parts must be decimal digits; a code is required for numbers that are not 20 digits long.
 */
export function invoiceRef(invoiceCode: string, invoiceNumber: string): string {
  if (!/^[0-9]+$/.test(invoiceNumber)) throw new DrawInputError(`invoice number must be decimal digits, got "${invoiceNumber}"`);
  if (!/^[0-9]*$/.test(invoiceCode)) throw new DrawInputError(`invoice code must be decimal digits, got "${invoiceCode}"`);
  if (invoiceNumber.length === 20 && invoiceCode !== '') {
    throw new DrawInputError('a 20-digit invoice number has no invoice code; pass an empty code');
  }
  if (invoiceNumber.length !== 20 && invoiceCode === '') {
    throw new DrawInputError(`invoice code required for a ${invoiceNumber.length}-digit invoice number`);
  }
  return sha256Hex(`${invoiceCode}-${invoiceNumber}`);
}

/**
 * An entry's `holder`: the first 16 lowercase hex chars of HMAC-SHA256(key, `<drawId>:<consumerId>`).
 * Stable within a draw (so the win limit can be applied) but unlinkable across draws without the key.
 */
export function holderPseudonym(key: string | Uint8Array, drawId: string, consumerId: string | number): string {
  if (key.length === 0) throw new DrawInputError('holder pseudonym key must not be empty');
  return hmacSha256Hex(key, `${drawId}:${consumerId}`).slice(0, 16);
}

/** A fresh draw secret: 32 bytes from the CSPRNG written as 64 lowercase hex chars. */
export function generateSecret(): string {
  return randomHex(32);
}

/** `secretHash`: lowercase hex SHA-256 over the 64 ASCII bytes of the secret's hex string (not the raw 32 bytes). */
export function hashSecret(secret: string): string {
  if (!HEX64.test(secret)) throw new DrawInputError('secret must be 64 lowercase hex chars');
  return sha256Hex(secret); // 64 hex characters: their UTF-8 bytes are their ASCII bytes
}

/** Checks a draw id: non-empty printable ASCII without spaces (it is embedded in a newline-separated string). */
export function assertDrawId(drawId: string): void {
  if (typeof drawId !== 'string' || !/^[\x21-\x7e]{1,128}$/.test(drawId)) {
    throw new DrawInputError(`drawId must be 1-128 printable ASCII chars without spaces, got ${JSON.stringify(drawId)}`);
  }
}

/** Inputs of {@link deriveSeed}. `beacon` is optional; absent, null and '' all mean "no beacon". */
export interface SeedInputs {
  drawId: string;
  entriesDigest: string;
  secret: string;
  beacon?: string | null;
}

/**
 * The draw seed: lowercase hex SHA-256 of the UTF-8 string
 * `ILD-1\n<drawId>\n<entriesDigest>\n<secret>\n<beacon>` (beacon '' when none; no trailing newline).
 */
export function deriveSeed({ drawId, entriesDigest, secret, beacon }: SeedInputs): string {
  assertDrawId(drawId);
  if (!HEX64.test(entriesDigest)) throw new DrawInputError('entriesDigest must be 64 lowercase hex chars');
  if (!HEX64.test(secret)) throw new DrawInputError('secret must be 64 lowercase hex chars');
  const b = beacon ?? '';
  if (typeof b !== 'string') throw new DrawInputError('beacon must be a string');
  return sha256Hex(`${ALGORITHM_ID}\n${drawId}\n${entriesDigest}\n${secret}\n${b}`);
}

import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';

/**
 * Personal data protection. From the one PII_KEY we derive separate keys per purpose (HKDF), so a
 * lookup hash of a phone cannot be compared with one of an identity number, and encryption keys are
 * never used for hashing.
 */
export class PiiProtector {
  private readonly master: Buffer;
  private readonly derived = new Map<string, Buffer>();

  constructor(piiKeyHex: string) {
    this.master = Buffer.from(piiKeyHex, 'hex');
  }

  private key(purpose: string): Buffer {
    let k = this.derived.get(purpose);
    if (!k) {
      k = Buffer.from(hkdfSync('sha256', this.master, Buffer.alloc(0), `invoice-lottery:${purpose}`, 32));
      this.derived.set(purpose, k);
    }
    return k;
  }

  /** Keyed, deterministic hash for equality lookups ("one identity, one account"); 64 hex chars. */
  lookupHash(purpose: 'phone' | 'identity' | string, value: string): string {
    return createHmac('sha256', this.key(`hash:${purpose}`)).update(value, 'utf8').digest('hex');
  }

  /** A raw key for a purpose, e.g. the draw holder pseudonym key. */
  secretFor(purpose: string): Buffer {
    return this.key(`secret:${purpose}`);
  }

  /** AES-256-GCM; output `v1.<iv>.<tag>.<ciphertext>` in base64url. */
  encrypt(plaintext: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key('encrypt'), iv);
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return ['v1', iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), body.toString('base64url')].join('.');
  }

  decrypt(sealed: string): string {
    const [version, iv, tag, body] = sealed.split('.');
    if (version !== 'v1' || !iv || !tag || body === undefined) throw new Error('Unrecognized sealed value');
    const decipher = createDecipheriv('aes-256-gcm', this.key('encrypt'), Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
  }
}

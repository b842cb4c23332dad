import { DomainError } from '../../core/errors/domain-error.js';
import type { InvoiceClaim } from '../domain/invoice-fields.js';
import { FILE_LIMITS, FILE_REFUSAL_STATUS } from './file-limits.js';
import type { InvoiceFileResult } from './invoice-file.js';

/** Standard base64 (a data: URL prefix, as FileReader.readAsDataURL gives, is accepted and dropped). */
const DATA_URL = /^data:[\w.+-]+\/[\w.+-]+;base64,/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * The claim of a registration body that carries an e-invoice file — `{ file: <base64>, fileName?: string }` —
 * or null when the body has no `file` (a QR or typed body, handled by parseRegistrationBody).
 * Throws the DomainError the consumer sees: 400 VALIDATION_FAILED for a malformed body, the file's own
 * reason code otherwise (see FILE_REFUSAL_STATUS). The file name is informational and never logged.
 * `admitted` (the consumer's rate limit) is awaited before the file is read, so a refused client costs no parsing.
 * `readFile` reads the decoded bytes: InvoiceFileReader.read (a worker thread, with a time limit) in the API.
 */
export async function claimFromFileBody(
  body: unknown,
  readFile: (bytes: Uint8Array) => Promise<InvoiceFileResult>,
  admitted?: Promise<unknown>,
): Promise<InvoiceClaim | null> {
  if (body === null || typeof body !== 'object' || Array.isArray(body) || !Object.prototype.hasOwnProperty.call(body, 'file')) return null;
  const { file, fileName, ...rest } = body as Record<string, unknown>;
  const bad = (field: string, message: string) => DomainError.badRequest('VALIDATION_FAILED', message, { field });
  const extra = Object.keys(rest)[0];
  if (extra !== undefined) throw bad(extra, `send either a file or the QR / typed invoice fields, not both (${extra})`);
  if (fileName !== undefined && (typeof fileName !== 'string' || fileName.length > 255)) throw bad('fileName', 'fileName must be a string of at most 255 characters');
  if (typeof file !== 'string') throw bad('file', 'file must be the file content in base64');
  const base64 = file.replace(DATA_URL, '');
  // Refuse by length before decoding anything.
  if (Math.floor((base64.length * 3) / 4) - (base64.endsWith('==') ? 2 : base64.endsWith('=') ? 1 : 0) > FILE_LIMITS.maxFileBytes) {
    throw new DomainError(413, 'FILE_TOO_LARGE', `An invoice file may have at most ${FILE_LIMITS.maxFileBytes} bytes`);
  }
  if (base64.length === 0 || base64.length % 4 !== 0 || !BASE64.test(base64)) throw bad('file', 'file must be the file content in standard base64');
  await admitted;
  const result = await readFile(Buffer.from(base64, 'base64'));
  if (!result.ok) throw new DomainError(FILE_REFUSAL_STATUS[result.code], result.code, result.message, result.field ? { field: result.field } : undefined);
  return result.claim;
}

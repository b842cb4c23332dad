import { DomainError } from '../core/errors/domain-error.js';
import { HENAN_CITIES } from './cities.js';
import type { WinnerDto } from './dto/public.dto.js';

/**
 * The search of a published winner list (`q=` on the winners endpoint).
 *
 * A query can only match what the list already shows to everyone, and is matched against the masked,
 * published row, never against the data behind it:
 *
 * - 4 digits (`1234`, also `****1234`): the last 4 digits of the invoice number (the list shows exactly these);
 * - 6 to 64 hex characters: a prefix of the entry ref (the list and the audit bundle show whole refs);
 * - 1 or 2 Chinese characters: the surname of the masked name (`张` matches `张*` and `张**`, `欧阳`
 *   matches `欧阳**`); a city given without 市 (`郑州`, `济源`) also matches that city;
 * - a city's name (`郑州市`, `河南省` for province-level and fully digital invoices): the issuing city.
 *
 * Everything else is refused with 400 SEARCH_QUERY_INVALID, in particular a longer Chinese text that is
 * not a city: a search never compares a full name (or a phone, identity or whole invoice number) with
 * the data, so it cannot be used to find out whether a given person won.
 */
export type WinnerQuery =
  | { kind: 'last4'; value: string }
  | { kind: 'ref'; value: string }
  | { kind: 'text'; value: string; city: string | null; surname: string | null };

export const SEARCH_MAX_LENGTH = 64;

/** The cities a winner row can show: the Henan cities and the province itself. */
const CITY_NAMES: ReadonlySet<string> = new Set([...Object.values(HENAN_CITIES), '河南省']);
const HAN = /^\p{Script=Han}+$/u;

function invalid(message: string): DomainError {
  return DomainError.badRequest('SEARCH_QUERY_INVALID', message, { fields: ['q'] });
}

/**
 * The normalized query, or null for no search (absent or blank). Normalization: Unicode NFKC (full-width
 * digits and letters become ASCII), surrounding spaces removed, hex lowercased, leading '*' of a copied
 * masked number and a trailing '…' of a copied shortened ref dropped.
 */
export function parseWinnerQuery(raw: unknown): WinnerQuery | null {
  if (raw === undefined || raw === null) return null;
  if (typeof raw !== 'string') throw invalid('q must be given once');
  if (raw.length > SEARCH_MAX_LENGTH) throw invalid(`q is at most ${SEARCH_MAX_LENGTH} characters`);
  const q = raw.normalize('NFKC').trim();
  if (q === '') return null;

  const digits = /^\**(\d{4})$/.exec(q);
  if (digits) return { kind: 'last4', value: digits[1] };

  const hex = q.replace(/(?:…|\.{3})$/, '').toLowerCase();
  if (/^[0-9a-f]{6,64}$/.test(hex)) return { kind: 'ref', value: hex };

  if (HAN.test(q)) {
    const length = Array.from(q).length;
    const city = [q, `${q}市`, `${q}省`].find((c) => CITY_NAMES.has(c)) ?? null;
    const surname = length <= 2 ? q : null;
    if (city !== null || surname !== null) return { kind: 'text', value: q, city, surname };
    throw invalid('Chinese text must be a surname (1 or 2 characters) or a city name; full names are not searchable');
  }
  throw invalid('q must be the last 4 digits of an invoice number, 6 to 64 hex characters of an entry ref, a surname or a city');
}

/** The surname part of a masked name ('欧阳**' -> '欧阳'; '*' -> ''). */
const surnameOf = (maskedName: string) => maskedName.replace(/\*+$/, '');

/** Whether a published (masked) winner row matches the query. */
export function matchesWinner(query: WinnerQuery, w: Pick<WinnerDto, 'invoiceNumber' | 'ref' | 'city' | 'name'>): boolean {
  switch (query.kind) {
    case 'last4':
      return w.invoiceNumber.length > 4 && w.invoiceNumber.slice(-4) === query.value;
    case 'ref':
      return w.ref.startsWith(query.value);
    case 'text':
      return (query.city !== null && w.city === query.city) || (query.surname !== null && surnameOf(w.name) === query.surname);
  }
}

import { issuingRegion } from '../invoices/domain/invoice-fields.js';

/**
 * Henan's prefecture-level cities by the 4-digit region code an invoice code carries (GB/T 2260), plus
 * Jiyuan (a county-level city directly under the province, 4190). Public winner lists show only this
 * city, never the seller or anything finer.
 */
export const HENAN_CITIES: Readonly<Record<string, string>> = {
  '4101': '郑州市',
  '4102': '开封市',
  '4103': '洛阳市',
  '4104': '平顶山市',
  '4105': '安阳市',
  '4106': '鹤壁市',
  '4107': '新乡市',
  '4108': '焦作市',
  '4109': '濮阳市',
  '4110': '许昌市',
  '4111': '漯河市',
  '4112': '三门峡市',
  '4113': '南阳市',
  '4114': '商丘市',
  '4115': '信阳市',
  '4116': '周口市',
  '4117': '驻马店市',
  '4190': '济源市',
};

/**
 * The issuing city of an invoice as far as its own code tells: a Henan city for a 10/12-digit code of a
 * known city, '河南省' for province-level codes (e.g. 4100) and for fully digital (数电) numbers, which
 * carry the province only; null outside Henan or when the fields reveal nothing.
 */
export function issuingCity(invoiceCode: string, invoiceNumber: string): string | null {
  const region = issuingRegion({ invoiceCode, invoiceNumber });
  if (region === null || !region.startsWith('41')) return null;
  return HENAN_CITIES[region] ?? '河南省';
}

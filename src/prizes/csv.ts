/**
 * CSV for spreadsheets (RFC 4180 quoting, CRLF lines). Pure.
 *
 * CSV injection: a cell whose text starts with = + - @ (or a tab or carriage return, which some
 * spreadsheet programs skip before looking for those) would be run as a formula by Excel; such cells
 * get a leading apostrophe. Only for text cells: numbers we format ourselves never need it.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: string | number | null | undefined): string {
  let text = value === null || value === undefined ? '' : String(value);
  if (typeof value === 'string' && FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(cells: ReadonlyArray<string | number | null | undefined>): string {
  return `${cells.map(csvCell).join(',')}\r\n`;
}

/** The UTF-8 byte order mark: Excel reads a CSV as UTF-8 (Chinese text intact) only with it. */
export const UTF8_BOM = '\uFEFF';

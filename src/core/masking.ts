/**
 * Masking of personal data for logs, API responses and the public winner list. Every function takes a
 * string and never throws; it returns a masked string that never reveals more than documented. Input is
 * trimmed first. When the input is too short to keep the documented parts without revealing it whole,
 * the result is all stars (or a fixed '****').
 */

const STAR = '*';

/** '13812345678' -> '138****5678'. Other strings of 11+ chars keep the first 3 and last 4; shorter ones become '****'. */
export function maskPhone(phone: string): string {
  const s = String(phone ?? '').trim();
  if (s.length < 11) return '****';
  return `${s.slice(0, 3)}****${s.slice(-4)}`;
}

/**
 * '41010519900307123X' -> '4101**********123X' (first 4, one star per hidden character, last 4).
 * Also used for 15-digit legacy numbers ('4101**********'-style with 7 stars). 8 or fewer characters: all stars.
 */
export function maskIdNumber(idNumber: string): string {
  const s = String(idNumber ?? '').trim();
  if (s.length <= 8) return STAR.repeat(s.length);
  return `${s.slice(0, 4)}${STAR.repeat(s.length - 8)}${s.slice(-4)}`;
}

/**
 * Two-character (复姓) surnames recognized by `maskName`: the classical compound surnames of the
 * 百家姓 plus a few common modern ones. A name whose first two characters are one of these and that has
 * at least three characters keeps both surname characters.
 */
export const COMPOUND_SURNAMES: ReadonlySet<string> = new Set([
  '欧阳', '太史', '端木', '上官', '司马', '东方', '独孤', '南宫', '万俟', '闻人', '夏侯', '诸葛',
  '尉迟', '公羊', '赫连', '澹台', '皇甫', '宗政', '濮阳', '公冶', '太叔', '申屠', '公孙', '慕容',
  '仲孙', '钟离', '长孙', '宇文', '司徒', '鲜于', '司空', '闾丘', '子车', '亓官', '司寇', '巫马',
  '公西', '颛孙', '壤驷', '公良', '漆雕', '乐正', '宰父', '谷梁', '拓跋', '夹谷', '轩辕', '令狐',
  '段干', '百里', '呼延', '东郭', '南门', '羊舌', '微生', '公户', '公玉', '公仪', '梁丘', '公仲',
  '公上', '公门', '公山', '公坚', '左丘', '公伯', '西门', '公祖', '第五', '公乘', '贯丘', '公皙',
  '南荣', '东里', '东宫', '仲长', '子书', '子桑', '即墨', '达奚', '褚师',
]);

/**
 * Keeps the surname, one star per remaining character (counted in code points, so rare CJK characters
 * outside the BMP count once): '张三' -> '张*', '张三丰' -> '张**', '欧阳娜娜' -> '欧阳**',
 * '司马光' -> '司马*'. A two-character name is always surname + given name ('欧阳' -> '欧*'), since
 * nobody's full name is a bare compound surname. A one-character string is masked entirely to '*':
 * it is either a surname alone or broken data, and showing it would show the whole name. Names
 * with a middle dot (e.g. Uyghur '买买提·艾力') keep only the first character like any other name.
 */
export function maskName(name: string): string {
  const chars = Array.from(String(name ?? '').trim());
  if (chars.length === 0) return '';
  if (chars.length === 1) return STAR;
  const keep = chars.length >= 3 && COMPOUND_SURNAMES.has(chars[0] + chars[1]) ? 2 : 1;
  return chars.slice(0, keep).join('') + STAR.repeat(chars.length - keep);
}

/**
 * '6222021234567890123' -> '6222 **** **** 0123': first 4 and last 4 digits with a fixed-width middle
 * that does not reveal the account length. Spaces and dashes in the input are ignored. Fewer than 9
 * characters: '****'.
 */
export function maskBankAccount(account: string): string {
  const s = String(account ?? '').replace(/[\s-]/g, '');
  if (s.length < 9) return '****';
  return `${s.slice(0, 4)} **** **** ${s.slice(-4)}`;
}

/** '80100798' -> '****0798', '23442000000014209621' -> '****9621'. 4 or fewer characters: '****'. */
export function maskInvoiceNumber(invoiceNumber: string): string {
  const s = String(invoiceNumber ?? '').trim();
  if (s.length <= 4) return '****';
  return `****${s.slice(-4)}`;
}

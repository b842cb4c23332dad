/**
 * Formatting shared by every front end (server-rendered pages, page scripts, the staff console and the
 * consumer app): money in integer cents, counts, Asia/Shanghai times, period labels. No DOM, no Node:
 * runs on the server and in the browser alike.
 */

/** ¥1,234.56 from integer cents (grouped, always two decimals). */
export function yuan(cents: number | string): string {
  const n = Math.round(Number(cents));
  const sign = n < 0 ? '-' : '';
  const abs = Math.abs(n);
  const int = String(Math.floor(abs / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${sign}¥${int}.${String(abs % 100).padStart(2, '0')}`;
}

/** A count with thousands separators; an em dash when unknown. */
export function count(n: number | string | null | undefined): string {
  return n === null || n === undefined ? '—' : Number(n).toLocaleString('zh-CN');
}

/** Bytes as MiB/KiB for progress displays. */
export function bytes(n: number): string {
  if (n >= 1 << 20) return `${(n / (1 << 20)).toFixed(1)} MiB`;
  if (n >= 1 << 10) return `${(n / (1 << 10)).toFixed(0)} KiB`;
  return `${n} B`;
}

const dateTime = new Intl.DateTimeFormat('zh-CN', {
  timeZone: 'Asia/Shanghai',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hour12: false,
});

/** An instant as a Beijing-time date and time, e.g. 2022/09/07 10:00（北京时间）; an em dash when absent. */
export function beijingTime(iso: string | null | undefined): string {
  return iso ? `${dateTime.format(new Date(iso))}（北京时间）` : '—';
}

/** 2022-08 -> 2022年8月 */
export function periodLabel(key: string): string {
  return `${key.slice(0, 4)}年${Number(key.slice(5, 7))}月`;
}

/** What each draw status means to a visitor. */
export const DRAW_STATUS_TEXT: Record<string, string> = {
  scheduled: '未开奖',
  frozen: '已截止，待开奖',
  drawn: '已开奖，待公布名单',
  published: '已公布',
  failed: '处理中断，待重试',
};

/** What each prize claim status means to a visitor. */
export const CLAIM_STATUS_TEXT: Record<string, string> = { unclaimed: '待领奖', claimed: '已领奖', forfeited: '逾期未领，已作废', revoked: '资格已撤销' };

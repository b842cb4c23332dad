// Money (integer cents), counts and Asia/Shanghai dates, formatted the one way every page shows them.

export function yuan(cents) {
  if (cents === null || cents === undefined) return '—';
  const n = Math.round(Number(cents));
  const sign = n < 0 ? '-' : '';
  const abs = Math.abs(n);
  const int = String(Math.floor(abs / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${sign}¥${int}.${String(abs % 100).padStart(2, '0')}`;
}

export const count = (n) => (n === null || n === undefined ? '—' : Number(n).toLocaleString('zh-CN'));

const dateTime = new Intl.DateTimeFormat('zh-CN', {
  timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false,
});
const dateOnly = new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' });

/** An instant in Beijing time, e.g. 2022/09/07 10:00:00. */
export const when = (iso) => (iso ? dateTime.format(new Date(iso)) : '—');
export const day = (iso) => (iso ? dateOnly.format(new Date(iso)) : '—');
/** '2022-08' → 2022年8月 */
export const periodLabel = (key) => `${key.slice(0, 4)}年${Number(key.slice(5, 7))}月`;

/** A duration in milliseconds as 3天4小时 / 5小时12分 / 40秒. */
export function duration(ms) {
  if (ms === null || ms === undefined) return '—';
  const s = Math.max(0, Math.floor(ms / 1000));
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d > 0) return `${d}天${h}小时`;
  if (h > 0) return `${h}小时${m}分`;
  if (m > 0) return `${m}分${s % 60}秒`;
  return `${s}秒`;
}

export const bytes = (n) => (n >= 1048576 ? `${(n / 1048576).toFixed(1)} MB` : n >= 1024 ? `${(n / 1024).toFixed(1)} KB` : `${n} B`);

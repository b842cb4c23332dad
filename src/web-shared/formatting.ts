/**
 * The one formatting module of every front end (server-rendered public pages, the verifier, the staff
 * console): money in integer cents, counts, sizes, Asia/Shanghai times, period labels, status texts. No DOM,
 * no Node: runs on the server and in the browser alike. The console's JavaScript imports it as
 * './formatting.js' (scripts/build-web.mjs resolves that to this file).
 */

/** ¥1,234.56 from integer cents (grouped, always two decimals); an em dash when absent. */
export function yuan(cents: number | string | null | undefined): string {
  if (cents === null || cents === undefined) return '—';
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

/** Bytes as "12.3 MB" / "4.5 KB" (multiples of 1024), as the console's upload progress shows them. */
export function bytes(n: number): string {
  if (n >= 1 << 20) return `${(n / (1 << 20)).toFixed(1)} MB`;
  if (n >= 1 << 10) return `${(n / (1 << 10)).toFixed(1)} KB`;
  return `${n} B`;
}

/** Bytes as "12.3 MiB" / "45 KiB", as the public verifier's progress shows them. */
export function bytesIec(n: number): string {
  if (n >= 1 << 20) return `${(n / (1 << 20)).toFixed(1)} MiB`;
  if (n >= 1 << 10) return `${(n / (1 << 10)).toFixed(0)} KiB`;
  return `${n} B`;
}

// Campaign dates are Asia/Shanghai whatever the visitor's or the server's own time zone.
const BEIJING = { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' } as const;
const dateTimeSeconds = new Intl.DateTimeFormat('zh-CN', { ...BEIJING, hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
const dateTimeMinutes = new Intl.DateTimeFormat('zh-CN', { ...BEIJING, hour: '2-digit', minute: '2-digit', hour12: false });
const dateOnly = new Intl.DateTimeFormat('zh-CN', BEIJING);

/** An instant in Beijing time to the second, e.g. 2022/09/07 10:00:00 (staff console); an em dash when absent. */
export function when(iso: string | null | undefined): string {
  return iso ? dateTimeSeconds.format(new Date(iso)) : '—';
}

/** An instant's Beijing date, e.g. 2022/09/07; an em dash when absent. */
export function day(iso: string | null | undefined): string {
  return iso ? dateOnly.format(new Date(iso)) : '—';
}

/** An instant as a Beijing-time date and time for the public, e.g. 2022/09/07 10:00（北京时间）; an em dash when absent. */
export function beijingTime(iso: string | null | undefined): string {
  return iso ? `${dateTimeMinutes.format(new Date(iso))}（北京时间）` : '—';
}

/** 2022-08 -> 2022年8月 */
export function periodLabel(key: string): string {
  const m = /^(\d{4})-(\d{2})([ab]?)$/.exec(key);
  if (!m) return key; // a campaign's own period key (custom periods) is shown as it is
  return `${m[1]}年${Number(m[2])}月${m[3] === 'a' ? '上半月' : m[3] === 'b' ? '下半月' : ''}`;
}

/** How a campaign is cut into periods, as its header says it (a campaign's periodRule). */
export function periodRuleText(rule: string | undefined): string {
  return rule === 'half-month' ? '每半月开奖' : rule === 'custom' ? '分期开奖' : '按月开奖';
}

/** A prize pool's amount band in words (the upper bound excluded). */
export function bandText(band: { minCents: number; maxCents: number | null }): string {
  return band.maxCents === null ? `实付 ${yuan(band.minCents)} 及以上` : `实付 ${yuan(band.minCents)} 至 ${yuan(band.maxCents)}（不含）`;
}

/**
 * The prize tables of a campaign's rules: one per periodic pool when it has pools by band (2026 pilots), else
 * the one table of its tiers. Each is a caption and its tiers.
 */
export function prizeTables(c: {
  tiers: Array<{ tier: number; name: string; count: number; prizeCents: number }>;
  pools?: Array<{ id: string; name: string; mode: string; minCents: number; maxCents: number | null; tiers?: Array<{ tier: number; name: string; count: number; prizeCents: number }> }>;
}): Array<{ caption: string; tiers: Array<{ tier: number; name: string; count: number; prizeCents: number }> }> {
  const periodic = (c.pools ?? []).filter((p) => p.mode === 'periodic');
  if (periodic.length === 0 || (periodic.length === 1 && periodic[0].id === 'main')) return [{ caption: '每期奖项', tiers: c.tiers }];
  return periodic.map((p) => ({ caption: `每期奖项：${p.name}（${bandText(p)}的发票）`, tiers: p.tiers ?? [] }));
}

/** A draw's label: its period, and its prize pool when the campaign has several ('main' is a campaign's only pool). */
export function drawLabel(d: { periodKey?: string; period?: string; poolId?: string; poolName?: string | null; pool?: { id: string; name: string } }): string {
  const period = periodLabel(d.periodKey ?? d.period ?? '');
  const poolId = d.poolId ?? d.pool?.id;
  const poolName = d.poolName ?? d.pool?.name;
  return poolId && poolId !== 'main' && poolName ? `${period} · ${poolName}` : period;
}

/** A duration in milliseconds as 3天4小时 / 5小时12分 / 40秒; an em dash when unknown. */
export function duration(ms: number | null | undefined): string {
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

import { api } from '../../../web-shared/api-client.js';
import { el, show } from '../../../web-shared/dom.js';
import { ERROR_TEXTS, errorText } from '../../../web-shared/errors.js';
import { count, duration, periodLabel, when } from '../../../web-shared/formatting.js';
import { dataTable } from '../../../web-shared/table.js';
import { every, REG_STATUS } from './common.js';

const STATUSES = ['verified', 'pending', 'rejected', 'revoked'];
const STATUS_COLORS = { verified: '#1f7a3a', pending: '#d48806', rejected: '#b4232a', revoked: '#8c8c8c' };
const SOURCE = { feed: '税务系统接口', console: '管理台上传', cli: '命令行' };

/** The campaign dashboard (GET /api/v1/admin/dashboard), refreshed every 30 s. */
export function dashboardView(main) {
  const campaignSel = el('select', { id: 'dash-campaign', 'aria-label': '活动' });
  const periodSel = el('select', { id: 'dash-period', 'aria-label': '统计期' });
  const stats = el('div', { class: 'grid', id: 'dash-stats' });
  const byDay = el('div', { class: 'chart', id: 'chart-by-day', role: 'img', 'aria-label': '每日登记数（按状态）' });
  const byCity = el('div', { class: 'chart', id: 'chart-by-city', role: 'img', 'aria-label': '各城市登记数（按状态）' });
  const refusals = el('div', { id: 'dash-refusals' });
  const cityTable = dataTable(
    [
      { key: 'city', label: '城市' },
      ...STATUSES.map((s) => ({ key: s, label: REG_STATUS[s], num: true, render: (r) => count(r[s]) })),
    ],
    { pageSize: 20, label: '各城市登记数' },
  );
  const status = el('p', { class: 'notice' });
  show(
    main,
    el('h1', {}, '活动概况'),
    el('div', { class: 'filters' }, el('label', { for: 'dash-campaign' }, '活动'), campaignSel, el('label', { for: 'dash-period' }, '统计期'), periodSel),
    stats,
    el('div', { class: 'grid2' }, el('section', { class: 'card' }, el('h2', {}, '每日登记（按状态）'), byDay), el('section', { class: 'card' }, el('h2', {}, '各城市登记'), byCity)),
    el('div', { class: 'grid2' }, el('section', { class: 'card' }, el('h2', {}, '近 24 小时拒绝原因'), refusals), el('section', { class: 'card' }, el('h2', {}, '各城市明细'), cityTable.node)),
    status,
  );
  periodSel.addEventListener('change', () => void load());
  // Another campaign has other periods: its current one is shown first.
  campaignSel.addEventListener('change', () => {
    show(periodSel);
    void load();
  });
  // ECharts (charts.js, a chunk of its own) is fetched when the dashboard is first opened, not with the
  // console's first screen (the sign-in form).
  const charts = import('./charts.js');
  let left = false;

  const stat = (label, value, sub, id) => el('div', { class: 'card stat', id }, el('div', { class: 'label' }, label), el('div', { class: 'value' }, value), sub ? el('div', { class: 'sub' }, sub) : null);

  async function drawCharts(d) {
    let stackedBars;
    try {
      ({ stackedBars } = await charts);
    } catch {
      status.textContent += '（图表未能加载，请刷新页面重试）';
      return;
    }
    if (left) return;
    stackedBars(
      byDay,
      d.registrations.byDay.map((x) => x.day.slice(5)),
      STATUSES.map((s) => ({ name: REG_STATUS[s], color: STATUS_COLORS[s], data: d.registrations.byDay.map((x) => x[s]) })),
    );
    const cities = d.registrations.byCity.slice(0, 18);
    stackedBars(
      byCity,
      cities.map((x) => x.city),
      STATUSES.map((s) => ({ name: REG_STATUS[s], color: STATUS_COLORS[s], data: cities.map((x) => x[s]) })),
      { horizontal: true },
    );
  }

  async function load() {
    try {
      const params = new URLSearchParams();
      if (campaignSel.value) params.set('campaignId', campaignSel.value);
      if (periodSel.value) params.set('period', periodSel.value);
      const q = params.toString() ? `?${params}` : '';
      const d = await api(`/api/v1/admin/dashboard${q}`);
      if (!campaignSel.options.length) show(campaignSel, d.campaigns.map((c) => el('option', { value: c.id, selected: c.id === d.campaign.id }, c.name)));
      if (!periodSel.options.length) {
        show(periodSel, d.periods.map((p) => el('option', { value: p, selected: p === d.period.key }, periodLabel(p))));
      }
      const t = d.registrations.totals;
      const imp = d.feed.lastImport;
      show(
        stats,
        stat(`${periodLabel(d.period.key)} 距截止`, d.period.secondsUntilFreeze > 0 ? duration(d.period.secondsUntilFreeze * 1000) : '已截止', `截止 ${when(d.period.freezeAt)}，开奖 ${when(d.period.drawAt)}`, 'stat-freeze'),
        stat('本期登记', count(t.verified + t.pending + t.rejected + t.revoked), `已核验 ${count(t.verified)} · 待核验 ${count(t.pending)} · 未通过 ${count(t.rejected)} · 已撤销 ${count(t.revoked)}`, 'stat-registrations'),
        stat('待核验积压（全部期次）', count(d.pending.count), d.pending.oldestRegisteredAt ? `最早一条已等待 ${duration(d.pending.oldestAgeSeconds * 1000)}` : '无积压', 'stat-pending'),
        stat(
          '税务数据最近导入',
          imp ? when(imp.finishedAt) : '尚无导入',
          imp ? `${SOURCE[imp.source] || imp.source}：新增 ${count(imp.accepted)} · 更新 ${count(imp.updated)} · 拒收 ${count(imp.rejected)}${imp.complete ? '' : '（中断）'}` : null,
          'stat-feed',
        ),
      );
      cityTable.setRows(d.registrations.byCity);
      show(
        refusals,
        d.refusals24h.length
          ? el(
              'table',
              {},
              el('thead', {}, el('tr', {}, el('th', {}, '原因'), el('th', { class: 'num' }, '次数'))),
              el('tbody', {}, d.refusals24h.map((r) => el('tr', {}, el('td', {}, `${ERROR_TEXTS[r.code] || r.code}（${r.code}）`), el('td', { class: 'num' }, count(r.count))))),
            )
          : el('p', { class: 'notice' }, '近 24 小时没有被拒绝的登记'),
      );
      status.textContent = `数据时间（服务时钟）：${when(d.now)}`;
      await drawCharts(d);
    } catch (error) {
      status.textContent = errorText(error);
    }
  }
  void load();
  const stop = every(30000, load);
  return () => {
    stop();
    left = true;
    void charts.then(({ disposeCharts }) => disposeCharts([byDay, byCity]), () => {});
  };
}

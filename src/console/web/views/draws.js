import { api } from '../../../web-shared/api-client.js';
import { el, show } from '../../../web-shared/dom.js';
import { errorText } from '../../../web-shared/errors.js';
import { count, drawLabel, when } from '../../../web-shared/formatting.js';
import { dataTable } from '../../../web-shared/table.js';
import { badge, DRAW_STATUS, every } from './common.js';

/** Every period's draw on a timeline and in a table; refreshed every 5 s. */
export function drawsView(main) {
  const timeline = el('div', { class: 'timeline', id: 'draw-timeline' });
  const table = dataTable(
    [
      { key: 'periodKey', label: '期次', render: (d) => el('a', { href: `#/draws/${encodeURIComponent(d.id)}` }, drawLabel(d)) },
      { key: 'status', label: '状态', render: (d) => badge(d.status, DRAW_STATUS) },
      { key: 'freezeAt', label: '截止（北京时间）', render: (d) => when(d.freezeAt) },
      { key: 'drawAt', label: '计划开奖', render: (d) => when(d.drawAt) },
      { key: 'entryCount', label: '参与发票', num: true, render: (d) => count(d.entryCount) },
      { key: 'totalTickets', label: '总注数', num: true, render: (d) => count(d.totalTickets) },
      { key: 'failure', label: '失败原因', sort: (d) => (d.failure ? d.failure.reason : ''), render: (d) => (d.failure ? `${d.failure.phase}: ${d.failure.reason}` : '') },
    ],
    { pageSize: 12, label: '各期开奖' },
  );
  const status = el('p', { class: 'notice' });
  show(main, el('h1', {}, '开奖管理'), el('section', { class: 'card' }, el('h2', {}, '时间线'), timeline), el('section', { class: 'card' }, table.node), status);

  async function load() {
    try {
      const draws = await api('/api/v1/admin/draws');
      show(
        timeline,
        draws.map((d) =>
          el('a', { href: `#/draws/${encodeURIComponent(d.id)}`, 'data-draw': d.id }, el('div', { class: 'period' }, drawLabel(d)), badge(d.status, DRAW_STATUS)),
        ),
      );
      table.setRows(draws);
      status.textContent = '';
    } catch (error) {
      status.textContent = errorText(error);
    }
  }
  void load();
  return every(5000, load);
}

import { el, show } from './dom.js';

/**
 * A sortable, paged table over rows held in the page (thousands are fine: only one page is in the DOM).
 * columns: [{ key, label, num?, render?(row) → node|string, sort?(row) → comparable }].
 * Returns { node, setRows(rows) }.
 */
export function dataTable(columns, { pageSize = 20, empty = '暂无数据', label } = {}) {
  let rows = [];
  let page = 1;
  let sortKey = null;
  let sortDir = 1;
  const tbody = el('tbody');
  const info = el('span');
  const prev = el('button', { type: 'button', onclick: () => go(page - 1) }, '上一页');
  const next = el('button', { type: 'button', onclick: () => go(page + 1) }, '下一页');
  const headers = columns.map((c) =>
    el('th', { class: c.num ? 'num' : null, scope: 'col' }, el('button', { type: 'button', class: 'sort', onclick: () => sortBy(c.key) }, c.label)),
  );
  const table = el('table', { 'aria-label': label }, el('thead', {}, el('tr', {}, headers)), tbody);
  const node = el('div', {}, table, el('div', { class: 'pager' }, prev, info, next));

  const valueOf = (c, r) => (c.sort ? c.sort(r) : r[c.key]);
  function sorted() {
    if (!sortKey) return rows;
    const c = columns.find((x) => x.key === sortKey);
    return [...rows].sort((a, b) => {
      const x = valueOf(c, a);
      const y = valueOf(c, b);
      return (x === y ? 0 : x === null || x === undefined ? 1 : y === null || y === undefined ? -1 : x < y ? -1 : 1) * sortDir;
    });
  }
  function sortBy(key) {
    sortDir = sortKey === key ? -sortDir : 1;
    sortKey = key;
    headers.forEach((h, i) => h.setAttribute('aria-sort', columns[i].key === key ? (sortDir > 0 ? 'ascending' : 'descending') : 'none'));
    render();
  }
  function go(p) {
    page = p;
    render();
  }
  function render() {
    const pages = Math.max(1, Math.ceil(rows.length / pageSize));
    page = Math.min(Math.max(1, page), pages);
    const slice = sorted().slice((page - 1) * pageSize, page * pageSize);
    show(
      tbody,
      slice.length
        ? slice.map((r) => el('tr', {}, columns.map((c) => el('td', { class: c.num ? 'num' : null }, c.render ? c.render(r) : String(r[c.key] ?? '—')))))
        : el('tr', {}, el('td', { colspan: columns.length, class: 'notice' }, empty)),
    );
    info.textContent = `第 ${page} / ${pages} 页，共 ${rows.length} 条`;
    prev.disabled = page <= 1;
    next.disabled = page >= pages;
  }
  render();
  return {
    node,
    setRows(r) {
      rows = r;
      render();
    },
  };
}

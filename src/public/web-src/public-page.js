// Public page of the invoice lottery (bundled by scripts/build-web.mjs into dist/web/public/app.js, an ES
// module served as /app.js): enhances the server-rendered pages with search, paging, the fairness chart and
// the audit panel. Shared front-end code only (src/web-shared: DOM building, formatting, the API client, error
// texts); every piece of data is inserted as text (text nodes, attributes, canvas text), never as HTML.
// The fairness chart's drawing code and ECharts are in fairness-chart.js, loaded only when a chart comes into
// view (a chunk of its own: this first-load script stays small for slow phones).
import { api as apiRequest } from '../../web-shared/api-client.js';
import { append, clear, el } from '../../web-shared/dom.js';
import { ERROR_TEXTS, waitText } from '../../web-shared/errors.js';
import { beijingTime as when, CLAIM_STATUS_TEXT as CLAIM, count, DRAW_STATUS_TEXT as STATUS, drawLabel, periodRuleText, prizeTables, yuan } from '../../web-shared/formatting.js';

const API = 'api/v1/public/';
const PASSED = { forfeited: '原中奖者逾期未领', revoked: '原中奖者资格撤销' };

const $ = (id) => document.getElementById(id);
const pct = (x) => `${(Number(x) * 100).toFixed(1)}%`;
const absolute = (path) => new URL(path, document.baseURI).href;

/** GET one public API route (relative to the page, which may live under a path); public answers may come from the HTTP cache. */
const api = (path) => apiRequest(API + path, { cache: 'default' });

/** A failed public request as one sentence for visitors. */
function errorText(e) {
  if (e.status === 429) {
    const retry = e.details && e.details.retryAfterSeconds;
    return `请求过于频繁，请${typeof retry === 'number' ? `${waitText(retry)}后` : '稍后'}再试。`;
  }
  if (e.status === 0) return `${ERROR_TEXTS.NETWORK}。`;
  if (e.status >= 500) return `${ERROR_TEXTS.SERVICE_UNAVAILABLE}。`;
  return `无法加载（${e.code}）。`;
}

// ---- page -----------------------------------------------------------------------------------------

async function main() {
  setupCheckForm();
  let campaigns;
  try {
    campaigns = (await api('campaigns')).items;
  } catch (e) {
    return pageStatus(errorText(e), true);
  }
  if (!campaigns.length) return pageStatus('暂无活动。');
  // The server rendered the page for one campaign (and on /draws/<id> for one draw): enhance that.
  const wanted = document.body.dataset.campaignId || new URLSearchParams(location.search).get('campaign');
  const onlyDraw = document.body.dataset.drawId || null;
  const campaign = campaigns.find((c) => c.id === wanted) || campaigns[0];
  renderCampaign(campaign, campaigns);
  let draws;
  try {
    draws = (await api(`campaigns/${encodeURIComponent(campaign.id)}/draws`)).items;
  } catch (e) {
    return pageStatus(errorText(e), true);
  }
  if (onlyDraw) draws = draws.filter((d) => d.id === onlyDraw);
  renderDraws(draws);
  pageStatus('');
}

function pageStatus(text, isError) {
  const node = $('page-status');
  node.textContent = text;
  node.hidden = !text;
  node.classList.toggle('error', Boolean(isError));
}

function renderCampaign(c, all) {
  if (!document.body.dataset.drawId) document.title = `${c.name} · 开奖公告`;
  $('campaign-name').textContent = c.name;
  $('campaign-meta').textContent = `活动时间 ${c.startDate} 至 ${c.endDate}，${periodRuleText(c.periodRule)}，共 ${c.periodCount} 期`;
  if (all.length > 1) {
    const nav = $('campaign-nav');
    nav.hidden = false;
    append(clear(nav), [
      el('ul', {}, all.map((x) => el('li', {}, el('a', { href: `?campaign=${encodeURIComponent(x.id)}`, 'aria-current': x.id === c.id ? 'page' : null }, x.name)))),
    ]);
  }
  if (!$('rules-body')) return; // a draw's own page shows no rules
  const rules = clear($('rules-body'));
  append(rules, [
    // One table per periodic pool of a campaign with pools by amount band (prizeTables).
    ...prizeTables(c).map((table) => el('table', { class: 'stack' },
      el('caption', {}, table.caption),
      el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, '奖级'), el('th', { scope: 'col', class: 'num' }, '名额'), el('th', { scope: 'col', class: 'num' }, '奖金（每名）'))),
      el('tbody', {}, table.tiers.map((t) => el('tr', {},
        el('td', { 'data-label': '奖级' }, t.name),
        el('td', { 'data-label': '名额', class: 'num' }, count(t.count)),
        el('td', { 'data-label': '奖金', class: 'num' }, yuan(t.prizeCents))))))),
    el('ul', {},
      el('li', {}, `每张发票按实付金额每 ${yuan(c.ticketUnitCents)} 计 1 注，单张最多 ${count(c.ticketCap)} 注；金额越大中奖机会按比例越大。`),
      el('li', {}, c.winLimitPerHolder > 0 ? `同一期每人最多中奖 ${c.winLimitPerHolder} 次。` : '同一期中奖次数不限。'),
      el('li', {}, `每期另抽 ${count(c.alternateCount)} 名候补：中奖者 ${c.claimWindowDays} 天内未领奖或资格撤销时，奖项依次转给候补。`),
      el('li', {}, '奖金超过 ¥800 的按偶然所得代扣 20% 个人所得税。')),
  ]);
}

function renderDraws(draws) {
  const root = clear($('draws'));
  if (!draws.length) return append(root, [el('p', { class: 'notice' }, '暂无开奖安排。')]);
  let fromHash = null;
  try {
    if (location.hash.startsWith('#draw-')) fromHash = decodeURIComponent(location.hash.slice(6));
  } catch (e) {
    fromHash = null; // a malformed link: open the latest draw instead
  }
  const published = draws.filter((d) => d.status === 'published');
  const openId = document.body.dataset.drawId || fromHash || (published.length ? published[published.length - 1].id : null);
  // Newest first.
  for (const d of draws.slice().reverse()) root.appendChild(drawArticle(d, d.id === openId));
  // A link to one draw (e.g. from the Atom feed): the element exists only now, so scroll to it here.
  const target = fromHash && document.getElementById(`draw-${fromHash}`);
  if (target) target.scrollIntoView();
}

function drawArticle(d, open) {
  const body = el('div', { class: 'body' });
  const details = el('details', { open: open || null },
    el('summary', {},
      el('h3', {}, `${drawLabel(d)}期`),
      el('span', { class: `badge ${d.status}` }, STATUS[d.status] || d.status)),
    body);
  append(body, [
    el('dl', { class: 'facts' },
      el('dt', {}, '发票开具日期'), el('dd', {}, `${d.periodStart} 至 ${d.periodEnd}`),
      el('dt', {}, '登记截止'), el('dd', {}, when(d.freezeAt)),
      el('dt', {}, '开奖时间'), el('dd', {}, when(d.drawnAt || d.drawAt)),
      d.publishedAt ? [el('dt', {}, '公布时间'), el('dd', {}, when(d.publishedAt))] : null,
      d.entryCount !== null ? [el('dt', {}, '参与发票'), el('dd', {}, `${count(d.entryCount)} 张，共 ${count(d.totalTickets)} 注`)] : null),
  ]);
  let loaded = false;
  const load = () => {
    if (loaded || !details.open) return;
    loaded = true;
    fillDraw(d, body);
  };
  details.addEventListener('toggle', load);
  if (open) queueMicrotask(load);
  return el('article', { class: 'draw', id: `draw-${d.id}`, 'aria-label': `${drawLabel(d)}期开奖` }, details);
}

async function fillDraw(d, body) {
  if (d.status === 'scheduled') {
    return append(body, [el('p', { class: 'notice' }, '本期参与清单尚未冻结；登记截止后将公布参与清单摘要与密钥哈希（承诺）。')]);
  }
  const status = el('p', { class: 'notice', role: 'status' }, '正在加载…');
  body.appendChild(status);
  let detail;
  try {
    detail = await api(`draws/${encodeURIComponent(d.id)}`);
  } catch (e) {
    status.textContent = errorText(e);
    return;
  }
  status.remove();
  if (detail.summary) body.appendChild(resultSummary(detail));
  if (detail.status === 'published') body.appendChild(winnersPanel(detail));
  else if (detail.summary) body.appendChild(el('p', { class: 'notice' }, '本期已开奖，中奖名单审核后公布；公布时一并公开密钥、信标、种子与审计包。'));
  if (detail.commitment) {
    body.appendChild(chartPanel(detail));
    if (!$('audit')) body.appendChild(auditPanel(detail)); // a draw's own page has it server-rendered
  }
}

function resultSummary(detail) {
  const s = detail.summary;
  return el('div', { class: 'panel' },
    el('h4', { class: 'visually-hidden' }, '开奖结果概要'),
    el('table', { class: 'stack' },
      el('caption', {}, `本期共抽出 ${count(s.winners)} 名中奖者、${count(s.alternates)} 名候补，奖金合计 ${yuan(s.totalPrizeCents)}`),
      el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, '奖级'), el('th', { scope: 'col', class: 'num' }, '中奖人数'), el('th', { scope: 'col', class: 'num' }, '奖金（每名）'))),
      el('tbody', {}, s.tiers.map((t) => el('tr', {},
        el('td', { 'data-label': '奖级' }, t.name),
        el('td', { 'data-label': '中奖人数', class: 'num' }, t.winners < t.count ? `${count(t.winners)}（设 ${count(t.count)}）` : count(t.winners)),
        el('td', { 'data-label': '奖金', class: 'num' }, yuan(t.prizeCents)))))));
}

// ---- winners --------------------------------------------------------------------------------------

/**
 * What the winner search accepts (the API checks the same and answers 400 SEARCH_QUERY_INVALID
 * otherwise): null when the text is fine, else the reason to show.
 */
function searchProblem(text) {
  const q = text.normalize('NFKC').trim();
  if (q === '' || /^\**\d{4}$/.test(q) || /^[0-9a-f]{6,64}$/i.test(q.replace(/(?:…|\.{3})$/, ''))) return null;
  if (/^\d{1,5}$/.test(q)) return '请输入发票号码的后 4 位数字。';
  if (/^\p{Script=Han}+$/u.test(q)) return Array.from(q).length <= 5 ? null : '只能按姓氏或开票城市搜索，不能按姓名搜索。';
  return '请输入发票号码后 4 位、参与编号（至少 6 位）、姓氏或开票城市。';
}

function winnersPanel(detail) {
  const id = detail.id;
  const uid = id.replace(/[^a-z0-9-]/gi, '');
  const state = { tier: '', q: '', page: 1, pageSize: 20 };
  let sequence = 0;
  const select = el('select', { id: `tier-${uid}` },
    el('option', { value: '' }, '全部奖级'),
    detail.tiers.map((t) => el('option', { value: String(t.tier) }, t.name)));
  const search = el('input', {
    id: `search-${uid}`, type: 'search', name: 'q', maxlength: '64', autocomplete: 'off', spellcheck: 'false', enterkeyhint: 'search',
    placeholder: '如 5678、郑州市、张', 'aria-describedby': `search-hint-${uid}`,
  });
  const searchForm = el('form', { class: 'search', role: 'search', novalidate: true },
    el('label', { for: `search-${uid}` }, '搜索中奖名单'),
    el('div', { class: 'search-row' },
      search,
      el('button', { type: 'submit' }, '搜索'),
      el('button', { type: 'button', class: 'secondary', onclick: () => { search.value = ''; run(''); } }, '清除')),
    el('p', { id: `search-hint-${uid}`, class: 'hint' }, '可按发票号码后 4 位、参与编号（ref，至少前 6 位）、开票城市或姓氏搜索；不支持按完整姓名或手机号搜索。'));
  const tbody = el('tbody');
  const info = el('span', { 'aria-live': 'polite' });
  const prev = el('button', { type: 'button', class: 'secondary' }, '上一页');
  const next = el('button', { type: 'button', class: 'secondary' }, '下一页');
  const message = el('p', { class: 'notice', role: 'status' });
  const table = el('table', { class: 'stack winners' },
    el('caption', {}, '中奖名单（姓名、发票号码已脱敏）'),
    el('thead', {}, el('tr', {},
      ['奖级', '姓名', '发票号码', '开票地', '注数', '领奖状态', '参与编号（ref）'].map((h) => el('th', { scope: 'col' }, h)))),
    tbody);

  async function load() {
    const mine = ++sequence;
    prev.disabled = next.disabled = true;
    message.classList.remove('error');
    message.textContent = '正在加载…';
    let data;
    try {
      const q = new URLSearchParams({ page: String(state.page), pageSize: String(state.pageSize) });
      if (state.tier) q.set('tier', state.tier);
      if (state.q) q.set('q', state.q);
      data = await api(`draws/${encodeURIComponent(id)}/winners?${q}`);
    } catch (e) {
      if (mine !== sequence) return;
      if (e.code === 'SEARCH_QUERY_INVALID') clear(tbody);
      message.classList.add('error');
      message.textContent = e.code === 'SEARCH_QUERY_INVALID'
        ? `无法搜索：${searchProblem(state.q) || '只能按发票号码后 4 位、参与编号、姓氏（1–2 个字）或开票城市（如“郑州市”）搜索，不能按完整姓名搜索。'}`
        : errorText(e);
      info.textContent = '';
      prev.disabled = state.page <= 1;
      return;
    }
    if (mine !== sequence) return; // a newer search or page was asked for meanwhile
    clear(tbody);
    for (const w of data.items) {
      const claim = CLAIM[w.claimStatus] || w.claimStatus;
      const passed = w.alternateRank ? `${PASSED[w.passedOnBecause] || '原中奖者未领'}，由候补第 ${w.alternateRank} 名递补；` : '';
      tbody.appendChild(el('tr', {},
        el('td', { 'data-label': '奖级' }, `${w.tierName} · ${yuan(w.prizeCents)}`),
        el('td', { 'data-label': '姓名', class: 'name' }, w.name),
        el('td', { 'data-label': '发票号码' }, w.invoiceNumber),
        el('td', { 'data-label': '开票地' }, w.city || '—'),
        el('td', { 'data-label': '注数', class: 'num' }, count(w.tickets)),
        el('td', { 'data-label': '领奖状态', class: `status-${w.claimStatus}` }, passed + claim),
        el('td', { 'data-label': '参与编号' }, el('code', { class: 'hash', title: w.ref }, `${w.ref.slice(0, 16)}…`))));
    }
    const pages = Math.max(1, Math.ceil(data.total / data.pageSize));
    const found = state.q ? `“${state.q}”的搜索结果：` : '';
    info.textContent = `${found}共 ${count(data.total)} 名 · 第 ${data.page} / ${pages} 页`;
    // 6+ digits are read as the start of a ref; someone who typed a whole invoice number wants the check form.
    const wholeNumber = /^(\d{8}|\d{20})$/.test(state.q) ? '按完整发票号码查询请使用上方的“查询我的发票是否中奖”；这里只能按发票号码后 4 位搜索。' : '';
    message.textContent = data.items.length
      ? ''
      : state.q ? `没有找到与“${state.q}”匹配的中奖记录。${wholeNumber}` : '没有符合条件的中奖记录。';
    prev.disabled = state.page <= 1;
    next.disabled = state.page >= pages;
  }
  function run(text) {
    const problem = searchProblem(text);
    if (problem) {
      sequence += 1; // drop any answer still on its way
      clear(tbody);
      info.textContent = '';
      message.classList.add('error');
      message.textContent = `无法搜索：${problem}`;
      prev.disabled = next.disabled = true;
      return;
    }
    state.q = text.normalize('NFKC').trim();
    state.page = 1;
    load();
  }
  searchForm.addEventListener('submit', (event) => {
    event.preventDefault();
    run(search.value);
  });
  // The clear button inside a search field (and emptying it) shows the whole list again.
  search.addEventListener('input', () => {
    if (search.value.trim() === '' && state.q !== '') run('');
  });
  select.addEventListener('change', () => {
    state.tier = select.value;
    state.page = 1;
    load();
  });
  prev.addEventListener('click', () => {
    state.page = Math.max(1, state.page - 1);
    load();
  });
  next.addEventListener('click', () => {
    state.page += 1;
    load();
  });
  load();
  return el('section', { class: 'panel', 'aria-label': '中奖名单' },
    el('h4', {}, '中奖名单'),
    el('div', { class: 'toolbar' }, el('label', { for: `tier-${uid}` }, '奖级筛选'), select),
    searchForm,
    table, message,
    el('div', { class: 'pager' }, prev, info, next));
}

// ---- chart ----------------------------------------------------------------------------------------

function chartPanel(detail) {
  const section = el('section', { class: 'panel chart', 'aria-label': '金额分段：注数占比与中奖占比' },
    el('h4', {}, '各金额段的注数占比与中奖占比'));
  const status = el('p', { class: 'notice' }, '正在加载…');
  section.appendChild(status);
  api(`draws/${encodeURIComponent(detail.id)}/bands`).then(
    (data) => {
      status.remove();
      append(section, [
        el('p', { class: 'hint' }, data.winners === null
          ? '公布中奖名单后将显示各金额段的中奖占比。'
          : '每注中奖机会相同：各金额段的中奖占比应与其注数占比大致相当，大额发票按比例多中，不会更多。'),
        fairnessChart(detail.id, data),
        bandsTable(data),
      ]);
    },
    (e) => {
      status.textContent = errorText(e);
    });
  return section;
}

/**
 * Ticket share against winner share per amount band, drawn by ECharts on a canvas in a container that
 * carries the chart's content as its accessible name (the same numbers are in the data table below it).
 * Every draw has equal chances per ticket, so the two bars of a band should be about equally long.
 * The container is placed at once; ECharts is fetched and draws only when it comes near the viewport.
 */
function fairnessChart(id, data) {
  const bands = data.bands;
  const withWinners = data.winners !== null;
  const description = bands.map((b) => `${b.label}：注数 ${pct(b.ticketShare)}${withWinners ? `，中奖 ${pct(b.winnerShare)}` : ''}`).join('；');
  const uid = id.replace(/[^a-z0-9-]/gi, '');
  const node = el('div', { class: `plot${withWinners ? '' : ' tickets-only'}`, id: `chart-${uid}`, role: 'img', 'aria-label': `各金额段的注数占比与中奖占比：${description}` });
  // The bar colours are the style sheet's (--tickets, --winners), so page and chart agree.
  const colour = (name) => getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  const series = [{ name: '注数占比', key: 'ticketShare', color: colour('--tickets') }];
  if (withWinners) series.push({ name: '中奖人数占比', key: 'winnerShare', color: colour('--winners') });
  const chart = { categories: bands.map((b) => b.label), series: series.map((x) => ({ name: x.name, color: x.color, data: bands.map((b) => b[x.key]) })), format: pct };
  whenShown(node, () =>
    chartModule().then(
      ({ drawFairnessChart }) => drawFairnessChart(node, chart),
      () => node.replaceWith(el('p', { class: 'notice error' }, '图表未能加载，请刷新页面重试；各金额段的数据见下表。'))));
  return node;
}

let loadingChart = null;
/** fairness-chart.js (ECharts), fetched once for all charts; after a failure the next chart tries again. */
function chartModule() {
  loadingChart ??= import('./fairness-chart.js').catch((e) => {
    loadingChart = null;
    throw e;
  });
  return loadingChart;
}

/** Calls `show` once when `node` comes within 200 px of the viewport (it has its size then). */
function whenShown(node, show) {
  if (typeof IntersectionObserver !== 'function') return queueMicrotask(show);
  const observer = new IntersectionObserver((seen) => {
    if (!seen.some((e) => e.isIntersecting)) return;
    observer.disconnect();
    show();
  }, { rootMargin: '200px 0px' });
  observer.observe(node);
}

function bandsTable(data) {
  const withWinners = data.winners !== null;
  const head = ['金额段（实付）', '发票数', '注数', '注数占比'].concat(withWinners ? ['中奖人数', '中奖占比', '奖金', '奖金占比'] : []);
  return el('details', { class: 'sub' },
    el('summary', {}, '查看数据表'),
    el('table', { class: 'stack' },
      el('thead', {}, el('tr', {}, head.map((h) => el('th', { scope: 'col' }, h)))),
      el('tbody', {}, data.bands.map((b) => el('tr', {},
        el('td', { 'data-label': head[0] }, b.label),
        el('td', { 'data-label': head[1], class: 'num' }, count(b.entries)),
        el('td', { 'data-label': head[2], class: 'num' }, count(b.tickets)),
        el('td', { 'data-label': head[3], class: 'num' }, pct(b.ticketShare)),
        withWinners ? [
          el('td', { 'data-label': head[4], class: 'num' }, count(b.winners)),
          el('td', { 'data-label': head[5], class: 'num' }, pct(b.winnerShare)),
          el('td', { 'data-label': head[6], class: 'num' }, yuan(b.prizeCents)),
          el('td', { 'data-label': head[7], class: 'num' }, pct(b.prizeShare)),
        ] : null)))));
}

// ---- audit ----------------------------------------------------------------------------------------

function auditPanel(detail) {
  const c = detail.commitment;
  const r = detail.reveal;
  const base = `${API}draws/${encodeURIComponent(detail.id)}`;
  const entriesUrl = absolute(`${base}/entries`);
  const auditUrl = absolute(`${base}/audit`);
  const row = (label, value) => [el('dt', {}, label), el('dd', {}, el('code', { class: 'hash' }, value))];
  return el('section', { class: 'panel', 'aria-label': '审计与验证' },
    el('details', { class: 'sub' },
      el('summary', {}, '审计与验证（ILD-1）'),
      el('p', {}, r
        ? '开奖前公布的承诺（参与清单摘要、密钥哈希）与公布中奖名单时公开的密钥、信标、种子如下。下载参与清单和审计包，即可独立重算全部中奖结果。'
        : detail.summary
          ? '本期已开奖。以下承诺在开奖前公布；密钥、信标、种子与审计包将在公布中奖名单时公开。'
          : '本期参与清单已冻结。以下承诺在开奖前公布；密钥、信标、种子与审计包将在公布中奖名单时公开。'),
      el('dl', { class: 'facts' },
        row('算法', c.algorithm),
        row('参与发票数', count(c.entryCount)),
        row('总注数', count(c.totalTickets)),
        row('参与清单摘要（SHA-256）', c.entriesDigest),
        row('密钥哈希（SHA-256）', c.secretHash),
        r ? [row('密钥', r.secret), row('公开随机信标', r.beacon === '' ? '（未使用）' : r.beacon), row('种子', r.seed)] : null),
      el('ul', { class: 'downloads' },
        el('li', {}, el('a', { href: entriesUrl, download: `${detail.id}-entries.csv` }, '下载参与清单（CSV）')),
        r ? el('li', {}, el('a', { href: auditUrl, download: `${detail.id}-audit.json` }, '下载审计包（JSON）')) : null),
      el('p', {}, '核对参与清单摘要：'),
      el('pre', {}, el('code', {}, `curl -s ${entriesUrl} | sha256sum`)),
      r ? [
        el('p', {}, '用本项目的验证程序重算开奖（输出 MATCH 即一致）：'),
        el('pre', {}, el('code', {}, `npm run build\nnpm run verify -- --bundle ${auditUrl} --entries ${entriesUrl}`)),
      ] : null));
}

// ---- check form -----------------------------------------------------------------------------------

function setupCheckForm() {
  const form = $('check-form');
  if (!form) return; // a draw's own page has no check form
  const out = $('check-result');
  const button = $('check-submit');
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const code = $('invoice-code').value.replace(/\s+/g, '');
    const number = $('invoice-number').value.replace(/\s+/g, '');
    const show = (cls, ...lines) => append(clear(out), [el('div', { class: `box ${cls}` }, lines.map((l) => el('p', {}, l)))]);
    if (!/^(\d{8}|\d{20})$/.test(number)) return show('error', '请填写 8 位发票号码（数电发票为 20 位）。');
    if (number.length === 8 && !/^(\d{10}|\d{12})$/.test(code)) return show('error', '请填写 10 位或 12 位发票代码。');
    if (number.length === 20 && code !== '') return show('error', '数电发票没有发票代码，请将发票代码留空。');
    button.disabled = true;
    show('', '正在查询…');
    try {
      const q = new URLSearchParams({ invoiceCode: code, invoiceNumber: number });
      const r = await api(`check?${q}`);
      const lines = [r.message];
      if (r.tickets !== null && r.outcome !== 'AWAITING_DRAW') lines.push(`注数：${count(r.tickets)}`);
      if (r.prize) lines.push(`奖项：${r.prize.tierName}（${yuan(r.prize.prizeCents)}）· ${CLAIM[r.prize.claimStatus] || r.prize.claimStatus}`);
      if (r.prize) lines.push('请在登记发票的手机应用中查看并领取奖金。');
      show(r.outcome === 'WON' ? 'won' : '', ...lines);
    } catch (e) {
      show('error', e.status === 400 ? '发票代码或号码格式不正确。' : errorText(e));
    } finally {
      button.disabled = false;
    }
  });
}

main();

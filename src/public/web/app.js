// Public page of the invoice lottery: plain DOM, no libraries, no external resources.
// Every piece of data is inserted as text (createTextNode / textContent), never as HTML.
'use strict';

(function () {
  const API = 'api/v1/public/';
  const SVG_NS = 'http://www.w3.org/2000/svg';

  const STATUS = {
    scheduled: '未开奖',
    frozen: '已截止，待开奖',
    drawn: '已开奖，待公布名单',
    published: '已公布',
    failed: '处理中断，待重试',
  };
  const CLAIM = { unclaimed: '待领奖', claimed: '已领奖', forfeited: '逾期未领，已作废', revoked: '资格已撤销' };
  const PASSED = { forfeited: '原中奖者逾期未领', revoked: '原中奖者资格撤销' };

  // ---- small helpers --------------------------------------------------------------------------------

  /** el('p', {class: 'x'}, 'text', child): children that are strings become text nodes. */
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k === 'class') node.className = v;
      else if (k === 'text') node.textContent = v;
      else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v === true ? '' : String(v));
    }
    append(node, children);
    return node;
  }
  function svg(tag, attrs, text) {
    const node = document.createElementNS(SVG_NS, tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, String(v));
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function append(node, children) {
    for (const c of children.flat(Infinity)) {
      if (c === null || c === undefined || c === false) continue;
      node.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
    }
    return node;
  }
  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
    return node;
  }
  const $ = (id) => document.getElementById(id);

  function yuan(cents) {
    const n = Math.round(Number(cents));
    const sign = n < 0 ? '-' : '';
    const abs = Math.abs(n);
    const int = String(Math.floor(abs / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
    return `${sign}¥${int}.${String(abs % 100).padStart(2, '0')}`;
  }
  const count = (n) => (n === null || n === undefined ? '—' : Number(n).toLocaleString('zh-CN'));
  const pct = (x) => `${(Number(x) * 100).toFixed(1)}%`;
  const dateTime = new Intl.DateTimeFormat('zh-CN', {
    timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false,
  });
  const when = (isoText) => (isoText ? `${dateTime.format(new Date(isoText))}（北京时间）` : '—');
  const periodLabel = (key) => {
    const m = /^(\d{4})-(\d{2})([ab]?)$/.exec(key);
    return m ? `${m[1]}年${Number(m[2])}月${m[3] === 'a' ? '上半月' : m[3] === 'b' ? '下半月' : ''}` : key;
  };
  // A draw's period, and its prize pool when its campaign has several (formatting.ts drawLabel).
  const drawLabel = (d) => (d.pool && d.pool.id !== 'main' ? `${periodLabel(d.period)} · ${d.pool.name}` : periodLabel(d.period));
  const absolute = (path) => new URL(path, document.baseURI).href;

  class ApiError extends Error {
    constructor(status, body) {
      super((body && body.message) || `HTTP ${status}`);
      this.status = status;
      this.code = body && body.code;
      this.retryAfter = body && body.retryAfterSeconds;
    }
  }

  async function api(path) {
    let res;
    try {
      res = await fetch(API + path, { headers: { accept: 'application/json' } });
    } catch (e) {
      throw new ApiError(0, { message: '网络连接失败，请稍后再试。' });
    }
    const body = await res.json().catch(() => null);
    if (!res.ok) throw new ApiError(res.status, body);
    return body;
  }

  function errorText(e) {
    if (e.status === 429) return `请求过于频繁，请${e.retryAfter ? ` ${e.retryAfter} 秒后` : '稍后'}再试。`;
    if (e.status === 0) return e.message;
    if (e.status >= 500) return '服务暂时不可用，请稍后再试。';
    return `无法加载（${e.code || e.status}）。`;
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
    $('campaign-meta').textContent = `活动时间 ${c.startDate} 至 ${c.endDate}，按月开奖，共 ${c.periodCount} 期`;
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
      el('table', { class: 'stack' },
        el('caption', {}, '每期奖项'),
        el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, '奖级'), el('th', { scope: 'col', class: 'num' }, '名额'), el('th', { scope: 'col', class: 'num' }, '奖金（每名）'))),
        el('tbody', {}, c.tiers.map((t) => el('tr', {},
          el('td', { 'data-label': '奖级' }, t.name),
          el('td', { 'data-label': '名额', class: 'num' }, count(t.count)),
          el('td', { 'data-label': '奖金', class: 'num' }, yuan(t.prizeCents)))))),
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
          el('ul', { class: 'legend' },
            el('li', {}, el('span', { class: 'swatch tickets', 'aria-hidden': 'true' }), '注数占比'),
            data.winners === null ? null : el('li', {}, el('span', { class: 'swatch winners', 'aria-hidden': 'true' }), '中奖人数占比')),
          barChart(detail.id, data),
          bandsTable(data),
        ]);
      },
      (e) => {
        status.textContent = errorText(e);
      });
    return section;
  }

  function barChart(id, data) {
    const bands = data.bands;
    const withWinners = data.winners !== null;
    const labelW = 96, barMax = 420, valueW = 56, rowH = withWinners ? 40 : 24, top = 8;
    const width = labelW + barMax + valueW;
    const height = top * 2 + rowH * bands.length;
    const maxShare = Math.max(0.0001, ...bands.map((b) => Math.max(b.ticketShare, b.winnerShare || 0)));
    const scale = (x) => (x / maxShare) * barMax;
    const uid = id.replace(/[^a-z0-9-]/gi, '');
    const root = svg('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-labelledby': `chart-title-${uid} chart-desc-${uid}` });
    root.appendChild(svg('title', { id: `chart-title-${uid}` }, '各金额段的注数占比与中奖占比'));
    const desc = bands.map((b) => `${b.label}：注数 ${pct(b.ticketShare)}${withWinners ? `，中奖 ${pct(b.winnerShare)}` : ''}`).join('；');
    root.appendChild(svg('desc', { id: `chart-desc-${uid}` }, desc));
    root.appendChild(svg('line', { x1: labelW, y1: top, x2: labelW, y2: height - top, class: 'axis' }));
    bands.forEach((b, i) => {
      const y = top + i * rowH;
      const barH = withWinners ? 14 : 16;
      root.appendChild(svg('text', { x: labelW - 6, y: y + rowH / 2 + 4, 'text-anchor': 'end' }, b.label));
      root.appendChild(svg('rect', { x: labelW, y: y + 3, width: scale(b.ticketShare).toFixed(1), height: barH, class: 'bar-tickets' }));
      root.appendChild(svg('text', { x: labelW + scale(b.ticketShare) + 4, y: y + 3 + barH - 3 }, pct(b.ticketShare)));
      if (withWinners) {
        root.appendChild(svg('rect', { x: labelW, y: y + 4 + barH, width: scale(b.winnerShare).toFixed(1), height: barH, class: 'bar-winners' }));
        root.appendChild(svg('text', { x: labelW + scale(b.winnerShare) + 4, y: y + 4 + barH * 2 - 3 }, pct(b.winnerShare)));
      }
    });
    return root;
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
})();

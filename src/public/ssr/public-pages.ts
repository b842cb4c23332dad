import type { CampaignDto, DrawDetailDto, DrawSummaryDto, WinnersPageDto } from '../dto/public.dto.js';
import { html, type SafeHtml } from '../../web-shared/escape.js';
import { beijingTime, CLAIM_STATUS_TEXT, count, drawLabel, DRAW_STATUS_TEXT, periodRuleText, prizeTables, yuan } from '../../web-shared/formatting.js';

/**
 * The server-rendered public pages (zh-CN): `/` and `/draws/<id>`. They carry the campaign, every draw with
 * its status and times, and for a published draw its tiers, its first page of winners and (per-draw page)
 * its commitment and reveal, so they work without JavaScript, on a slow phone while the script loads and
 * for search engines. Every value is escaped (html``); there is no inline script. app.js then enhances
 * them (search, paging, the chart) and verify.js adds 在浏览器中验证.
 */

/** What the pages are rendered from: the public API's own (cached) answers. */
export interface PageData {
  /** Path of PUBLIC_BASE_URL ('' at the root): <base href> so relative links work on /draws/<id> too. */
  basePath: string;
  campaign: CampaignDto | null;
  campaigns: CampaignDto[];
  draws: DrawSummaryDto[];
  /** Published draws' first page of winners, by draw id. */
  winners: Map<string, WinnersPageDto>;
  /** The chunks app.js imports (dist/web/public/preload.json): fetched alongside it by <link rel="modulepreload">. */
  preload: string[];
  /** The campaign's instant-draw days (即开即奖), newest first; empty or absent for a campaign without them. */
  instantDays?: InstantDaySummary[];
}

/** An instant-draw day as the home page lists it. */
export interface InstantDaySummary {
  dayId: string;
  date: string;
  status: string;
  entryCount: number;
  secretHash: string;
}

const INSTANT_STATUS_TEXT: Record<string, string> = { committed: '已承诺，未开始', open: '进行中', closed: '已结束，待公布', published: '已公布' };

/** 即开即奖: each day's commitment (before it opens), and its log and bundle once published, with the command that checks them. */
function instantDaysSection(days: InstantDaySummary[]): SafeHtml {
  const api = (d: InstantDaySummary) => `api/v1/public/instant-days/${encodeURIComponent(d.dayId)}`;
  return html`
    <section id="instant-days" class="card" aria-labelledby="instant-title">
      <h2 id="instant-title">即开即奖（每日公开验证）</h2>
      <p>每天开始前公布当天的承诺（密钥哈希、各档中奖概率与预算）；当天结束后公布按登记顺序排列的抽奖记录和密钥，任何人都可以重算每一笔结果（公开算法 ILI-1）。</p>
      <table class="stack">
        <thead><tr><th scope="col">日期</th><th scope="col">状态</th><th scope="col" class="num">参与笔数</th><th scope="col">密钥哈希（SHA-256）</th><th scope="col">公开文件</th></tr></thead>
        <tbody>${days.map(
          (d) => html`<tr><td data-label="日期">${d.date}</td><td data-label="状态">${INSTANT_STATUS_TEXT[d.status] ?? d.status}</td><td data-label="参与笔数" class="num">${count(d.entryCount)}</td><td data-label="密钥哈希"><code class="hash">${d.secretHash}</code></td><td data-label="公开文件"><a href="${api(d)}/commitment">承诺</a>${
            d.status === 'published' ? html` · <a href="${api(d)}/log" download="${d.dayId}-log.csv">抽奖记录</a> · <a href="${api(d)}/bundle">公布包</a> · <a href="instant-days/${d.dayId}">在浏览器中验证</a>` : ''
          }</td></tr>`,
        )}</tbody>
      </table>
      <p>验证某一天（输出 MATCH 即一致）：</p><pre><code>npm run verify -- --instant-day api/v1/public/instant-days/&lt;日期编号&gt;/bundle --log …/log --commitment …/commitment</code></pre>
    </section>`;
}

export interface DrawPageData extends PageData {
  detail: DrawDetailDto;
}

function layout(data: PageData, title: string, main: SafeHtml, scripts: string[], bodyAttrs: SafeHtml = html``): string {
  const c = data.campaign;
  return `<!doctype html>\n${html`<html lang="zh-CN">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <meta name="description" content="有奖发票活动各期开奖结果、中奖名单查询与开奖过程公开验证">
  <base href="${data.basePath}/">
  <title>${title}</title>
  <link rel="icon" href="data:,">
  <link rel="stylesheet" href="app.css">
  <link rel="alternate" type="application/atom+xml" title="开奖公告（Atom 订阅）" href="api/v1/public/feed.atom">
  ${scripts.map((s) => html`<script type="module" src="${s}"></script>`)}
  ${data.preload.map((p) => html`<link rel="modulepreload" href="${p}">`)}
</head>
<body${bodyAttrs}>
  <a class="skip" href="#main">跳到主要内容</a>
  <header class="site">
    <div class="wrap">
      <p class="kicker"><a href="./">开奖公告</a></p>
      <h1 id="campaign-name">${c ? c.name : '有奖发票开奖公告'}</h1>
      <p id="campaign-meta" class="meta">${c ? `活动时间 ${c.startDate} 至 ${c.endDate}，${periodRuleText(c.periodRule)}，共 ${c.periodCount} 期` : ''}</p>
      <nav id="campaign-nav" aria-label="其他活动"${data.campaigns.length > 1 ? html`` : html` hidden`}>${
        data.campaigns.length > 1
          ? html`<ul>${data.campaigns.map((x) => html`<li><a href="?campaign=${x.id}"${x.id === c?.id ? html` aria-current="page"` : html``}>${x.name}</a></li>`)}</ul>`
          : ''
      }</nav>
    </div>
  </header>

  <main id="main" class="wrap" tabindex="-1">
    <p id="page-status" class="notice" role="status" aria-live="polite"${c ? html` hidden` : html``}>${c ? '' : '暂无活动。'}</p>
${main}
  </main>

  <footer class="site">
    <div class="wrap">
      <p>开奖采用公开算法 ILD-1：冻结时公布参与清单摘要与密钥哈希（承诺），公布中奖名单时公开密钥、随机信标、种子与审计包，任何人都可以用公开数据重算中奖结果。</p>
      <p><a href="api/v1/public/feed.atom">开奖公告订阅（Atom）</a> · <a href="api/docs">公开数据接口说明</a></p>
    </div>
  </footer>
  <noscript><p class="wrap notice">未启用 JavaScript：开奖结果与第一页中奖名单照常显示；搜索、翻页、图表与在浏览器中验证需要 JavaScript。</p></noscript>
</body>
</html>
`}`;
}

const CHECK_FORM = html`
    <section id="check" class="card" aria-labelledby="check-title">
      <h2 id="check-title">查询我的发票是否中奖</h2>
      <form id="check-form" action="api/v1/public/check" method="get" novalidate>
        <div class="fields">
          <div class="field">
            <label for="invoice-code">发票代码</label>
            <input id="invoice-code" name="invoiceCode" type="text" inputmode="numeric" autocomplete="off" maxlength="12" aria-describedby="invoice-code-hint">
            <p id="invoice-code-hint" class="hint">10 位或 12 位数字；数电发票（全面数字化的电子发票）不填</p>
          </div>
          <div class="field">
            <label for="invoice-number">发票号码</label>
            <input id="invoice-number" name="invoiceNumber" type="text" inputmode="numeric" autocomplete="off" maxlength="20" required aria-describedby="invoice-number-hint">
            <p id="invoice-number-hint" class="hint">8 位数字；数电发票为 20 位</p>
          </div>
        </div>
        <button type="submit" id="check-submit">查询</button>
      </form>
      <div id="check-result" class="result" role="status" aria-live="polite"></div>
      <p class="hint">查询结果只说明该发票是否参加抽奖、注数和是否中奖，不显示登记人的任何信息。</p>
    </section>`;

function tiersTable(caption: string, tiers: CampaignDto['tiers']): SafeHtml {
  return html`<table class="stack">
          <caption>${caption}</caption>
          <thead><tr><th scope="col">奖级</th><th scope="col" class="num">名额</th><th scope="col" class="num">奖金（每名）</th></tr></thead>
          <tbody>${tiers.map((t) => html`<tr><td data-label="奖级">${t.name}</td><td data-label="名额" class="num">${count(t.count)}</td><td data-label="奖金" class="num">${yuan(t.prizeCents)}</td></tr>`)}</tbody>
        </table>`;
}

function rules(c: CampaignDto): SafeHtml {
  // A campaign with periodic pools by band (2026 pilots) draws each period once per pool: one table each.
  const tables = prizeTables(c).map((t) => tiersTable(t.caption, t.tiers));
  return html`
    <section id="rules" class="card" aria-labelledby="rules-title">
      <h2 id="rules-title">活动规则</h2>
      <div id="rules-body">
        ${tables}
        <ul>
          <li>每张发票按实付金额每 ${yuan(c.ticketUnitCents)} 计 1 注，单张最多 ${count(c.ticketCap)} 注；金额越大中奖机会按比例越大。</li>
          <li>${c.winLimitPerHolder > 0 ? `同一期每人最多中奖 ${c.winLimitPerHolder} 次。` : '同一期中奖次数不限。'}</li>
          <li>每期另抽 ${count(c.alternateCount)} 名候补：中奖者 ${c.claimWindowDays} 天内未领奖或资格撤销时，奖项依次转给候补。</li>
          <li>奖金超过 ¥800 的按偶然所得代扣 20% 个人所得税。</li>
        </ul>
      </div>
    </section>`;
}

function drawFacts(d: DrawSummaryDto): SafeHtml {
  return html`<dl class="facts">
          <dt>发票开具日期</dt><dd>${d.periodStart} 至 ${d.periodEnd}</dd>
          <dt>登记截止</dt><dd>${beijingTime(d.freezeAt)}</dd>
          <dt>开奖时间</dt><dd>${beijingTime(d.drawnAt ?? d.drawAt)}</dd>
          ${d.publishedAt ? html`<dt>公布时间</dt><dd>${beijingTime(d.publishedAt)}</dd>` : ''}
          ${d.entryCount !== null ? html`<dt>参与发票</dt><dd>${count(d.entryCount)} 张，共 ${count(d.totalTickets)} 注</dd>` : ''}
        </dl>`;
}

function winnersTable(page: WinnersPageDto, drawId: string): SafeHtml {
  const pages = Math.max(1, Math.ceil(page.total / page.pageSize));
  return html`<section class="panel" aria-label="中奖名单">
          <h4>中奖名单</h4>
          <table class="stack winners">
            <caption>中奖名单（姓名、发票号码已脱敏）</caption>
            <thead><tr>${['奖级', '姓名', '发票号码', '开票地', '注数', '领奖状态', '参与编号（ref）'].map((h) => html`<th scope="col">${h}</th>`)}</tr></thead>
            <tbody>${page.items.map(
              (w) => html`<tr><td data-label="奖级">${w.tierName} · ${yuan(w.prizeCents)}</td><td data-label="姓名" class="name">${w.name}</td><td data-label="发票号码">${w.invoiceNumber}</td><td data-label="开票地">${w.city ?? '—'}</td><td data-label="注数" class="num">${count(w.tickets)}</td><td data-label="领奖状态" class="status-${w.claimStatus}">${w.alternateRank ? `由候补第 ${w.alternateRank} 名递补；` : ''}${CLAIM_STATUS_TEXT[w.claimStatus] ?? w.claimStatus}</td><td data-label="参与编号"><code class="hash" title="${w.ref}">${w.ref.slice(0, 16)}…</code></td></tr>`,
            )}</tbody>
          </table>
          <p class="hint">共 ${count(page.total)} 名 · 第 1 / ${pages} 页${pages > 1 ? html`（其余各页见 <a href="api/v1/public/draws/${drawId}/winners?page=2">公开数据接口</a>，或启用 JavaScript 翻页、搜索）` : ''}</p>
        </section>`;
}

function resultSummary(d: DrawDetailDto): SafeHtml {
  const s = d.summary!;
  return html`<div class="panel">
          <table class="stack">
            <caption>本期共抽出 ${count(s.winners)} 名中奖者、${count(s.alternates)} 名候补，奖金合计 ${yuan(s.totalPrizeCents)}</caption>
            <thead><tr><th scope="col">奖级</th><th scope="col" class="num">中奖人数</th><th scope="col" class="num">奖金（每名）</th></tr></thead>
            <tbody>${s.tiers.map((t) => html`<tr><td data-label="奖级">${t.name}</td><td data-label="中奖人数" class="num">${t.winners < t.count ? `${count(t.winners)}（设 ${count(t.count)}）` : count(t.winners)}</td><td data-label="奖金" class="num">${yuan(t.prizeCents)}</td></tr>`)}</tbody>
          </table>
        </div>`;
}

function tiersList(d: DrawSummaryDto): SafeHtml {
  return html`<p class="tiers">奖项：${d.tiers.map((t, i) => html`${i ? '；' : ''}${t.name} ${count(t.count)} 名（每名 ${yuan(t.prizeCents)}）`)}</p>`;
}

function drawArticle(d: DrawSummaryDto, winners: WinnersPageDto | undefined, open: boolean): SafeHtml {
  return html`
      <article class="draw" id="draw-${d.id}" aria-label="${drawLabel(d)}期开奖">
        <details${open ? html` open` : html``}>
          <summary><h3>${drawLabel(d)}期</h3><span class="badge ${d.status}">${DRAW_STATUS_TEXT[d.status] ?? d.status}</span></summary>
          <div class="body">
        ${drawFacts(d)}
        ${d.status === 'published' ? tiersList(d) : ''}
        ${winners ? winnersTable(winners, d.id) : ''}
        <p><a class="permalink" href="draws/${d.id}">本期详情${d.status === 'published' ? '与在浏览器中验证' : ''}</a></p>
          </div>
        </details>
      </article>`;
}

/** `/`: the campaign, its rules and every draw (newest first), published ones with their first page of winners. */
export function renderHomePage(data: PageData): string {
  const c = data.campaign;
  const published = data.draws.filter((d) => d.status === 'published');
  const latest = published.length ? published[published.length - 1].id : null;
  const main = html`${CHECK_FORM}
${c ? rules(c) : ''}
    <section id="draws-section" aria-labelledby="draws-title">
      <h2 id="draws-title">各期开奖</h2>
      <div id="draws">${data.draws.length ? data.draws.slice().reverse().map((d) => drawArticle(d, data.winners.get(d.id), d.id === latest)) : html`<p class="notice">暂无开奖安排。</p>`}</div>
    </section>
${data.instantDays?.length ? instantDaysSection(data.instantDays) : ''}`;
  return layout(data, c ? `${c.name} · 开奖公告` : '有奖发票开奖公告', main, ['app.js'], c ? html` data-campaign-id="${c.id}"` : html``);
}

/** `/draws/<id>`: one draw with its commitment, reveal and downloads, and 在浏览器中验证 when published. */
export function renderDrawPage(data: DrawPageData): string {
  const d = data.detail;
  const c = d.commitment;
  const r = d.reveal;
  const api = `api/v1/public/draws/${encodeURIComponent(d.id)}`;
  const row = (label: string, value: string) => html`<dt>${label}</dt><dd><code class="hash">${value}</code></dd>`;
  const audit = c
    ? html`
    <section id="audit" class="card" aria-labelledby="audit-title">
      <h2 id="audit-title">审计与验证（ILD-1）</h2>
      <dl class="facts">
        ${row('算法', c.algorithm)}${row('参与发票数', count(c.entryCount))}${row('总注数', count(c.totalTickets))}
        ${row('参与清单摘要（SHA-256）', c.entriesDigest)}${row('密钥哈希（SHA-256）', c.secretHash)}
        ${r ? html`${row('密钥', r.secret)}${row('公开随机信标', r.beacon === '' ? '（未使用）' : r.beacon)}${row('种子', r.seed)}` : ''}
      </dl>
      <ul class="downloads">
        <li><a href="${api}/entries" download="${d.id}-entries.csv">下载参与清单（CSV）</a></li>
        ${r ? html`<li><a href="${api}/audit" download="${d.id}-audit.json">下载审计包（JSON）</a></li>` : ''}
      </ul>
      ${r ? html`<p>用本项目的验证程序重算开奖（输出 MATCH 即一致）：</p><pre><code>npm run verify -- --bundle ${api}/audit --entries ${api}/entries</code></pre>` : ''}
    </section>`
    : '';
  const verify =
    d.status === 'published'
      ? html`
    <section id="verify" class="card" aria-labelledby="verify-title" hidden data-bundle-url="${api}/audit" data-entries-url="${api}/entries" data-worker-url="verify-worker.js">
      <h2 id="verify-title">在浏览器中验证</h2>
      <p>在您的浏览器中下载本期参与清单与审计包，用与开奖程序相同的 ILD-1 代码重算摘要、密钥哈希、种子和全部中奖与候补，并与公布结果逐项比对。计算在本机进行，不上传任何数据。</p>
      <p><button type="button" id="verify-start">在浏览器中验证</button></p>
      <details class="sub">
        <summary>验证自己下载的文件（不必信任本网站）</summary>
        <div class="fields">
          <div class="field"><label for="verify-bundle-file">审计包（JSON）</label><input id="verify-bundle-file" type="file" accept=".json,application/json"></div>
          <div class="field"><label for="verify-entries-file">参与清单（CSV）</label><input id="verify-entries-file" type="file" accept=".csv,text/csv"></div>
        </div>
        <p><button type="button" id="verify-files" class="secondary">验证所选文件</button></p>
      </details>
      <progress id="verify-bar" max="1" hidden></progress>
      <p id="verify-status" class="notice" role="status" aria-live="polite"></p>
      <div id="verify-result" aria-live="polite"></div>
    </section>`
      : '';
  const main = html`
    <p><a href="./">← 返回全部各期</a></p>
    <section id="draws-section" aria-labelledby="draws-title">
      <h2 id="draws-title">${drawLabel(d)}期开奖</h2>
      <div id="draws">
      <article class="draw" id="draw-${d.id}" aria-label="${drawLabel(d)}期开奖">
        <details open>
          <summary><h3>${drawLabel(d)}期</h3><span class="badge ${d.status}">${DRAW_STATUS_TEXT[d.status] ?? d.status}</span></summary>
          <div class="body">
        ${drawFacts(d)}
        ${tiersList(d)}
        ${d.summary ? resultSummary(d) : ''}
        ${data.winners.get(d.id) ? winnersTable(data.winners.get(d.id)!, d.id) : ''}
          </div>
        </details>
      </article>
      </div>
    </section>
${audit}
${verify}`;
  const title = `${d.campaignName} ${drawLabel(d)}期开奖结果`;
  return layout(data, title, main, d.status === 'published' ? ['app.js', 'verify.js'] : ['app.js'], html` data-campaign-id="${d.campaignId}" data-draw-id="${d.id}"`);
}

/** `/instant-days/<dayId>`: one instant-draw day, its files and, once published, 在浏览器中验证 (ILI-1). */
export function renderInstantDayPage(data: PageData, day: InstantDaySummary & { campaignId: string; opensAt: string; closesAt: string; logDigest: string | null }): string {
  const api = `api/v1/public/instant-days/${encodeURIComponent(day.dayId)}`;
  const published = day.status === 'published';
  const main = html`
    <p><a href="./">← 返回</a></p>
    <section id="instant-day" class="card" aria-labelledby="instant-day-title">
      <h2 id="instant-day-title">即开即奖 ${day.date}</h2>
      <dl class="facts">
        <dt>状态</dt><dd>${INSTANT_STATUS_TEXT[day.status] ?? day.status}</dd>
        <dt>开始 / 结束</dt><dd>${beijingTime(day.opensAt)} 至 ${beijingTime(day.closesAt)}</dd>
        <dt>参与笔数</dt><dd>${count(day.entryCount)}</dd>
        <dt>密钥哈希（SHA-256，开始前公布）</dt><dd><code class="hash">${day.secretHash}</code></dd>
        ${day.logDigest ? html`<dt>抽奖记录摘要（SHA-256）</dt><dd><code class="hash">${day.logDigest}</code></dd>` : ''}
      </dl>
      <ul class="downloads">
        <li><a href="${api}/commitment">承诺（JSON）</a></li>
        ${published ? html`<li><a href="${api}/log" download="${day.dayId}-log.csv">抽奖记录（CSV）</a></li><li><a href="${api}/bundle">公布包（JSON，含密钥）</a></li>` : ''}
      </ul>
      ${published ? html`<p>用本项目的验证程序重算（输出 MATCH 即一致）：</p><pre><code>npm run verify -- --instant-day ${api}/bundle --log ${api}/log --commitment ${api}/commitment</code></pre>` : html`<p>当天结束后公布抽奖记录和密钥。</p>`}
    </section>
    ${
      published
        ? html`
    <section id="instant-verify" class="card" aria-labelledby="instant-verify-title" hidden data-commitment-url="${api}/commitment" data-bundle-url="${api}/bundle" data-log-url="${api}/log">
      <h2 id="instant-verify-title">在浏览器中验证</h2>
      <p>在您的浏览器中下载当天的承诺、公布包和抽奖记录，用与抽奖程序相同的 ILI-1 代码核对密钥哈希并重算每一笔结果和预算，与公布结果逐项比对。计算在本机进行。</p>
      <p><button type="button" id="instant-verify-start">在浏览器中验证</button></p>
      <p id="instant-verify-status" class="notice" role="status" aria-live="polite"></p>
      <div id="instant-verify-result" aria-live="polite"></div>
    </section>`
        : ''
    }`;
  return layout(data, `即开即奖 ${day.date}`, main, published ? ['verify.js'] : [], html` data-campaign-id="${day.campaignId}"`);
}

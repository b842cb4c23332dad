import { api } from '../../../web-shared/api-client.js';
import { el, show } from '../../../web-shared/dom.js';
import { errorText } from '../../../web-shared/errors.js';
import { count, drawLabel, when, yuan } from '../../../web-shared/formatting.js';
import { dataTable } from '../../../web-shared/table.js';
import { can, me, toast, toastError } from '../main.js';
import { badge, CLAIM, DRAW_STATUS, every, kv, PHASE, REQUEST_STATUS } from './common.js';

const AUDIT_ACTIONS = {
  'draw-requested': '提交开奖申请',
  'draw-request-approved': '批准开奖申请',
  'draw-request-rejected': '驳回开奖申请',
  'draw-retried': '重试',
  'payouts-downloaded': '下载兑付清单',
};

/**
 * One draw: status and live progress (polled every second until it is published), the two-person draw
 * request, the commitment, the result with the verification command, prizes, audit log, payouts CSV.
 */
export function drawView(main, drawId) {
  const base = `/api/v1/admin/draws/${encodeURIComponent(drawId)}`;
  const header = el('h1', { id: 'draw-title' }, drawId);
  const statusCard = el('section', { class: 'card', id: 'draw-status', 'aria-live': 'polite' });
  const requestsCard = el('section', { class: 'card', id: 'draw-requests' });
  const commitmentCard = el('section', { class: 'card', id: 'draw-commitment' });
  const resultCard = el('section', { class: 'card', id: 'draw-result', hidden: true });
  const prizesCard = el('section', { class: 'card', id: 'draw-prizes', hidden: true });
  const auditCard = el('section', { class: 'card', id: 'draw-audit' });
  show(main, el('p', {}, el('a', { href: '#/draws' }, '← 返回开奖管理')), header, statusCard, requestsCard, commitmentCard, resultCard, prizesCard, auditCard);

  let lastSignature = '';
  let resultShownFor = null;
  let draw = null;

  async function load() {
    try {
      draw = await api(base);
    } catch (error) {
      show(statusCard, el('p', { class: 'error' }, errorText(error)));
      return;
    }
    header.textContent = `${drawLabel(draw)} 开奖`;
    renderStatus();
    const signature = JSON.stringify([draw.status, draw.requests.map((r) => [r.id, r.status]), !!draw.commitment]);
    if (signature !== lastSignature) {
      lastSignature = signature;
      renderRequests();
      renderCommitment();
      void loadAudit();
    }
    if (draw.status === 'published' && resultShownFor !== draw.id) {
      resultShownFor = draw.id;
      void renderResult();
    }
  }

  function renderStatus() {
    const d = draw;
    const progress = d.progress
      ? el(
          'div',
          { id: 'draw-progress' },
          el('p', {}, `正在${PHASE[d.progress.phase] || d.progress.phase}：${count(d.progress.processed)} / ${count(d.progress.total)}`),
          el('progress', { max: Math.max(1, d.progress.total), value: d.progress.processed }),
        )
      : null;
    const failure = d.failure
      ? el(
          'div',
          { class: 'error', id: 'draw-failure' },
          el('p', {}, `失败（${PHASE[d.failure.phase] || d.failure.phase}）：${d.failure.reason}`),
          can('operator')
            ? el('button', { type: 'button', class: 'primary', id: 'draw-retry', onclick: () => act(`${base}/retry`, {}, '已重新排队') }, '重试')
            : el('p', { class: 'notice' }, '由操作员重试'),
        )
      : null;
    show(
      statusCard,
      el('h2', {}, '状态'),
      kv([
        ['状态', el('span', { id: 'draw-status-badge' }, badge(d.status, DRAW_STATUS))],
        ['统计期', `${d.periodStart} 至 ${d.periodEnd}`],
        ['截止时间', when(d.freezeAt)],
        ['计划开奖', when(d.drawAt)],
        ['已截止', when(d.frozenAt)],
        ['已开奖', when(d.drawnAt)],
        ['已公布', when(d.publishedAt)],
      ]),
      progress,
      failure,
      can('operator') && d.status === 'published'
        ? el('p', {}, el('a', { class: 'button', id: 'payouts-csv', href: `${base}/payouts.csv`, download: `payouts-${d.id}.csv` }, '下载兑付清单（CSV，下载会记入审计日志）'))
        : null,
    );
  }

  // The request whose reject (or withdraw) form is open: the reason is asked for inline, under its row.
  let rejecting = null;

  function rejectForm(r, own) {
    const reason = el('textarea', {
      id: 'reject-reason',
      name: 'reason',
      rows: 3,
      cols: 60,
      maxlength: 500,
      required: true,
      placeholder: own ? '撤回的原因' : '驳回的原因（申请人可见，记入审计日志）',
    });
    const form = el(
      'form',
      {
        class: 'inline',
        id: 'reject-form',
        'data-reject-form': r.id,
        onsubmit: (e) => {
          e.preventDefault();
          // Closed by the re-render that follows a success; a refusal keeps the text for correcting.
          void act(`${base}/draw-requests/${r.id}/reject`, { reason: reason.value }, own ? '已撤回' : '已驳回');
        },
      },
      el('div', {}, el('label', { for: 'reject-reason' }, own ? `撤回申请 #${r.id} 的理由（1–500 字）` : `驳回申请 #${r.id} 的理由（1–500 字）`), reason),
      el('button', { type: 'submit', class: 'danger', id: 'reject-confirm' }, own ? '确认撤回' : '确认驳回'),
      el('button', { type: 'button', id: 'reject-cancel', onclick: () => ((rejecting = null), renderRequests()) }, '取消'),
    );
    setTimeout(() => reason.focus(), 0);
    return el('tr', { class: 'reject-row' }, el('td', { colspan: 7 }, form));
  }

  function renderRequests() {
    const d = draw;
    const mine = me();
    const openReject = (id) => () => {
      rejecting = id;
      renderRequests();
    };
    const rows = d.requests.flatMap((r) => {
      const own = r.requestedBy && r.requestedBy.id === mine.id;
      const actions = [];
      if (r.status === 'pending') {
        if (can('auditor') && !own)
          actions.push(
            el('button', { type: 'button', class: 'primary', 'data-approve': r.id, onclick: () => act(`${base}/draw-requests/${r.id}/approve`, undefined, '已批准，开奖任务已排队') }, '批准'),
            el('button', { type: 'button', class: 'danger', 'data-reject': r.id, onclick: openReject(r.id) }, '驳回'),
          );
        if (own) actions.push(el('span', { class: 'notice' }, '本人提交，须由另一名审核员审批'), el('button', { type: 'button', 'data-withdraw': r.id, onclick: openReject(r.id) }, '撤回'));
      }
      const row = el(
        'tr',
        { 'data-request': r.id },
        el('td', {}, String(r.id)),
        el('td', {}, badge(r.status, REQUEST_STATUS)),
        el('td', { class: 'mono' }, r.beacon ?? '（无）'),
        el('td', {}, `${(r.requestedBy && r.requestedBy.username) || '—'} · ${when(r.requestedAt)}`),
        el('td', {}, r.decidedBy ? `${r.decidedBy.username || '—'} · ${when(r.decidedAt)}` : '—'),
        // Text only (el makes a text node): the reason is whatever the decider typed.
        el('td', { class: 'rejection-reason' }, r.status === 'rejected' && r.rejectionReason ? r.rejectionReason : '—'),
        el('td', {}, el('div', { class: 'actions' }, actions)),
      );
      return r.status === 'pending' && rejecting === r.id && actions.length ? [row, rejectForm(r, own)] : [row];
    });
    const form =
      can('operator') && d.status === 'frozen'
        ? (() => {
            const beacon = el('input', { id: 'beacon', name: 'beacon', maxlength: 200, size: 50, placeholder: '例如当天福彩开奖号码（可不填）' });
            return el(
              'form',
              {
                class: 'inline',
                id: 'request-form',
                onsubmit: (e) => {
                  e.preventDefault();
                  void act(`${base}/draw-requests`, beacon.value ? { beacon: beacon.value } : {}, '已提交开奖申请，等待审核员批准');
                },
              },
              el('div', {}, el('label', { for: 'beacon' }, '随机信标（公开、事后才可知的文字）'), beacon),
              el('button', { type: 'submit', class: 'primary' }, '申请开奖'),
            );
          })()
        : null;
    show(
      requestsCard,
      el('h2', {}, '双人开奖申请'),
      el('p', { class: 'notice' }, '操作员申请，另一名审核员对照下方承诺批准后才开奖。'),
      form,
      el(
        'table',
        { 'aria-label': '开奖申请' },
        el('thead', {}, el('tr', {}, ['编号', '状态', '随机信标', '申请人', '审批人', '驳回/撤回理由', '操作'].map((h) => el('th', {}, h)))),
        el('tbody', {}, rows.length ? rows : el('tr', {}, el('td', { colspan: 7, class: 'notice' }, '暂无申请'))),
      ),
    );
  }

  function renderCommitment() {
    const c = draw.commitment;
    show(
      commitmentCard,
      el('h2', {}, '承诺（截止时公布）'),
      c
        ? kv([
            ['参与发票数', count(c.entryCount)],
            ['总注数', count(c.totalTickets)],
            ['清单摘要', el('span', { class: 'mono', id: 'entries-digest' }, c.entriesDigest)],
            ['密钥哈希', el('span', { class: 'mono', id: 'secret-hash' }, c.secretHash)],
            ['算法', c.algorithm],
          ])
        : el('p', { class: 'notice' }, '尚未截止'),
    );
  }

  async function renderResult() {
    resultCard.hidden = false;
    prizesCard.hidden = false;
    show(resultCard, el('p', { class: 'notice' }, '正在加载开奖结果…'));
    try {
      const pub = await api(`/api/v1/public/draws/${encodeURIComponent(drawId)}`);
      const winners = [];
      for (let page = 1; ; page++) {
        const p = await api(`/api/v1/public/draws/${encodeURIComponent(drawId)}/winners?pageSize=100&page=${page}`);
        winners.push(...p.items);
        if (winners.length >= p.total || p.items.length === 0) break;
      }
      const origin = location.origin;
      const cmd = `npm run verify -- --bundle ${origin}/api/v1/public/draws/${drawId}/audit --entries ${origin}/api/v1/public/draws/${drawId}/entries`;
      const table = dataTable(
        [
          { key: 'tier', label: '奖级', render: (w) => w.tierName },
          { key: 'slot', label: '序号', num: true },
          { key: 'name', label: '中奖人' },
          { key: 'invoiceNumber', label: '发票号码' },
          { key: 'city', label: '城市', render: (w) => w.city || '—' },
          { key: 'tickets', label: '注数', num: true, render: (w) => count(w.tickets) },
          { key: 'prizeCents', label: '奖金', num: true, render: (w) => yuan(w.prizeCents) },
          { key: 'claimStatus', label: '领奖', render: (w) => badge(w.claimStatus, CLAIM) },
          { key: 'claimDeadline', label: '领奖截止', render: (w) => when(w.claimDeadline) },
        ],
        { pageSize: 20, label: '中奖名单' },
      );
      table.setRows(winners);
      show(
        resultCard,
        el('h2', {}, '开奖结果'),
        kv([
          ['随机信标', el('span', { class: 'mono', id: 'result-beacon' }, pub.reveal ? pub.reveal.beacon || '（无）' : '—')],
          ['密钥', el('span', { class: 'mono' }, pub.reveal ? pub.reveal.secret : '—')],
          ['种子', el('span', { class: 'mono', id: 'result-seed' }, pub.reveal ? pub.reveal.seed : '—')],
        ]),
        el('h2', {}, '各奖级'),
        el(
          'table',
          { id: 'tier-results' },
          el('thead', {}, el('tr', {}, ['奖级', '奖金', '名额', '中出'].map((h) => el('th', {}, h)))),
          el('tbody', {}, (pub.summary ? pub.summary.tiers : []).map((t) => el('tr', {}, el('td', {}, t.name), el('td', {}, yuan(t.prizeCents)), el('td', { class: 'num' }, count(t.count)), el('td', { class: 'num' }, count(t.winners))))),
        ),
        el('h2', {}, '验证命令（任何人可用公开数据重算）'),
        el('pre', { class: 'cmd', id: 'verify-command' }, cmd),
        el('h2', {}, '中奖名单'),
        table.node,
      );
      renderPrizes(winners);
    } catch (error) {
      show(resultCard, el('p', { class: 'error' }, errorText(error)));
    }
  }

  function renderPrizes(winners) {
    const by = (s) => winners.filter((w) => w.claimStatus === s).length;
    // Unclaimed prizes are those whose deadline has not passed on the service clock (the worker forfeits them then).
    const upcoming = winners.filter((w) => w.claimStatus === 'unclaimed' && w.claimDeadline).map((w) => w.claimDeadline).sort();
    show(
      prizesCard,
      el('h2', {}, '奖项领取'),
      el(
        'div',
        { class: 'grid', id: 'prize-stats' },
        [
          ['已领奖', by('claimed')],
          ['待领奖', by('unclaimed')],
          ['已顺延给候补', winners.filter((w) => w.alternateRank !== null && w.alternateRank !== undefined).length],
          ['逾期作废/撤销', by('forfeited') + by('revoked')],
        ].map(([label, n]) => el('div', { class: 'stat card' }, el('div', { class: 'label' }, label), el('div', { class: 'value' }, count(n)))),
      ),
      el('p', { id: 'prize-deadline' }, upcoming.length ? `最近的领奖截止：${when(upcoming[0])}（共 ${upcoming.length} 个待领奖项）` : '没有即将到期的待领奖项'),
    );
  }

  async function loadAudit() {
    try {
      const entries = await api(`${base}/audit-log`);
      const actions = [...new Set(entries.map((e) => e.action))];
      const actors = [...new Set(entries.map((e) => e.actor))];
      const actionSel = el('select', { id: 'audit-action', 'aria-label': '按操作筛选' }, el('option', { value: '' }, '全部操作'), actions.map((a) => el('option', { value: a }, AUDIT_ACTIONS[a] || a)));
      const actorSel = el('select', { id: 'audit-actor', 'aria-label': '按操作人筛选' }, el('option', { value: '' }, '全部操作人'), actors.map((a) => el('option', { value: a }, a)));
      const table = dataTable(
        [
          { key: 'at', label: '时间', render: (e) => when(e.at) },
          { key: 'actor', label: '操作人' },
          { key: 'action', label: '操作', render: (e) => AUDIT_ACTIONS[e.action] || e.action },
          { key: 'details', label: '详情', sort: (e) => JSON.stringify(e.details), render: (e) => el('span', { class: 'mono' }, e.details ? JSON.stringify(e.details) : '') },
        ],
        { pageSize: 15, label: '审计日志' },
      );
      const filter = () => table.setRows(entries.filter((e) => (!actionSel.value || e.action === actionSel.value) && (!actorSel.value || e.actor === actorSel.value)));
      actionSel.addEventListener('change', filter);
      actorSel.addEventListener('change', filter);
      filter();
      show(auditCard, el('h2', {}, '审计日志'), el('div', { class: 'filters' }, actionSel, actorSel), table.node);
    } catch (error) {
      show(auditCard, el('h2', {}, '审计日志'), el('p', { class: 'error' }, errorText(error)));
    }
  }

  async function act(path, body, done) {
    try {
      await api(path, { method: 'POST', body });
      toast(done);
      lastSignature = '';
      await load();
    } catch (error) {
      toastError(error);
    }
  }

  void load();
  return every(1000, () => (draw && draw.status === 'published' ? undefined : load()));
}

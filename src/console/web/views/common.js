import { el } from '../../../web-shared/dom.js';

export const DRAW_STATUS = { scheduled: '未截止', frozen: '已截止待开奖', drawn: '已开奖待公布', published: '已公布', failed: '失败' };
export const REQUEST_STATUS = { pending: '待审批', approved: '已批准', rejected: '已驳回', superseded: '已被新申请取代' };
export const PHASE = { freeze: '冻结参与清单', load: '读取参与清单', draw: '抽奖', publish: '公布' };
export const CLAIM = { unclaimed: '待领奖', claimed: '已领奖', forfeited: '逾期作废', revoked: '资格撤销' };
export const REG_STATUS = { verified: '已核验', pending: '待核验', rejected: '未通过', revoked: '已撤销' };

export const badge = (status, names) => el('span', { class: `badge ${status}` }, names[status] || status);

/** Repeats `fn` every `ms` until the returned stop() is called; one call at a time. */
export function every(ms, fn) {
  let stopped = false;
  let timer = null;
  const tick = async () => {
    if (stopped) return;
    try {
      await fn();
    } finally {
      if (!stopped) timer = setTimeout(tick, ms);
    }
  };
  timer = setTimeout(tick, ms);
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}

export const kv = (pairs) => el('dl', { class: 'kv' }, pairs.flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v ?? '—')]));

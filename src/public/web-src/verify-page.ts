/**
 * 在浏览器中验证: enhances the server-rendered #verify section of a published draw's page. Runs the
 * verification in a Web Worker (verify-worker.ts) on the draw's published files, or on files the visitor
 * downloaded (so they need not trust this server), and shows progress and the outcome: MATCH with the
 * verified digest, secret hash, seed, winners and alternates, or the first difference, worded as
 * `npm run verify` words it. Text only: nothing is inserted as HTML.
 */
import { bytesIec as bytes, count } from '../../web-shared/formatting.js';
import { verifyInstantDay } from '../../draws/algorithm/instant-audit.js';
import type { VerifyMessage, VerifyRequest, VerifiedSummary } from './verify-protocol.js';

type Child = Node | string | null | undefined | false | Child[];

function el(tag: string, attrs: Record<string, string> = {}, ...children: Child[]): HTMLElement {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  const add = (c: Child): void => {
    if (c === null || c === undefined || c === false) return;
    if (Array.isArray(c)) c.forEach(add);
    else node.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
  };
  children.forEach(add);
  return node;
}

const PHASES = { bundle: '正在下载审计包…', entries: '正在读取参与清单并计算摘要…', draw: '正在核对密钥哈希、种子并重算中奖结果…' } as const;

function setup(section: HTMLElement): void {
  const byId = <T extends HTMLElement>(id: string) => section.querySelector<T>(`#${id}`)!;
  const start = byId<HTMLButtonElement>('verify-start');
  const filesButton = byId<HTMLButtonElement>('verify-files');
  const bundleInput = byId<HTMLInputElement>('verify-bundle-file');
  const entriesInput = byId<HTMLInputElement>('verify-entries-file');
  const status = byId<HTMLElement>('verify-status');
  const bar = byId<HTMLProgressElement>('verify-bar');
  const result = byId<HTMLElement>('verify-result');
  const workerUrl = section.dataset.workerUrl!;
  let worker: Worker | null = null;

  const busy = (on: boolean) => {
    start.disabled = on;
    filesButton.disabled = on;
    section.setAttribute('aria-busy', on ? 'true' : 'false');
  };

  function run(request: VerifyRequest): void {
    worker?.terminate();
    result.replaceChildren();
    bar.hidden = false;
    bar.removeAttribute('value');
    busy(true);
    worker = new Worker(workerUrl);
    worker.onmessage = (event: MessageEvent<VerifyMessage>) => {
      const m = event.data;
      if (m.type === 'phase') status.textContent = PHASES[m.phase];
      else if (m.type === 'progress') {
        const of = m.expectedEntries ? ` / ${count(m.expectedEntries)}` : '';
        status.textContent = `已读取 ${bytes(m.bytesRead)}，已解析 ${count(m.entryCount)}${of} 条参与记录…`;
        if (m.expectedEntries) bar.value = Math.min(1, m.entryCount / Math.max(1, m.expectedEntries));
      } else {
        bar.hidden = true;
        busy(false);
        worker?.terminate();
        worker = null;
        if (m.type === 'match') showMatch(m.summary, m.ms, m.engine);
        else if (m.type === 'mismatch') showMismatch(m.difference, m.ms, m.engine);
        else {
          status.textContent = '';
          result.replaceChildren(el('p', { class: 'verdict error' }, `无法完成验证：${m.message}`));
        }
      }
    };
    worker.onerror = (event) => {
      bar.hidden = true;
      busy(false);
      result.replaceChildren(el('p', { class: 'verdict error' }, `无法完成验证：${event.message || '验证程序出错'}`));
    };
    worker.postMessage(request);
  }

  const done = (ms: number, engine: string) => `验证完成，用时 ${(ms / 1000).toFixed(1)} 秒（SHA-256：${engine === 'webassembly' ? 'WebAssembly' : 'JavaScript'}）。`;

  function showMatch(s: VerifiedSummary, ms: number, engine: string): void {
    status.textContent = done(ms, engine);
    const row = (label: string, value: string) => [el('dt', {}, label), el('dd', {}, el('code', { class: 'hash' }, value))];
    result.replaceChildren(
      el('p', { class: 'verdict match', 'data-verdict': 'MATCH' }, 'MATCH：重算结果与公布结果完全一致'),
      el(
        'dl',
        { class: 'facts' },
        row('参与发票数', count(s.entryCount)),
        row('总注数', count(s.totalTickets)),
        row('参与清单摘要（SHA-256）', s.entriesDigest),
        row('密钥哈希（SHA-256）', s.secretHash),
        row('种子', s.seed),
        row('中奖 / 候补', `${count(s.winners.length)} / ${count(s.alternates.length)}`),
      ),
      el(
        'details',
        { class: 'sub' },
        el('summary', {}, '逐一核对过的中奖与候补（参与编号）'),
        el(
          'table',
          { class: 'stack verified-picks' },
          el('thead', {}, el('tr', {}, ['序号', '奖级 / 候补', '参与编号', '注数'].map((h) => el('th', { scope: 'col' }, h)))),
          el(
            'tbody',
            {},
            s.winners.map((w, i) => el('tr', {}, el('td', {}, String(i + 1)), el('td', {}, `奖级 ${w.tier} 第 ${w.slot} 名`), el('td', {}, el('code', { class: 'hash' }, w.ref)), el('td', { class: 'num' }, count(w.tickets)))),
            s.alternates.map((a) => el('tr', {}, el('td', {}, '—'), el('td', {}, `候补第 ${a.rank} 名`), el('td', {}, el('code', { class: 'hash' }, a.ref)), el('td', { class: 'num' }, count(a.tickets)))),
          ),
        ),
      ),
    );
  }

  function showMismatch(difference: string, ms: number, engine: string): void {
    status.textContent = done(ms, engine);
    result.replaceChildren(
      el('p', { class: 'verdict mismatch', 'data-verdict': 'MISMATCH' }, 'MISMATCH：重算结果与所给数据不一致'),
      el('p', {}, '第一处不一致（expected 为重算值，got 为审计包中的值）：'),
      el('pre', {}, el('code', { class: 'difference' }, difference)),
    );
  }

  start.addEventListener('click', () => run({ kind: 'urls', bundleUrl: section.dataset.bundleUrl!, entriesUrl: section.dataset.entriesUrl! }));
  filesButton.addEventListener('click', () => {
    const bundle = bundleInput.files?.[0];
    const entries = entriesInput.files?.[0];
    if (!bundle || !entries) {
      result.replaceChildren(el('p', { class: 'verdict error' }, '请先选择审计包（JSON）和参与清单（CSV）两个文件。'));
      return;
    }
    run({ kind: 'files', bundle, entries });
  });
  section.hidden = false;
}

const section = document.getElementById('verify');
if (section && typeof Worker === 'function') setup(section);

/**
 * 在浏览器中验证 of an instant-draw day (ILI-1): downloads the day's commitment (published before it opened),
 * its bundle (the revealed secret) and its log, and re-runs every outcome and the budget tally with the same
 * code as the worker and `npm run verify -- --instant-day`, in this page (a day's log is small enough).
 */
function setupInstant(box: HTMLElement): void {
  const start = box.querySelector<HTMLButtonElement>('#instant-verify-start')!;
  const status = box.querySelector<HTMLElement>('#instant-verify-status')!;
  const result = box.querySelector<HTMLElement>('#instant-verify-result')!;
  const fetchText = async (url: string) => {
    const res = await fetch(url, { cache: 'no-store' });
    if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
    return res.text();
  };
  start.addEventListener('click', async () => {
    start.disabled = true;
    result.replaceChildren();
    status.textContent = '正在下载承诺、公布包和抽奖记录…';
    const t0 = performance.now();
    try {
      const [commitment, bundle, log] = await Promise.all([fetchText(box.dataset.commitmentUrl!), fetchText(box.dataset.bundleUrl!), fetchText(box.dataset.logUrl!)]);
      status.textContent = '正在重算每一笔结果…';
      const verdict = verifyInstantDay(JSON.parse(commitment), JSON.parse(bundle), log);
      status.textContent = `验证完成，用时 ${((performance.now() - t0) / 1000).toFixed(1)} 秒。`;
      if (verdict.ok) {
        result.replaceChildren(
          el('p', { class: 'verdict match', 'data-verdict': 'MATCH' }, 'MATCH：重算结果与公布结果完全一致'),
          el('p', {}, `共核对 ${count(verdict.entries.length)} 笔抽奖，中奖 ${count(verdict.entries.filter((e) => e.outcome > 0).length)} 笔。`),
        );
      } else {
        result.replaceChildren(
          el('p', { class: 'verdict mismatch', 'data-verdict': 'MISMATCH' }, 'MISMATCH：重算结果与所给数据不一致'),
          el('p', {}, '第一处不一致（expected 为重算值，got 为公布值）：'),
          el('pre', {}, el('code', { class: 'difference' }, verdict.difference)),
        );
      }
    } catch (error) {
      status.textContent = '';
      result.replaceChildren(el('p', { class: 'verdict error' }, `无法完成验证：${(error as Error).message}`));
    } finally {
      start.disabled = false;
    }
  });
  box.hidden = false;
}

const instantBox = document.getElementById('instant-verify');
if (instantBox) setupInstant(instantBox);

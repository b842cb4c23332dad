import { api, upload } from '../../../web-shared/api-client.js';
import { el, show } from '../../../web-shared/dom.js';
import { ERROR_TEXTS, errorText } from '../../../web-shared/errors.js';
import { bytes, count, when } from '../../../web-shared/formatting.js';
import { dataTable } from '../../../web-shared/table.js';
import { every } from './common.js';

const SOURCE = { feed: '税务系统接口', console: '管理台上传', cli: '命令行' };

/**
 * Upload of the tax bureau's NDJSON feed. The file streams from disk as the request body (never read into
 * the page), the browser reports bytes sent, and the server's progress (bytes and lines read, counts) is
 * polled under a random id; the answer lists the rejected lines.
 */
export function importView(main) {
  const file = el('input', { type: 'file', id: 'import-file', accept: '.ndjson,.jsonl,.json,application/x-ndjson' });
  const start = el('button', { type: 'submit', class: 'primary', id: 'import-start' }, '开始导入');
  const sent = el('progress', { id: 'import-sent', max: 1, value: 0 });
  const sentText = el('p', { id: 'import-sent-text', class: 'notice' });
  const serverText = el('p', { id: 'import-server-text', class: 'notice', 'aria-live': 'polite' });
  const result = el('div', { id: 'import-result' });
  const log = dataTable(
    [
      { key: 'finishedAt', label: '完成时间', render: (r) => when(r.finishedAt) },
      { key: 'source', label: '来源', render: (r) => SOURCE[r.source] || r.source },
      { key: 'actor', label: '操作人', render: (r) => r.actor || '—' },
      { key: 'accepted', label: '新增', num: true, render: (r) => count(r.accepted) },
      { key: 'updated', label: '更新', num: true, render: (r) => count(r.updated) },
      { key: 'unchanged', label: '未变', num: true, render: (r) => count(r.unchanged) },
      { key: 'rejected', label: '拒收', num: true, render: (r) => count(r.rejected) },
      { key: 'complete', label: '完整', render: (r) => (r.complete ? '是' : '中断') },
    ],
    { pageSize: 10, label: '导入记录' },
  );
  let stopPolling = null;

  const loadLog = async () => {
    try {
      log.setRows(await api('/api/v1/admin/registry/imports'));
    } catch {
      // The log is secondary; the upload works without it.
    }
  };

  const form = el(
    'form',
    {
      class: 'card',
      onsubmit: async (e) => {
        e.preventDefault();
        const f = file.files && file.files[0];
        if (!f) return;
        start.disabled = true;
        show(result);
        const progressId = crypto.randomUUID();
        sent.max = Math.max(1, f.size);
        stopPolling = every(500, async () => {
          try {
            const p = await api(`/api/v1/admin/registry/imports/${progressId}/progress`);
            serverText.textContent = `服务器已处理 ${bytes(p.bytes)}，${count(p.lines)} 行：新增 ${count(p.accepted)}，更新 ${count(p.updated)}，未变 ${count(p.unchanged)}，拒收 ${count(p.rejectedCount)}`;
          } catch {
            // Not started yet on the server.
          }
        });
        try {
          const summary = await upload(`/api/v1/admin/registry/imports?progressId=${progressId}`, f, {
            contentType: 'application/x-ndjson',
            onProgress: (loaded, total) => {
              sent.value = loaded;
              sentText.textContent = `已上传 ${bytes(loaded)} / ${bytes(total || f.size)}`;
            },
          });
          sent.value = sent.max;
          serverText.textContent = `导入完成：${count(summary.lines)} 行，新增 ${count(summary.accepted)}，更新 ${count(summary.updated)}，未变 ${count(summary.unchanged)}，拒收 ${count(summary.rejectedCount)}`;
          const rejected = dataTable(
            [
              { key: 'line', label: '行号', num: true },
              { key: 'code', label: '原因', render: (r) => `${ERROR_TEXTS[r.code] || r.code}（${r.code}）` },
              { key: 'field', label: '字段', render: (r) => r.field || '—' },
              { key: 'message', label: '说明' },
            ],
            { pageSize: 20, label: '拒收的行', empty: '没有拒收的行' },
          );
          rejected.setRows(summary.rejected);
          show(
            result,
            el('h2', {}, `拒收的行（共 ${count(summary.rejectedCount)} 行${summary.rejectedCount > summary.rejected.length ? `，列出前 ${summary.rejected.length} 行` : ''}）`),
            rejected.node,
          );
        } catch (error) {
          show(result, el('p', { class: 'error' }, errorText(error)));
        } finally {
          if (stopPolling) stopPolling();
          start.disabled = false;
          void loadLog();
        }
      },
    },
    el('h2', {}, '上传税务发票数据（NDJSON，每行一条记录）'),
    el('div', { class: 'actions' }, file, start),
    el('label', { for: 'import-sent' }, '上传进度'),
    sent,
    sentText,
    serverText,
    result,
  );
  show(main, el('h1', {}, '数据导入'), form, el('section', { class: 'card' }, el('h2', {}, '最近的导入'), log.node));
  void loadLog();
  return () => stopPolling && stopPolling();
}

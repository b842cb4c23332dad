/**
 * The in-browser verifier's Web Worker: re-runs ILD-1 (the same src/draws/algorithm code as the draw worker
 * and `npm run verify`) on a draw's audit bundle and entries file, streamed from the server or from files the
 * visitor chose, so the page stays responsive and the file is never held whole in memory.
 */
// The ILD-1 modules themselves, not index.ts (which also exports ILI-1 and its Node hashing adapter).
import { verifyAuditBundle, type AuditBundle } from '../../draws/algorithm/audit.js';
import { prepareSha256 } from '../../draws/algorithm/sha256.js';
import type { VerifyMessage, VerifyRequest } from './verify-protocol.js';

interface WorkerScope {
  onmessage: ((event: MessageEvent<VerifyRequest>) => void) | null;
  postMessage(message: VerifyMessage): void;
}
const scope = globalThis as unknown as WorkerScope;
const post = (m: VerifyMessage) => scope.postMessage(m);

/** A byte stream as an async iterable (ReadableStream's own async iteration is not in every browser yet). */
async function* chunksOf(stream: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    reader.releaseLock();
  }
}

async function fetchOk(url: string): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(url, { credentials: 'omit' });
  } catch {
    throw new Error(`无法下载 ${url}（网络错误）`);
  }
  if (!res.ok) throw new Error(`无法下载 ${url}（HTTP ${res.status}）`);
  return res;
}

function parseBundle(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new Error(`审计包不是有效的 JSON：${(e as Error).message}`);
  }
}

async function verify(request: VerifyRequest): Promise<void> {
  const started = performance.now();
  const engine = await prepareSha256();
  post({ type: 'phase', phase: 'bundle' });
  const bundle = parseBundle(request.kind === 'urls' ? await (await fetchOk(request.bundleUrl)).text() : await request.bundle.text());
  const expected = bundle && typeof bundle === 'object' && Number.isSafeInteger((bundle as AuditBundle).entryCount) ? (bundle as AuditBundle).entryCount : null;
  post({ type: 'phase', phase: 'entries' });
  let stream: ReadableStream<Uint8Array>;
  if (request.kind === 'urls') {
    const res = await fetchOk(request.entriesUrl);
    if (!res.body) throw new Error('参与清单下载为空');
    stream = res.body;
  } else {
    stream = request.entries.stream() as ReadableStream<Uint8Array>;
  }
  const result = await verifyAuditBundle(bundle, chunksOf(stream), (p) => {
    post({ type: 'progress', bytesRead: p.bytesRead, entryCount: p.entryCount, expectedEntries: expected });
    if (expected !== null && p.entryCount === expected) post({ type: 'phase', phase: 'draw' });
  });
  const ms = Math.round(performance.now() - started);
  if (!result.ok) {
    post({ type: 'mismatch', difference: result.difference, ms, engine });
    return;
  }
  const b = bundle as AuditBundle;
  post({
    type: 'match',
    ms,
    engine,
    summary: {
      drawId: b.drawId,
      entryCount: b.entryCount,
      totalTickets: b.totalTickets,
      entriesDigest: b.entriesDigest,
      secretHash: b.secretHash,
      seed: b.seed,
      beacon: b.beacon ?? '',
      winners: b.winners,
      alternates: b.alternates,
    },
  });
}

scope.onmessage = (event) => {
  verify(event.data).catch((e: unknown) => post({ type: 'error', message: (e as Error)?.message ?? String(e) }));
};

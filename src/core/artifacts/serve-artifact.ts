import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ArtifactEncoding, ArtifactInfo, ArtifactStore, ByteRange } from './artifact-store.js';

const CONTENT_CODING: Record<Exclude<ArtifactEncoding, 'identity'>, string> = { br: 'br', gzip: 'gzip' };
const ETAG_SUFFIX: Record<ArtifactEncoding, string> = { identity: '', gzip: '.gz', br: '.br' };

/** The strong ETag of one representation: the identity bytes' SHA-256, suffixed for a compressed copy. */
export function artifactEtag(info: ArtifactInfo, encoding: ArtifactEncoding = 'identity'): string {
  return `"${info.sha256}${ETAG_SUFFIX[encoding]}"`;
}

/** The best stored representation the client accepts: br, then gzip, else the bytes as they are. */
export function chooseEncoding(acceptEncoding: string | undefined, info: ArtifactInfo): ArtifactEncoding {
  if (!acceptEncoding) return 'identity';
  const accepted = new Map<string, number>();
  for (const part of acceptEncoding.split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => /^\s*q=([0-9.]+)\s*$/.exec(p)).find(Boolean);
    accepted.set(name.trim(), q ? Number(q[1]) : 1);
  }
  const ok = (coding: string) => (accepted.get(coding) ?? accepted.get('*') ?? 0) > 0;
  for (const encoding of ['br', 'gzip'] as const) if (info.sizes[encoding] !== undefined && ok(CONTENT_CODING[encoding])) return encoding;
  return 'identity';
}

/**
 * A single `bytes=` range of a `size`-byte body: the range, 'unsatisfiable', or null to send the whole body
 * (no Range, a syntax this does not serve, or several ranges, which RFC 9110 lets a server answer with 200).
 */
export function parseRange(header: string | undefined, size: number): ByteRange | 'unsatisfiable' | null {
  if (!header) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return null;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (m[2] !== '' && Number(m[2]) < start) return null; // invalid: ignore the header
  if (start >= size) return 'unsatisfiable';
  return { start, end };
}

function matchesAny(ifNoneMatch: string | undefined, etags: string[]): boolean {
  if (!ifNoneMatch) return false;
  return ifNoneMatch.split(',').some((t) => {
    const tag = t.trim().replace(/^W\//, '');
    return tag === '*' || etags.includes(tag);
  });
}

/**
 * Sends a stored immutable artifact: strong ETag per representation (If-None-Match → 304), one byte range
 * of the identity bytes (Range → 206, If-Range honoured, 416 when unsatisfiable), the precompressed brotli
 * or gzip copy when accepted, and `Cache-Control: public, max-age=31536000, immutable`. Reads only the
 * store: no database work.
 */
export async function sendArtifact(
  store: ArtifactStore,
  info: ArtifactInfo,
  request: FastifyRequest,
  reply: FastifyReply,
  headers: Record<string, string> = {},
): Promise<void> {
  const size = info.sizes.identity;
  const identityEtag = artifactEtag(info);
  const ifRange = request.headers['if-range'];
  const range = ifRange === undefined || ifRange === identityEtag ? parseRange(request.headers.range, size) : null;
  const encoding = range ? 'identity' : chooseEncoding(request.headers['accept-encoding'], info);
  for (const [name, value] of Object.entries(headers)) void reply.header(name, value);
  void reply
    .header('ETag', artifactEtag(info, encoding))
    .header('Cache-Control', 'public, max-age=31536000, immutable')
    .header('Accept-Ranges', 'bytes')
    .header('Vary', 'Accept-Encoding');
  const allEtags = (['identity', 'gzip', 'br'] as const).filter((e) => info.sizes[e] !== undefined).map((e) => artifactEtag(info, e));
  if (matchesAny(request.headers['if-none-match'], allEtags)) {
    await reply.status(304).send();
    return;
  }
  void reply.header('Content-Type', info.contentType);
  if (range === 'unsatisfiable') {
    await reply
      .status(416)
      .header('Content-Range', `bytes */${size}`)
      .header('Content-Type', 'application/json; charset=utf-8')
      .header('Cache-Control', 'no-store')
      .send(JSON.stringify({ statusCode: 416, code: 'RANGE_NOT_SATISFIABLE', message: `The range is outside the ${size} bytes of this file` }));
    return;
  }
  const body = await store.stream(info.key, range ? { range } : { encoding });
  if (!body) throw new Error(`artifact ${info.key} vanished from the store`);
  if (range) {
    void reply.status(206).header('Content-Range', `bytes ${range.start}-${range.end}/${size}`).header('Content-Length', String(range.end - range.start + 1));
  } else {
    void reply.header('Content-Length', String(info.sizes[encoding]));
    if (encoding !== 'identity') void reply.header('Content-Encoding', CONTENT_CODING[encoding]);
  }
  await reply.send(body);
}

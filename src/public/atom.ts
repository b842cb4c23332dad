import { createHash } from 'node:crypto';

/** Characters XML 1.0 does not allow at all (most C0 controls, lone surrogates, U+FFFE/U+FFFF): removed. */
const XML_INVALID = /[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/** Escapes text for XML character data and attribute values (both quote kinds), dropping invalid characters. */
export function xmlEscape(value: unknown): string {
  return String(value ?? '')
    .replace(XML_INVALID, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** A stable `urn:uuid:` (name-based, SHA-1, RFC 4122 version 5 layout) for an Atom id that never changes with the host name. */
export function stableUrn(name: string): string {
  const h = createHash('sha1').update(`invoice-lottery:${name}`).digest();
  h[6] = (h[6] & 0x0f) | 0x50;
  h[8] = (h[8] & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString('hex');
  return `urn:uuid:${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export interface AtomEntry {
  id: string;
  title: string;
  updated: Date;
  links: Array<{ href: string; rel?: string; type?: string; title?: string }>;
  summary: string;
}

export interface AtomFeed {
  id: string;
  title: string;
  subtitle?: string;
  updated: Date;
  selfHref: string;
  alternateHref: string;
  entries: AtomEntry[];
}

function link(l: AtomEntry['links'][number]): string {
  const attrs = [`href="${xmlEscape(l.href)}"`];
  if (l.rel) attrs.push(`rel="${xmlEscape(l.rel)}"`);
  if (l.type) attrs.push(`type="${xmlEscape(l.type)}"`);
  if (l.title) attrs.push(`title="${xmlEscape(l.title)}"`);
  return `<link ${attrs.join(' ')}/>`;
}

/** An Atom 1.0 document (RFC 4287); every text and attribute value goes through xmlEscape. */
export function renderAtom(feed: AtomFeed): string {
  const out: string[] = [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="zh-CN">',
    `  <id>${xmlEscape(feed.id)}</id>`,
    `  <title type="text">${xmlEscape(feed.title)}</title>`,
  ];
  if (feed.subtitle) out.push(`  <subtitle type="text">${xmlEscape(feed.subtitle)}</subtitle>`);
  out.push(
    `  <updated>${feed.updated.toISOString()}</updated>`,
    `  ${link({ href: feed.selfHref, rel: 'self', type: 'application/atom+xml' })}`,
    `  ${link({ href: feed.alternateHref, rel: 'alternate', type: 'text/html' })}`,
    '  <author><name>河南省税务局</name></author>',
    '  <generator>invoice-lottery</generator>',
  );
  for (const e of feed.entries) {
    out.push(
      '  <entry>',
      `    <id>${xmlEscape(e.id)}</id>`,
      `    <title type="text">${xmlEscape(e.title)}</title>`,
      `    <updated>${e.updated.toISOString()}</updated>`,
      ...e.links.map((l) => `    ${link(l)}`),
      `    <summary type="text">${xmlEscape(e.summary)}</summary>`,
      '  </entry>',
    );
  }
  out.push('</feed>', '');
  return out.join('\n');
}

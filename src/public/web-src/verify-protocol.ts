/** Messages between the verify page (verify-page.ts) and its Web Worker (verify-worker.ts). */
import type { DrawAlternate, DrawWinner } from '../../draws/algorithm/draw.js';

export type VerifyRequest =
  | { kind: 'urls'; bundleUrl: string; entriesUrl: string }
  | { kind: 'files'; bundle: Blob; entries: Blob };

export interface VerifiedSummary {
  drawId: string;
  entryCount: number;
  totalTickets: number;
  entriesDigest: string;
  secretHash: string;
  seed: string;
  beacon: string;
  winners: DrawWinner[];
  alternates: DrawAlternate[];
}

export type VerifyMessage =
  | { type: 'progress'; bytesRead: number; entryCount: number; expectedEntries: number | null }
  | { type: 'phase'; phase: 'bundle' | 'entries' | 'draw' }
  | { type: 'match'; summary: VerifiedSummary; ms: number; engine: string }
  | { type: 'mismatch'; difference: string; ms: number; engine: string }
  | { type: 'error'; message: string };

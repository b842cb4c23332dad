/**
 * ILD-1: the invoice lottery draw algorithm (pure: node builtins and seedrandom only).
 * The public specification is docs/draw-algorithm.md; names exported here are a stable API.
 */
export { ALGORITHM_ID, ENTRIES_HEADER, DrawInputError } from './constants.js';
export {
  computeTickets,
  invoiceRef,
  holderPseudonym,
  generateSecret,
  hashSecret,
  deriveSeed,
  assertDrawId,
  type SeedInputs,
} from './inputs.js';
export { uniformBelow, createDrawRng, type Int32Source } from './uniform.js';
export { EntryTable, EntryTableBuilder, type Entry } from './entry-table.js';
export {
  EntriesDigest,
  EntriesFormatError,
  formatEntryLine,
  readEntriesFile,
  type ReadProgress,
  type ReadEntriesResult,
} from './entries-file.js';
export {
  runDraw,
  validateTiers,
  DrawSampler,
  type DrawTier,
  type DrawWinner,
  type DrawAlternate,
  type DrawResult,
  type RunDrawParams,
} from './draw.js';
export {
  buildAuditBundle,
  buildCommitment,
  verifyAuditBundle,
  type AuditBundle,
  type DrawCommitment,
  type BuildAuditBundleParams,
  type VerifyResult,
} from './audit.js';
// ILI-1, verifiable instant draws (docs/draw-algorithm.md, part 2).
export {
  INSTANT_ALGORITHM_ID,
  ODDS_DENOMINATOR,
  INSTANT_LOG_HEADER,
  InstantDay,
  InstantLogFormatError,
  assertBandId,
  validateInstantRules,
  instantEntryKey,
  instantEntryStream,
  hashInstantSecret,
  runInstantDay,
  drawInstantEntry,
  initialBudgets,
  formatInstantLog,
  formatInstantLogLine,
  readInstantLog,
  type InstantTier,
  type InstantBand,
  type BudgetReturn,
  type InstantDayRules,
  type InstantLogEntry,
  type InstantTally,
  type InstantOutcome,
} from './instant.js';
export {
  buildInstantCommitment,
  publishInstantDay,
  verifyInstantDay,
  verifyBudgetReturns,
  verifyReturnsFromPublishedDays,
  type InstantCommitment,
  type InstantDayBundle,
  type InstantVerifyResult,
} from './instant-audit.js';

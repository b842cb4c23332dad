import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsOptional, IsString, Matches, MaxLength, MinLength, ValidateBy } from 'class-validator';
import type { DrawRequestStatus } from '../draw-request.entity.js';
import type { DrawPhase, DrawStatus } from '../draw.entity.js';

export const DRAW_STATUSES: readonly DrawStatus[] = ['scheduled', 'frozen', 'drawn', 'published', 'failed'];

export const BEACON_MAX_CHARACTERS = 256;

/**
 * Why a beacon is refused, or null when it is fine. A beacon is any visible UTF-8 text, Chinese included (e.g.
 * the welfare lottery's result as announced; ILD-1 hashes its UTF-8 bytes): 1-256 characters (code points),
 * NFC-normalized (so the same visible text is always the same bytes, and a verifier who re-types it gets the
 * same seed), and none of Unicode's "other" characters (\p{C}: control characters such as line breaks, tabs
 * and NUL; format characters such as zero-width ones; lone surrogates, which have no UTF-8 form; private-use
 * and unassigned ones): what anyone sees and re-types must be all there is. It is stored and published exactly
 * as given: nothing is trimmed or normalized on the way.
 */
export function beaconProblem(value: unknown): string | null {
  if (typeof value !== 'string') return 'beacon must be a string';
  const characters = [...value].length;
  if (characters < 1 || characters > BEACON_MAX_CHARACTERS) return `beacon must be 1-${BEACON_MAX_CHARACTERS} characters`;
  if (/\p{Cs}/u.test(value)) return 'beacon must be valid Unicode text';
  if (/\p{Cc}/u.test(value)) return 'beacon must not contain control characters';
  if (/\p{C}/u.test(value)) return 'beacon must be visible text without control or zero-width characters';
  if (value.normalize('NFC') !== value) return 'beacon must be NFC-normalized Unicode text';
  return null;
}

export class CreateDrawRequestDto {
  @ApiPropertyOptional({
    description:
      'A public value nobody could know when the entries froze, mixed into the seed exactly as given, e.g. the official result of ' +
      "that day's welfare lottery draw. 1-256 characters of NFC-normalized visible text (no control or zero-width characters); " +
      'stored and published exactly as given (ILD-1 hashes its UTF-8 bytes).',
    example: '2022-09-06 福彩3D 第2022236期 开奖号码 1 2 3',
  })
  @IsOptional()
  @IsString()
  @ValidateBy({
    name: 'isBeacon',
    validator: { validate: (value: unknown) => beaconProblem(value) === null, defaultMessage: (args) => beaconProblem(args?.value) ?? 'beacon is invalid' },
  })
  beacon?: string;
}

export const REJECTION_REASON_MAX_CHARACTERS = 500;

export class RejectDrawRequestDto {
  @ApiProperty({
    description:
      'Why the request is turned down (an auditor) or withdrawn (its requester), shown to the operator with the request and written ' +
      `to the draw's audit log. 1-${REJECTION_REASON_MAX_CHARACTERS} characters once trimmed; missing, blank or longer is 400 VALIDATION_FAILED ` +
      "with fields ['reason'].",
    example: '信标不是当天的福彩开奖结果，请核对后重新申请',
    minLength: 1,
    maxLength: REJECTION_REASON_MAX_CHARACTERS,
  })
  @Transform(({ value }) => (typeof value === 'string' ? value.trim() : value))
  @IsString({ message: 'reason must be a string' })
  @MinLength(1, { message: 'reason is required' })
  @MaxLength(REJECTION_REASON_MAX_CHARACTERS, { message: `reason must be at most ${REJECTION_REASON_MAX_CHARACTERS} characters` })
  reason: string;
}

export class ListDrawsQueryDto {
  @ApiPropertyOptional({ example: 'henan-2022' })
  @IsOptional()
  @IsString()
  @Matches(/^[a-z0-9-]{1,64}$/, { message: 'campaignId must be a campaign id' })
  campaignId?: string;

  @ApiPropertyOptional({ enum: DRAW_STATUSES })
  @IsOptional()
  @IsIn(DRAW_STATUSES)
  status?: DrawStatus;
}

export class DrawProgressDto {
  @ApiProperty({ example: 'freeze', description: 'freeze, load (reading the committed entries) or draw' }) phase: string;
  @ApiProperty() processed: number;
  @ApiProperty() total: number;
}

export class DrawCommitmentDto {
  @ApiProperty({ example: 'ILD-1' }) algorithm: string;
  @ApiProperty() drawId: string;
  @ApiProperty() entryCount: number;
  @ApiProperty() totalTickets: number;
  @ApiProperty() entriesDigest: string;
  @ApiProperty() secretHash: string;
}

export class DrawFailureDto {
  @ApiProperty({ enum: ['freeze', 'draw', 'publish'] }) phase: DrawPhase;
  @ApiProperty() reason: string;
}

export class DrawSummaryDto {
  @ApiProperty({ example: 'henan-2022-2022-08' }) id: string;
  @ApiProperty() campaignId: string;
  @ApiProperty({ example: '2022-08', description: "'YYYY-MM', 'YYYY-MMa'/'YYYY-MMb' or a campaign's own period key" }) periodKey: string;
  @ApiProperty({ example: 'main', description: "the periodic prize pool drawn ('main': the campaign's only one)" }) poolId: string;
  @ApiProperty({ example: '河南省2022年有奖发票促消费活动' }) poolName: string;
  @ApiProperty({ description: 'entries paying at least this (cents)' }) bandMinCents: number;
  @ApiPropertyOptional({ type: Number, nullable: true, description: 'and less than this (cents); null: no upper bound' }) bandMaxCents: number | null;
  @ApiProperty() periodStart: string;
  @ApiProperty() periodEnd: string;
  @ApiProperty({ enum: DRAW_STATUSES }) status: DrawStatus;
  @ApiProperty() freezeAt: string;
  @ApiProperty() drawAt: string;
  @ApiPropertyOptional({ type: Number, nullable: true }) entryCount: number | null;
  @ApiPropertyOptional({ type: Number, nullable: true }) totalTickets: number | null;
  @ApiPropertyOptional({ type: String, nullable: true }) frozenAt: string | null;
  @ApiPropertyOptional({ type: String, nullable: true }) drawnAt: string | null;
  @ApiPropertyOptional({ type: String, nullable: true }) publishedAt: string | null;
  @ApiPropertyOptional({ type: DrawFailureDto, nullable: true }) failure: DrawFailureDto | null;
}

export class DrawRequestDto {
  @ApiProperty() id: number;
  @ApiProperty() drawId: string;
  @ApiProperty({ enum: ['pending', 'approved', 'rejected', 'superseded'] }) status: DrawRequestStatus;
  @ApiPropertyOptional({ type: String, nullable: true }) beacon: string | null;
  @ApiProperty() requestedBy: { id: number; username: string | null };
  @ApiProperty() requestedAt: string;
  @ApiPropertyOptional({ nullable: true }) decidedBy: { id: number; username: string | null } | null;
  @ApiPropertyOptional({ type: String, nullable: true }) decidedAt: string | null;
  @ApiPropertyOptional({ type: String, nullable: true, description: 'why a rejected request was turned down or withdrawn; null otherwise' })
  rejectionReason: string | null;
}

export class DrawJobDto {
  @ApiProperty({ enum: ['freeze', 'draw', 'publish'] }) phase: DrawPhase;
  @ApiProperty({ example: 'freeze-henan-2022-2022-08' }) jobId: string;
  @ApiProperty({ example: 'completed' }) state: string;
  @ApiProperty() attemptsMade: number;
  @ApiPropertyOptional() progress: unknown;
  @ApiPropertyOptional({ type: String, nullable: true }) failedReason: string | null;
  @ApiPropertyOptional({ type: String, nullable: true }) queuedAt: string | null;
  @ApiPropertyOptional({ type: String, nullable: true }) startedAt: string | null;
  @ApiPropertyOptional({ type: String, nullable: true }) finishedAt: string | null;
}

export class DrawNextStepDto {
  @ApiPropertyOptional({ enum: ['freeze', 'draw', 'publish'], nullable: true, description: 'the step due now, by the draw state machine' })
  step: DrawPhase | null;
  @ApiPropertyOptional({ enum: ['schedule', 'approved-request', 'drawn'], nullable: true }) trigger: string | null;
  @ApiPropertyOptional({ type: Number, nullable: true }) requestId: number | null;
  @ApiPropertyOptional({ type: String, nullable: true, example: 'DRAW_TIME_NOT_REACHED', description: 'why nothing is due' }) code: string | null;
  @ApiPropertyOptional({ type: String, nullable: true }) reason: string | null;
  @ApiPropertyOptional({ type: String, nullable: true, description: 'when the schedule makes the next step due' }) waitUntil: string | null;
}

export class DrawRulesDto {
  @ApiProperty({ example: [{ tier: 1, name: '一等奖', count: 5, prizeCents: 1000000 }] })
  tiers: Array<{ tier: number; name: string; count: number; prizeCents: number }>;
  @ApiProperty() winLimitPerHolder: number;
  @ApiProperty() alternateCount: number;
  @ApiProperty() ticketUnitCents: number;
  @ApiProperty() ticketCap: number;
}

export class DrawDetailDto extends DrawSummaryDto {
  @ApiPropertyOptional({ type: DrawProgressDto, nullable: true, description: 'of the step running now' }) progress: DrawProgressDto | null;
  @ApiPropertyOptional({ type: DrawCommitmentDto, nullable: true, description: 'published at the freeze' }) commitment: DrawCommitmentDto | null;
  @ApiPropertyOptional({ type: String, nullable: true }) beacon: string | null;
  @ApiProperty({ type: DrawNextStepDto }) next: DrawNextStepDto;
  @ApiPropertyOptional({ type: String, nullable: true, description: 'after the draw' }) seed: string | null;
  @ApiProperty() rules: DrawRulesDto;
  @ApiPropertyOptional({ nullable: true, description: 'after the draw' }) results: { winners: number; alternates: number } | null;
  @ApiProperty() createdAt: string;
  @ApiProperty() updatedAt: string;
  @ApiPropertyOptional({ type: [DrawJobDto], nullable: true, description: 'the kept BullMQ jobs of the steps; null when Redis is unreachable' })
  jobs: DrawJobDto[] | null;
  @ApiProperty({ type: [DrawRequestDto] }) requests: DrawRequestDto[];
}

export class DrawAuditEntryDto {
  @ApiProperty() id: number;
  @ApiProperty() at: string;
  @ApiProperty({ example: 'staff:3:auditor.wang', description: 'scheduler (the clock made it due), worker (failures, refused jobs), or staff:<id>:<username> with details.role' }) actor: string;
  @ApiProperty({ example: 'draw-request-approved' }) action: string;
  @ApiPropertyOptional({ nullable: true }) details: unknown;
}

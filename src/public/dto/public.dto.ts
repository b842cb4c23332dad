import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { Allow, IsInt, IsOptional, Matches, Max, Min } from 'class-validator';

// ---- queries ----------------------------------------------------------------------------------------

export class WinnersQueryDto {
  @ApiPropertyOptional({ description: 'only this prize tier' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  tier?: number;

  @ApiPropertyOptional({ default: 1 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  page?: number;

  @ApiPropertyOptional({ default: 20, maximum: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  pageSize?: number;

  @ApiPropertyOptional({
    type: String,
    maxLength: 64,
    example: '5678',
    description:
      'search the published (masked) rows: the last 4 digits of the invoice number, 6–64 hex characters of the entry ref (a prefix), ' +
      'a surname (1–2 characters, matched against the masked name) or an issuing city; anything else is 400 SEARCH_QUERY_INVALID. ' +
      'Full names, phone, identity and whole invoice numbers are not searchable (use /check for one invoice)',
  })
  // Checked by parseWinnerQuery (400 SEARCH_QUERY_INVALID), not by class-validator.
  @Allow()
  q?: unknown;
}

export class CheckQueryDto {
  @ApiPropertyOptional({ example: '041012200111', description: "10 or 12 digits; empty for a fully digital (数电) invoice" })
  @IsOptional()
  @Matches(/^(?:\d{10}|\d{12})?$/, { message: 'invoiceCode must be 10 or 12 digits (or empty for a fully digital invoice)' })
  invoiceCode?: string;

  @ApiProperty({ example: '12345678', description: '8 digits; 20 for a fully digital invoice' })
  @Matches(/^(?:\d{8}|\d{20})$/, { message: 'invoiceNumber must be 8 digits (20 for a fully digital invoice)' })
  invoiceNumber: string;
}

// ---- responses (documentation; the service builds plain objects of these shapes) -------------------

export class TierDto {
  @ApiProperty() tier: number;
  @ApiProperty({ example: '一等奖' }) name: string;
  @ApiProperty() count: number;
  @ApiProperty({ description: 'gross prize, integer cents' }) prizeCents: number;
}

export class PoolDto {
  @ApiProperty({ example: 'band-1000', description: "'main' for a campaign file with top-level tiers" }) id: string;
  @ApiProperty({ example: '1000元至5000元发票抽奖' }) name: string;
  @ApiProperty({ enum: ['periodic', 'instant'] }) mode: string;
  @ApiProperty({ description: 'the band: invoices paying at least this (cents)' }) minCents: number;
  @ApiPropertyOptional({ nullable: true, description: 'and less than this (cents); null: no upper bound' }) maxCents: number | null;
  @ApiPropertyOptional({ type: [TierDto], description: 'a periodic pool: the prizes of each of its draws' }) tiers?: TierDto[];
}

export class DrawPoolDto {
  @ApiProperty({ example: 'main' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty({ description: "the entries of this draw: paid amount at least this (cents; 0 for a campaign's one pool over every amount)" }) minCents: number;
  @ApiPropertyOptional({ nullable: true, description: 'and less than this (cents); null: no upper bound' }) maxCents: number | null;
}

export class CampaignDto {
  @ApiProperty({ example: 'henan-2022' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty() timeZone: string;
  @ApiProperty() startDate: string;
  @ApiProperty() endDate: string;
  @ApiProperty({ description: 'cents of paid amount per ticket' }) ticketUnitCents: number;
  @ApiProperty({ description: 'most tickets one invoice can earn' }) ticketCap: number;
  @ApiProperty() minAmountCents: number;
  @ApiProperty({ type: [TierDto], description: 'the tiers of the first periodic pool (the only one of a campaign file with top-level tiers)' }) tiers: TierDto[];
  @ApiProperty({ type: [PoolDto], description: 'prize pools by amount band; each periodic pool has its own draw per period' }) pools: PoolDto[];
  @ApiProperty({ description: 'wins per person per draw (0 = no limit)' }) winLimitPerHolder: number;
  @ApiProperty() alternateCount: number;
  @ApiProperty() claimWindowDays: number;
  @ApiProperty() periodCount: number;
  @ApiProperty({ enum: ['calendar-month', 'half-month', 'custom'], description: 'how the campaign is cut into periods' }) periodRule: string;
}

export class CampaignListDto {
  @ApiProperty({ type: [CampaignDto] }) items: CampaignDto[];
}

export class DrawSummaryDto {
  @ApiProperty({ example: 'henan-2022-2022-08', description: '<campaign>-<period>, or <campaign>-<period>-<pool> for a campaign with several periodic pools' }) id: string;
  @ApiProperty() campaignId: string;
  @ApiProperty({ example: '2022-08', description: "'YYYY-MM', 'YYYY-MMa'/'YYYY-MMb' (half months) or a campaign's own period key" }) period: string;
  @ApiProperty({ type: DrawPoolDto, description: 'the prize pool this draw awards and the amount band of its entries' }) pool: DrawPoolDto;
  @ApiProperty() periodStart: string;
  @ApiProperty() periodEnd: string;
  @ApiProperty({ description: 'registrations close and the entries are committed' }) freezeAt: string;
  @ApiProperty() drawAt: string;
  @ApiProperty({ enum: ['scheduled', 'frozen', 'drawn', 'published', 'failed'] }) status: string;
  @ApiPropertyOptional({ nullable: true, enum: ['freeze', 'draw', 'publish'] }) failedPhase: string | null;
  @ApiPropertyOptional({ nullable: true }) entryCount: number | null;
  @ApiPropertyOptional({ nullable: true }) totalTickets: number | null;
  @ApiProperty({ type: [TierDto] }) tiers: TierDto[];
  @ApiPropertyOptional({ nullable: true }) frozenAt: string | null;
  @ApiPropertyOptional({ nullable: true }) drawnAt: string | null;
  @ApiPropertyOptional({ nullable: true }) publishedAt: string | null;
}

export class CampaignDrawsDto {
  @ApiProperty() campaignId: string;
  @ApiProperty({ type: [DrawSummaryDto] }) items: DrawSummaryDto[];
}

export class CommitmentDto {
  @ApiProperty({ example: 'ILD-1' }) algorithm: string;
  @ApiProperty() drawId: string;
  @ApiProperty() entryCount: number;
  @ApiProperty() totalTickets: number;
  @ApiProperty({ description: 'SHA-256 of the entries file' }) entriesDigest: string;
  @ApiProperty({ description: 'SHA-256 of the secret (its 64 hex characters)' }) secretHash: string;
}

export class RevealDto {
  @ApiProperty() secret: string;
  @ApiProperty({ description: "'' when no beacon was used" }) beacon: string;
  @ApiProperty() seed: string;
}

export class TierResultDto {
  @ApiProperty() tier: number;
  @ApiProperty() name: string;
  @ApiProperty() prizeCents: number;
  @ApiProperty() count: number;
  @ApiProperty({ description: 'prizes actually drawn (fewer when the draw ran out of eligible entries)' }) winners: number;
}

export class DrawResultSummaryDto {
  @ApiProperty({ type: [TierResultDto] }) tiers: TierResultDto[];
  @ApiProperty() winners: number;
  @ApiProperty() alternates: number;
  @ApiProperty({ description: 'sum of the gross prizes drawn, cents' }) totalPrizeCents: number;
}

export class DrawDetailDto extends DrawSummaryDto {
  @ApiProperty() campaignName: string;
  @ApiProperty() winLimitPerHolder: number;
  @ApiProperty() alternateCount: number;
  @ApiProperty() ticketUnitCents: number;
  @ApiProperty() ticketCap: number;
  @ApiPropertyOptional({ type: CommitmentDto, nullable: true, description: 'from the freeze on' }) commitment: CommitmentDto | null;
  @ApiPropertyOptional({ type: RevealDto, nullable: true, description: 'from publication on (with the entries file they determine the winners)' }) reveal: RevealDto | null;
  @ApiPropertyOptional({ type: DrawResultSummaryDto, nullable: true, description: 'after the draw (counts only)' }) summary: DrawResultSummaryDto | null;
}

export class WinnerDto {
  @ApiProperty() tier: number;
  @ApiProperty() tierName: string;
  @ApiProperty() slot: number;
  @ApiProperty() prizeCents: number;
  @ApiProperty({ example: '张*', description: 'masked: the surname only' }) name: string;
  @ApiProperty({ example: '****5678', description: 'last 4 digits only' }) invoiceNumber: string;
  @ApiProperty({ description: 'the ILD-1 entry ref (SHA-256 of code-number)' }) ref: string;
  @ApiProperty() tickets: number;
  @ApiPropertyOptional({ nullable: true, example: '郑州市' }) city: string | null;
  @ApiProperty({ enum: ['unclaimed', 'claimed', 'forfeited', 'revoked'] }) claimStatus: string;
  @ApiPropertyOptional({ nullable: true }) claimDeadline: string | null;
  @ApiPropertyOptional({ nullable: true, description: 'set when the prize passed to this alternate' }) alternateRank: number | null;
  @ApiPropertyOptional({ nullable: true, enum: ['forfeited', 'revoked'], description: 'how the previous holder lost it' }) passedOnBecause: string | null;
}

export class WinnerPoolDto {
  @ApiProperty({ example: 'main' }) id: string;
  @ApiProperty() name: string;
}

export class WinnersPageDto {
  @ApiProperty() drawId: string;
  @ApiProperty({ type: WinnerPoolDto, description: 'the prize pool of the draw these winners won in' }) pool: WinnerPoolDto;
  @ApiPropertyOptional({ nullable: true }) tier: number | null;
  @ApiProperty() page: number;
  @ApiProperty() pageSize: number;
  @ApiProperty() total: number;
  @ApiProperty({ type: [WinnerDto] }) items: WinnerDto[];
}

export class CheckPrizeDto {
  @ApiProperty() tier: number;
  @ApiProperty() tierName: string;
  @ApiProperty() slot: number;
  @ApiProperty() prizeCents: number;
  @ApiProperty({ enum: ['unclaimed', 'claimed', 'forfeited', 'revoked'] }) claimStatus: string;
}

export class CheckResultDto {
  @ApiProperty() ref: string;
  @ApiProperty({ enum: ['NOT_REGISTERED', 'NOT_IN_DRAW', 'AWAITING_DRAW', 'AWAITING_PUBLICATION', 'NOT_WON', 'ALTERNATE', 'WON'] }) outcome: string;
  @ApiProperty() message: string;
  @ApiPropertyOptional({ nullable: true, enum: ['pending', 'verified', 'rejected', 'revoked'] }) registrationStatus: string | null;
  @ApiPropertyOptional({ nullable: true }) drawId: string | null;
  @ApiPropertyOptional({ nullable: true }) period: string | null;
  @ApiPropertyOptional({ nullable: true }) drawStatus: string | null;
  @ApiPropertyOptional({ nullable: true }) tickets: number | null;
  @ApiPropertyOptional({ nullable: true }) alternateRank: number | null;
  @ApiPropertyOptional({ type: CheckPrizeDto, nullable: true }) prize: CheckPrizeDto | null;
}

export class BandDto {
  @ApiProperty({ example: '¥100–200' }) label: string;
  @ApiProperty() minCents: number;
  @ApiPropertyOptional({ nullable: true }) maxCents: number | null;
  @ApiProperty() entries: number;
  @ApiProperty() tickets: number;
  @ApiProperty({ description: 'tickets / all tickets (0..1)' }) ticketShare: number;
  @ApiPropertyOptional({ nullable: true }) winners: number | null;
  @ApiPropertyOptional({ nullable: true, description: 'winners / all winners (0..1)' }) winnerShare: number | null;
  @ApiPropertyOptional({ nullable: true }) prizeCents: number | null;
  @ApiPropertyOptional({ nullable: true, description: 'prize money / all prize money (0..1)' }) prizeShare: number | null;
}

export class BandsDto {
  @ApiProperty() drawId: string;
  @ApiProperty() status: string;
  @ApiProperty() entries: number;
  @ApiProperty() tickets: number;
  @ApiPropertyOptional({ nullable: true }) winners: number | null;
  @ApiPropertyOptional({ nullable: true }) prizeCents: number | null;
  @ApiProperty({ type: [BandDto] }) bands: BandDto[];
}

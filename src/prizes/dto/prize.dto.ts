import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsString, Matches, MaxLength, MinLength } from 'class-validator';
import type { PrizeKind, PrizeStatus } from '../prize.entity.js';
import { BANK_ACCOUNT_PATTERN, normalizeBankAccount } from '../bank-account.js';

export class ClaimPrizeDto {
  @ApiProperty({ example: '中国工商银行郑州分行', description: 'the bank (and branch) of the account, 2-100 characters' })
  @Transform(({ value }) => (typeof value === 'string' ? value.trim() : value))
  @IsString()
  @MinLength(2)
  @MaxLength(100)
  @Matches(/^[^\u0000-\u001f\u007f]*$/, { message: 'bankName must not contain control characters' })
  bankName: string;

  @ApiProperty({ example: '6222 0212 3456 7890 123', description: '12-19 digits; spaces and dashes are ignored' })
  @Transform(({ value }) => normalizeBankAccount(value))
  @IsString()
  @Matches(BANK_ACCOUNT_PATTERN, { message: 'bankAccount must be 12 to 19 digits' })
  bankAccount: string;
}

export class PrizeViewDto {
  @ApiProperty() id: number;
  @ApiProperty({ enum: ['draw', 'instant'], description: 'draw: a periodic draw; instant: an instant win (drawId is the instant day, slot its log position)' }) kind: PrizeKind;
  @ApiProperty({ example: 'henan-2022-2022-08' }) drawId: string;
  @ApiProperty({ example: '2022-08', description: "the draw's period, or an instant prize's day (YYYY-MM-DD)" }) period: string;
  @ApiProperty() tier: number;
  @ApiProperty({ example: '一等奖' }) tierName: string;
  @ApiProperty({ description: '1-based index of the prize within its tier' }) slot: number;
  @ApiProperty({ description: 'true when this prize passed to you as an alternate' }) asAlternate: boolean;
  @ApiProperty({ description: 'prize value, integer cents' }) grossCents: number;
  @ApiProperty({ description: 'income tax withheld (偶然所得, 20% above ¥800), integer cents' }) taxCents: number;
  @ApiProperty({ description: 'paid out: gross - tax, integer cents' }) netCents: number;
  @ApiProperty({ enum: ['awaiting_check', 'awaiting_claim', 'claimed', 'forfeited', 'revoked'], description: 'awaiting_check: an instant prize waiting for its second check (payableAt)' }) status: PrizeStatus;
  @ApiProperty({ description: 'true while it can be claimed now (awaiting claim, before the deadline)' }) claimable: boolean;
  @ApiProperty() claimDeadline: string;
  @ApiProperty({ nullable: true, type: String }) claimedAt: string | null;
  @ApiProperty({ nullable: true, type: String }) bankName: string | null;
  @ApiProperty({ nullable: true, type: String, example: '6222 **** **** 0123' }) bankAccount: string | null;
  @ApiProperty({ example: '****5678', description: 'the winning invoice, masked' }) invoiceNumber: string;
  @ApiProperty({ nullable: true, type: String, description: 'forfeited or revoked at' }) endedAt: string | null;
  @ApiProperty({ nullable: true, type: String, example: 'CLAIM_WINDOW_EXPIRED' }) endReason: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'instant prizes: when the second check of the invoice is due' }) payableAt: string | null;
}

export class PrizeListDto {
  @ApiProperty({ type: [PrizeViewDto] }) items: PrizeViewDto[];
}

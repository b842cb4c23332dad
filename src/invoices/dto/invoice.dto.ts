import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import type { InvoiceStatus } from '../invoice.entity.js';

/**
 * Either `{ qr }` (the text of the invoice's QR code), the typed fields, or `{ file, fileName? }` (the
 * e-invoice file as issued: PDF, OFD or the tax system's XML, in base64; see invoices/files). The body is validated by the
 * pure parsers in invoices/domain (QR_MALFORMED / VALIDATION_FAILED), not by class-validator, so this
 * class documents the shape for OpenAPI only.
 */
export class RegisterInvoiceDto {
  @ApiPropertyOptional({ example: '01,10,041002200111,12345678,128.50,20220812,12345678901234567890,AB12,' })
  qr?: string;
  @ApiPropertyOptional({ example: '10' }) invoiceType?: string;
  @ApiPropertyOptional({ example: '041002200111', description: "10 or 12 digits; '' for fully digital (type 32)" }) invoiceCode?: string;
  @ApiPropertyOptional({ example: '12345678', description: '8 digits; 20 for fully digital' }) invoiceNumber?: string;
  @ApiPropertyOptional({ example: '2022-08-12' }) issueDate?: string;
  @ApiPropertyOptional({ example: '128.50', description: 'yuan as a string, at most 2 decimals' }) amount?: string;
  @ApiPropertyOptional({ example: '567890', description: '20 digits, or the last 6' }) checkCode?: string;
  @ApiPropertyOptional({
    description:
      'the e-invoice file (PDF, OFD or tax XML) in standard base64, at most 768,000 bytes before encoding; a data: URL prefix is accepted. ' +
      'Refusals: 413 FILE_TOO_LARGE / FILE_UNPACKED_TOO_LARGE, 415 FILE_TYPE_UNSUPPORTED, 422 FILE_UNREADABLE / FILE_TOO_MANY_PAGES / FILE_NOT_AN_INVOICE / FILE_QR_TEXT_MISMATCH / FILE_READ_TIMEOUT, ' +
      '503 SERVICE_UNAVAILABLE when too many files are being read at once',
    format: 'byte',
  })
  file?: string;
  @ApiPropertyOptional({ example: 'dzfp_26432000000000123456.pdf', description: 'informational only; the kind is read from the content' }) fileName?: string;
}

export class InstantOutcomeDto {
  @ApiProperty({
    enum: ['drawn', 'not-entered', 'pending'],
    description: 'drawn: the outcome below; not-entered: no instant draw (reason); pending: the worker has not answered yet (shown on GET /api/v1/invoices/:id when it has, and a notice for a prize)',
  })
  status: 'drawn' | 'not-entered' | 'pending';
  @ApiPropertyOptional({ example: 'zhuzhou-2026-instant-2026-11-03', description: 'the instant-draw day (ILI-1 day id)' }) dayId?: string;
  @ApiPropertyOptional({ description: "the registration's position in the day's published log (the receipt)" }) position?: number;
  @ApiPropertyOptional({ example: 'instant-100', description: 'the instant pool (band) of the amount' }) band?: string;
  @ApiPropertyOptional({ description: 'the tier won, 0 for no prize' }) outcome?: number;
  @ApiPropertyOptional({ example: '30元红包' }) tierName?: string;
  @ApiPropertyOptional({ description: 'integer cents' }) prizeCents?: number;
  @ApiPropertyOptional({ description: 'when the second check of the invoice is due; the prize is claimable after it passes' }) payableAt?: string;
  @ApiPropertyOptional({
    enum: ['REGISTRATION_NOT_FOUND', 'REGISTRATION_REJECTED', 'NOT_IN_INSTANT_BAND', 'OUTSIDE_INSTANT_DAYS', 'INSTANT_DAY_CLOSED', 'ALREADY_DRAWN_TODAY'],
    description: 'why not entered',
  })
  reason?: string;
}

export class RegistrationResultDto {
  @ApiProperty() id: number;
  @ApiProperty({ enum: ['verified', 'pending', 'revoked'], description: 'revoked only when answering a retry of a registration revoked since' }) status: InvoiceStatus;
  @ApiProperty({ description: 'tickets in the period draw (0 while pending)' }) tickets: number;
  @ApiPropertyOptional({ description: 'why the invoice is not (yet) in the draw' }) reason?: string;
  @ApiPropertyOptional({ type: InstantOutcomeDto, description: 'campaigns with instant draws, an amount in an instant band: the instant outcome' })
  instant?: InstantOutcomeDto;
}

export class InvoiceViewDto {
  @ApiProperty() id: number;
  @ApiProperty() invoiceType: string;
  @ApiProperty() invoiceCode: string;
  @ApiProperty() invoiceNumber: string;
  @ApiProperty() issueDate: string;
  @ApiProperty({ description: 'integer cents, as claimed' }) amountCents: number;
  @ApiProperty({ enum: ['pending', 'verified', 'rejected', 'revoked'] }) status: InvoiceStatus;
  @ApiPropertyOptional() reason?: string;
  @ApiProperty() tickets: number;
  @ApiProperty() campaignId: string;
  @ApiProperty({ description: "draw period: 'YYYY-MM', 'YYYY-MMa'/'YYYY-MMb' (half months) or the campaign's own key" }) period: string;
  @ApiProperty({ enum: ['manual', 'auto'], description: 'registered by the consumer, or entered automatically (自动参与)' }) source: 'manual' | 'auto';
  @ApiProperty() registeredAt: string;
  @ApiPropertyOptional({ type: InstantOutcomeDto, description: 'GET one registration: its instant outcome when its amount is in an instant band (pending until drawn)' })
  instant?: InstantOutcomeDto;
}

export class InvoicePageDto {
  @ApiProperty({ type: [InvoiceViewDto] }) items: InvoiceViewDto[];
  @ApiProperty() page: number;
  @ApiProperty() pageSize: number;
  @ApiProperty() total: number;
}

export class ListInvoicesQueryDto {
  @ApiPropertyOptional({ default: 1 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(10000) page?: number;
  @ApiPropertyOptional({ default: 20 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(100) pageSize?: number;
}

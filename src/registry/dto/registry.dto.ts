import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsObject, IsString, Matches, ValidateNested } from 'class-validator';
import { RECORD_FIELDS } from '../domain/registry-record.js';

export const VOID_KINDS = ['voided', 'red'] as const;
export type VoidKind = (typeof VOID_KINDS)[number];
export const MAX_VOID_INVOICES = 10_000;

export class VoidInvoiceItemDto {
  @ApiProperty({ example: '041002200111', description: "10 or 12 digits; '' for a fully digital invoice" })
  @IsString()
  @Matches(/^(?:\d{10}|\d{12})?$/, { message: 'invoiceCode must be 10 or 12 digits, or empty for a fully digital invoice' })
  invoiceCode: string;

  @ApiProperty({ example: '00012345', description: '8 digits; 20 for a fully digital invoice' })
  @IsString()
  @Matches(/^(?:\d{8}|\d{20})$/, { message: 'invoiceNumber must be 8 or 20 digits' })
  invoiceNumber: string;

  @ApiProperty({ enum: VOID_KINDS, description: "'voided' (作废) or 'red' (红冲, reversed by a red-letter invoice)" })
  @IsIn(VOID_KINDS, { message: `kind must be one of ${VOID_KINDS.join(', ')}` })
  kind: VoidKind;
}

export class VoidInvoicesDto {
  @ApiProperty({ type: [VoidInvoiceItemDto], maxItems: MAX_VOID_INVOICES })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_VOID_INVOICES, { message: `at most ${MAX_VOID_INVOICES} invoices per call` })
  // ValidateNested alone descends into an item that is itself an array (validating its elements, none in
  // `[[]]`) instead of refusing it: each item must be a plain object.
  @IsObject({ each: true, message: 'each item of invoices must be an object' })
  @ValidateNested({ each: true })
  @Type(() => VoidInvoiceItemDto)
  invoices: VoidInvoiceItemDto[];
}

export class InvoiceIdentityDto {
  @ApiProperty() invoiceCode: string;
  @ApiProperty() invoiceNumber: string;
}

export class VoidResultDto {
  @ApiProperty({ description: 'records that gained the flag now' }) updated: number;
  @ApiProperty({ description: 'records that already carried the flag (a repeated call)' }) unchanged: number;
  @ApiProperty({ type: [InvoiceIdentityDto], description: 'identities with no registry record, each once, in request order' })
  notFound: InvoiceIdentityDto[];
}

export class RejectedLineDto {
  @ApiProperty({ description: '1-based line number in the body (blank lines count)' }) line: number;
  @ApiProperty({ enum: ['MALFORMED_JSON', 'MISSING_FIELD', 'INVALID_FIELD', 'LINE_TOO_LONG'] }) code: string;
  @ApiPropertyOptional({ enum: RECORD_FIELDS }) field?: string;
  @ApiProperty() message: string;
}

export class ImportSummaryDto {
  @ApiProperty({ description: 'id of this import (also in the recheck job)' }) importId: string;
  @ApiProperty({ description: 'physical lines read, blank ones included' }) lines: number;
  @ApiProperty({ description: 'records newly inserted' }) accepted: number;
  @ApiProperty({ description: 'lines that changed an existing record (including one created earlier in the same body)' }) updated: number;
  @ApiProperty({ description: 'lines identical to the stored record' }) unchanged: number;
  @ApiProperty({ description: 'all rejected lines' }) rejectedCount: number;
  @ApiProperty({ type: [RejectedLineDto], description: 'the first 1000 rejected lines' }) rejected: RejectedLineDto[];
}

import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsString, Matches, MaxLength, ValidateBy, type ValidationOptions } from 'class-validator';
import { normalizeMainlandMobile } from '../domain/phone.js';

/** Mainland mobile as accepted by normalizeMainlandMobile ('13812345678', '+86 13812345678'). */
function IsMainlandMobile(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isMainlandMobile',
      validator: {
        validate: (value: unknown) => normalizeMainlandMobile(value) !== null,
        // Never echo the value: it is personal data.
        defaultMessage: () => 'phone must be a mainland China mobile number (11 digits starting with 1)',
      },
    },
    options,
  );
}

/** Middle-dot look-alikes typed by Chinese input methods, all stored as U+00B7 '·'. */
const DOT_VARIANTS = /[•‧・･∙⋅]/g;
/**
 * 2–30 characters (code points) of Han script; a single middle dot may separate parts of minority names
 * (买买提·艾力), never first, last or doubled.
 */
const CHINESE_NAME = /^\p{Script=Han}+(?:·\p{Script=Han}+)*$/u;

export function normalizeRealName(value: unknown): unknown {
  return typeof value === 'string' ? value.trim().replace(DOT_VARIANTS, '·') : value;
}

function IsChineseRealName(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isChineseRealName',
      validator: {
        validate: (value: unknown) => {
          if (typeof value !== 'string' || !CHINESE_NAME.test(value)) return false;
          const length = Array.from(value).length;
          return length >= 2 && length <= 30;
        },
        defaultMessage: () => 'realName must be 2-30 Chinese characters (a middle dot · may separate parts of a name)',
      },
    },
    options,
  );
}

export class RequestOtpDto {
  @ApiProperty({ example: '13812345678', description: 'Mainland China mobile number, 11 digits starting with 1 (an optional +86 prefix is accepted)' })
  @IsString()
  @IsMainlandMobile()
  phone: string;
}

export class OtpIssuedDto {
  @ApiProperty({ example: 300, description: 'The code is valid this long' })
  expiresInSeconds: number;
}

export class ConsumerLoginDto {
  @ApiProperty({ example: '13812345678' })
  @IsString()
  @IsMainlandMobile()
  phone: string;

  @ApiProperty({ example: '123456', description: 'The 6-digit code sent by SMS' })
  @IsString()
  @Matches(/^\d{6}$/, { message: 'code must be 6 digits' })
  code: string;
}

export class ConsumerTokenDto {
  @ApiProperty() accessToken: string;
}

export class BindIdentityDto {
  @ApiProperty({ example: '张三', description: '2-30 Chinese characters; a middle dot · separates parts of minority names' })
  @Transform(({ value }) => normalizeRealName(value))
  @IsString()
  @IsChineseRealName()
  realName: string;

  @ApiProperty({ example: '41010519900307123X', description: '18-character resident identity number' })
  @IsString()
  @MaxLength(32)
  idNumber: string;
}

export class ConsumerIdentityStatusDto {
  @ApiProperty({ enum: ['verified', 'none'] }) status: 'verified' | 'none';
  @ApiProperty({ type: String, nullable: true, example: '4101**********123X', description: 'Masked' }) idNumber: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) verifiedAt: string | null;
}

export class ConsumerProfileDto {
  @ApiProperty() id: number;
  @ApiProperty({ example: '138****5678', description: 'Masked' }) phone: string;
  @ApiProperty({ type: String, nullable: true, example: '张*', description: 'Masked (surname only); null until verified' }) realName: string | null;
  @ApiProperty({ enum: ['verified', 'none'], description: 'verified only after the three-element check (name, ID number, phone)' })
  identityStatus: 'verified' | 'none';
  @ApiProperty({ description: 'Opted in to automatic entry of invoices issued to this ID number' }) autoEntry: boolean;
  @ApiProperty({ type: ConsumerIdentityStatusDto }) identity: ConsumerIdentityStatusDto;
}

export class UpdateMeDto {
  @ApiProperty({ description: 'Opt in (true, needs a verified identity) or out (false) of automatic entry (自动参与)' })
  @IsBoolean()
  autoEntry: boolean;
}

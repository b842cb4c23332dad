import { ApiProperty } from '@nestjs/swagger';
import { ArrayMinSize, ArrayUnique, IsArray, IsBoolean, IsIn, IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { STAFF_ROLES, type StaffRole } from '../../auth/auth-subject.js';

export class StaffLoginDto {
  @ApiProperty() @IsString() @MaxLength(64) username: string;
  @ApiProperty() @IsString() @MaxLength(256) password: string;
}

export class CreateStaffDto {
  @ApiProperty({ example: 'operator.li' })
  @IsString()
  @Matches(/^[A-Za-z0-9_.-]{3,64}$/, { message: 'username must be 3-64 letters, digits, dot, dash or underscore' })
  username: string;

  @ApiProperty({ minLength: 12 })
  @IsString()
  @MinLength(12, { message: 'password must be at least 12 characters' })
  @MaxLength(256)
  password: string;

  @ApiProperty({ enum: STAFF_ROLES, isArray: true })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayUnique()
  @IsIn(STAFF_ROLES, { each: true })
  roles: StaffRole[];
}

export class AccessTokenDto {
  @ApiProperty() accessToken: string;
}

export class StaffAccountDto {
  @ApiProperty() id: number;
  @ApiProperty() username: string;
  @ApiProperty({ enum: STAFF_ROLES, isArray: true }) roles: StaffRole[];
  @ApiProperty({ description: 'false: deactivated (cannot sign in; tokens refused)' }) active: boolean;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
}

export class UpdateStaffDto {
  @ApiProperty({ enum: STAFF_ROLES, isArray: true, required: false })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayUnique()
  @IsIn(STAFF_ROLES, { each: true })
  roles?: StaffRole[];

  @ApiProperty({ required: false, description: 'false deactivates the account, true reactivates it' })
  @IsOptional()
  @IsBoolean()
  active?: boolean;
}

export class ResetStaffPasswordDto {
  @ApiProperty({ minLength: 12 })
  @IsString()
  @MinLength(12, { message: 'password must be at least 12 characters' })
  @MaxLength(256)
  password: string;
}

export class StaffAuditEntryDto {
  @ApiProperty() id: number;
  @ApiProperty() actorId: number;
  @ApiProperty() actorUsername: string;
  @ApiProperty({ example: 'update' }) action: string;
  @ApiProperty({ type: Number, nullable: true }) targetId: number | null;
  @ApiProperty() targetUsername: string;
  @ApiProperty({ description: "'done', 'unchanged' or the refusal's reason code" }) outcome: string;
  @ApiProperty({ type: Object, nullable: true }) detail: Record<string, unknown> | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

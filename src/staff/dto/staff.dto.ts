import { ApiProperty } from '@nestjs/swagger';
import { ArrayMinSize, ArrayUnique, IsArray, IsIn, IsString, Matches, MaxLength, MinLength } from 'class-validator';
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
  @ApiProperty() createdAt: string;
}

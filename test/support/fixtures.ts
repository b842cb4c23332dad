import type { INestApplicationContext } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { TokenService } from '../../src/auth/token.service.js';
import { Consumer } from '../../src/consumers/consumer.entity.js';
import { makeResidentId } from '../../src/consumers/domain/resident-id.js';
import { PiiProtector } from '../../src/core/crypto/pii.js';
import { maskIdNumber, maskPhone } from '../../src/core/masking.js';
import { RegistryInvoice } from '../../src/registry/registry-invoice.entity.js';
import type { RegistryFlag } from '../../src/registry/domain/registry-record.js';

/**
 * Direct-to-database fixtures for tests of features that stand on consumers and registry records
 * (the consumer and registry endpoints have their own e2e tests).
 */
let phoneCounter = 0;

export async function createConsumer(
  app: INestApplicationContext,
  options: { realName?: string | null; verified?: boolean } = {},
): Promise<{ id: number; token: string; phone: string; idNumber: string | null; realName: string | null }> {
  const dataSource = app.get<DataSource>(getDataSourceToken());
  const pii = app.get(PiiProtector);
  phoneCounter += 1;
  const phone = `139${String(process.pid % 10000).padStart(4, '0')}${String(phoneCounter).padStart(4, '0')}`;
  const verified = options.verified ?? true;
  const realName = options.realName === undefined ? '张三' : options.realName;
  const idNumber = verified ? makeResidentId('410105', '19900307', String(phoneCounter % 1000).padStart(3, '0')) : null;
  const consumer = dataSource.getRepository(Consumer).create({
    phoneHash: pii.lookupHash('phone', phone),
    phoneMasked: maskPhone(phone),
    phoneEncrypted: pii.encrypt(phone),
    realName: verified ? realName : null,
    // Keyed by the counter too, so fixtures never collide on the one-identity-one-account key.
    idNumberHash: idNumber ? pii.lookupHash('identity', `${idNumber}:${phoneCounter}`) : null,
    idNumberMasked: idNumber ? maskIdNumber(idNumber) : null,
    identityVerifiedAt: verified ? new Date('2022-07-01T00:00:00Z') : null,
    createdAt: new Date('2022-07-01T00:00:00Z'),
  });
  await dataSource.getRepository(Consumer).insert(consumer);
  return { id: consumer.id, token: app.get(TokenService).issueConsumerToken(consumer.id), phone, idNumber, realName: consumer.realName };
}

export interface RegistryFixture {
  invoiceType?: string;
  invoiceCode: string;
  invoiceNumber: string;
  issueDate: string;
  amountCents: number;
  taxCents?: number;
  checkCode?: string | null;
  buyerType?: 'individual' | 'organization';
  buyerName?: string | null;
  flags?: RegistryFlag[];
}

export async function insertRegistryRecord(app: INestApplicationContext, r: RegistryFixture): Promise<void> {
  const dataSource = app.get<DataSource>(getDataSourceToken());
  const taxCents = r.taxCents ?? Math.round(r.amountCents * 0.13);
  await dataSource.getRepository(RegistryInvoice).insert({
    invoiceType: r.invoiceType ?? '10',
    invoiceCode: r.invoiceCode,
    invoiceNumber: r.invoiceNumber,
    issueDate: r.issueDate,
    amountCents: r.amountCents,
    taxCents,
    totalCents: r.amountCents + taxCents,
    checkCode: r.checkCode === undefined ? '12345678901234567890' : r.checkCode,
    sellerTaxId: '91410100MA40000000',
    sellerName: '郑州测试商贸有限公司',
    buyerType: r.buyerType ?? 'individual',
    buyerName: r.buyerName === undefined ? null : r.buyerName,
    flags: r.flags ?? [],
    importedAt: new Date(),
    updatedAt: new Date(),
  });
}

/** A Henan 12-digit invoice code (region 4101, Zhengzhou) and a unique 8-digit number per call. */
let numberCounter = 0;
export function henanInvoice(): { invoiceCode: string; invoiceNumber: string } {
  numberCounter += 1;
  return { invoiceCode: '041012200111', invoiceNumber: String(10_000_000 + (process.pid % 1000) * 10_000 + numberCounter).slice(-8) };
}

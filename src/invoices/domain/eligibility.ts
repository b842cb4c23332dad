import type { IntakeRules } from '../../campaigns/campaign-definition.js';
import { formatCents } from '../../core/money.js';
import { daysBetween } from '../../core/time/shanghai.js';
import { isInRegion, type InvoiceClaim } from './invoice-fields.js';

/**
 * Whether a well-formed claim may be registered in the campaign. Rules are checked in the fixed order
 * of INTAKE_REJECTION_CODES and the first failure is returned (null = eligible). Invoice rules come
 * first, then the consumer's and the period's state, so a consumer who is over the limit still learns
 * that an invoice would not have counted anyway.
 */

export const INTAKE_REJECTION_CODES = [
  'INELIGIBLE_TYPE',
  'CHECK_CODE_REQUIRED',
  'OUTSIDE_REGION',
  'ISSUE_DATE_IN_FUTURE',
  'OUTSIDE_CAMPAIGN',
  'REGISTRATION_TOO_LATE',
  'AMOUNT_TOO_SMALL',
  'IDENTITY_REQUIRED',
  'PERIOD_CLOSED',
  'DAILY_LIMIT_REACHED',
  'MONTHLY_LIMIT_REACHED',
  'CAMPAIGN_LIMIT_REACHED',
] as const;

export type IntakeRejectionCode = (typeof INTAKE_REJECTION_CODES)[number];

export interface IntakeRejection {
  code: IntakeRejectionCode;
  message: string;
}

export type EligibilityRules = IntakeRules & {
  /** First and last issue dates of the campaign, 'YYYY-MM-DD' (Shanghai), inclusive. */
  campaignStart: string;
  campaignEnd: string;
};

export interface EligibilityContext {
  /** Shanghai date ('YYYY-MM-DD') of the service clock. */
  today: string;
  identityVerified: boolean;
  periodClosed: boolean;
  /** Invoices this consumer already registered today / this calendar month (Shanghai), before this one. */
  registeredToday: number;
  registeredThisMonth: number;
  /** Invoices this consumer already registered in this campaign, before this one (only read with intake.campaignLimit). */
  registeredInCampaign: number;
}

type ClaimFields = Pick<InvoiceClaim, 'invoiceType' | 'invoiceCode' | 'invoiceNumber' | 'issueDate' | 'amountCents' | 'checkCode'>;

/**
 * Returns the first failing rule, or null when the claim is eligible. Dates are 'YYYY-MM-DD'
 * strings, which compare correctly as strings; a malformed date is a programming error and throws.
 *
 * CHECK_CODE_REQUIRED honors `checkCodeRequiredTypes` exactly, for QR and typed claims alike. Note that
 * fully digital (数电, types 31/32) invoices have no check code at all — their QR codes carry an empty
 * check-code field and the verification platform asks for the amount instead — so listing '32' there
 * makes every type-32 invoice fail. Such a campaign file is a configuration error, not something this
 * function silently corrects.
 */
export function checkEligibility(claim: ClaimFields, rules: EligibilityRules, ctx: EligibilityContext): IntakeRejection | null {
  if (!rules.eligibleTypes.includes(claim.invoiceType)) {
    return { code: 'INELIGIBLE_TYPE', message: `invoices of type ${claim.invoiceType} do not take part in this campaign` };
  }
  if (rules.checkCodeRequiredTypes.includes(claim.invoiceType) && (claim.checkCode === null || claim.checkCode === '')) {
    return { code: 'CHECK_CODE_REQUIRED', message: `a check code is required for invoices of type ${claim.invoiceType}` };
  }
  if (!isInRegion(claim, rules.regionPrefixes)) {
    return { code: 'OUTSIDE_REGION', message: 'the invoice was not issued in the campaign region' };
  }
  if (claim.issueDate > ctx.today) {
    return { code: 'ISSUE_DATE_IN_FUTURE', message: `issue date ${claim.issueDate} is after today (${ctx.today})` };
  }
  if (claim.issueDate < rules.campaignStart || claim.issueDate > rules.campaignEnd) {
    return {
      code: 'OUTSIDE_CAMPAIGN',
      message: `issue date ${claim.issueDate} is outside the campaign (${rules.campaignStart} to ${rules.campaignEnd})`,
    };
  }
  const age = daysBetween(claim.issueDate, ctx.today);
  if (age > rules.registrationWindowDays) {
    return {
      code: 'REGISTRATION_TOO_LATE',
      message: `invoices must be registered within ${rules.registrationWindowDays} days of issue (this one is ${age} days old)`,
    };
  }
  if (claim.amountCents < rules.minAmountCents) {
    return { code: 'AMOUNT_TOO_SMALL', message: `the invoice amount is below the minimum of ¥${formatCents(rules.minAmountCents)}` };
  }
  if (!ctx.identityVerified) {
    return { code: 'IDENTITY_REQUIRED', message: 'verify your identity before registering invoices' };
  }
  if (ctx.periodClosed) {
    return { code: 'PERIOD_CLOSED', message: 'the draw period of this invoice is closed for registration' };
  }
  if (ctx.registeredToday >= rules.dailyLimit) {
    return { code: 'DAILY_LIMIT_REACHED', message: `at most ${rules.dailyLimit} invoices can be registered a day` };
  }
  if (ctx.registeredThisMonth >= rules.monthlyLimit) {
    return { code: 'MONTHLY_LIMIT_REACHED', message: `at most ${rules.monthlyLimit} invoices can be registered a month` };
  }
  if (rules.campaignLimit !== undefined && ctx.registeredInCampaign >= rules.campaignLimit) {
    return { code: 'CAMPAIGN_LIMIT_REACHED', message: `at most ${rules.campaignLimit} invoices can be registered in this campaign` };
  }
  return null;
}

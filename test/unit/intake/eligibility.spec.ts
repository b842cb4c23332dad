import fc from 'fast-check';
import { checkEligibility, INTAKE_REJECTION_CODES, type EligibilityContext, type EligibilityRules } from '../../../src/invoices/domain/eligibility.js';
import type { InvoiceClaim } from '../../../src/invoices/domain/invoice-fields.js';
import { DIGITAL_CLAIM, ELIGIBILITY_RULES, PAPERLESS_CLAIM } from './fixtures.js';

const CTX: EligibilityContext = { today: '2022-08-10', identityVerified: true, periodClosed: false, registeredToday: 0, registeredThisMonth: 0, registeredInCampaign: 0 };

function check(claim: Partial<InvoiceClaim> = {}, ctx: Partial<EligibilityContext> = {}, rules: Partial<EligibilityRules> = {}) {
  return checkEligibility({ ...PAPERLESS_CLAIM, ...claim }, { ...ELIGIBILITY_RULES, ...rules }, { ...CTX, ...ctx });
}

describe('checkEligibility', () => {
  it('exports the codes in rule order', () => {
    expect(INTAKE_REJECTION_CODES).toEqual([
      'INELIGIBLE_TYPE', 'CHECK_CODE_REQUIRED', 'OUTSIDE_REGION', 'ISSUE_DATE_IN_FUTURE', 'OUTSIDE_CAMPAIGN', 'REGISTRATION_TOO_LATE',
      'AMOUNT_TOO_SMALL', 'IDENTITY_REQUIRED', 'PERIOD_CLOSED', 'DAILY_LIMIT_REACHED', 'MONTHLY_LIMIT_REACHED',
      'CAMPAIGN_LIMIT_REACHED',
    ]);
  });

  it('accepts an eligible electronic invoice and a fully digital QR without check code', () => {
    expect(check()).toBeNull();
    expect(checkEligibility(DIGITAL_CLAIM, ELIGIBILITY_RULES, CTX)).toBeNull();
    expect(check({ invoiceType: '04', invoiceCode: '4100162130', checkCode: null })).toBeNull();
    expect(check({ checkCode: '567890', source: 'typed' })).toBeNull();
  });

  it.each([
    ['INELIGIBLE_TYPE', 'special invoice 01', { invoiceType: '01' }, {}, {}],
    ['INELIGIBLE_TYPE', 'fully digital special 31', { ...DIGITAL_CLAIM, invoiceType: '31' }, {}, {}],
    ['CHECK_CODE_REQUIRED', 'type 10 without check code', { checkCode: null }, {}, {}],
    ['CHECK_CODE_REQUIRED', 'type 10 with empty check code', { checkCode: '' }, {}, {}],
    ['CHECK_CODE_REQUIRED', 'type 32 when the config lists 32', { ...DIGITAL_CLAIM }, {}, { checkCodeRequiredTypes: ['10', '32'] }],
    ['OUTSIDE_REGION', 'Beijing code', { invoiceCode: '011002200111' }, {}, {}],
    ['OUTSIDE_REGION', 'Guangdong fully digital', { ...DIGITAL_CLAIM, invoiceNumber: '22442000000012345678' }, {}, {}],
    ['OUTSIDE_REGION', 'city-level prefix with a fully digital number', { ...DIGITAL_CLAIM }, {}, { regionPrefixes: ['4101'] }],
    ['ISSUE_DATE_IN_FUTURE', 'tomorrow', { issueDate: '2022-08-11' }, {}, {}],
    ['ISSUE_DATE_IN_FUTURE', 'future and outside the campaign', { issueDate: '2023-01-05' }, { today: '2022-12-31' }, {}],
    ['OUTSIDE_CAMPAIGN', 'day before the start', { issueDate: '2022-07-14' }, {}, {}],
    ['OUTSIDE_CAMPAIGN', 'day after the end', { issueDate: '2023-01-01' }, { today: '2023-01-02' }, {}],
    ['REGISTRATION_TOO_LATE', '91 days old', { issueDate: '2022-07-15' }, { today: '2022-10-14' }, {}],
    ['REGISTRATION_TOO_LATE', 'window 0 is not possible but 1 day: 2 days old', { issueDate: '2022-08-08' }, {}, { registrationWindowDays: 1 }],
    ['AMOUNT_TOO_SMALL', '19.99', { amountCents: 1999 }, {}, {}],
    ['AMOUNT_TOO_SMALL', 'zero', { amountCents: 0 }, {}, {}],
    ['IDENTITY_REQUIRED', 'not verified', {}, { identityVerified: false }, {}],
    ['PERIOD_CLOSED', 'closed', {}, { periodClosed: true }, {}],
    ['DAILY_LIMIT_REACHED', '5 today', {}, { registeredToday: 5 }, {}],
    ['DAILY_LIMIT_REACHED', '6 today', {}, { registeredToday: 6, registeredThisMonth: 50 }, {}],
    ['MONTHLY_LIMIT_REACHED', '45 this month', {}, { registeredToday: 4, registeredThisMonth: 45 }, {}],
    ['CAMPAIGN_LIMIT_REACHED', '40 in the campaign', {}, { registeredToday: 2, registeredThisMonth: 19, registeredInCampaign: 40 }, { campaignLimit: 40 }],
    ['MONTHLY_LIMIT_REACHED', 'the month first, then the campaign', {}, { registeredThisMonth: 45, registeredInCampaign: 40 }, { campaignLimit: 40 }],
  ] as const)('%s: %s', (code, _label, claim, ctx, rules) => {
    expect(check(claim as Partial<InvoiceClaim>, ctx, rules as Partial<EligibilityRules>)).toMatchObject({ code, message: expect.any(String) });
  });

  it.each([
    ['first day of the campaign', { issueDate: '2022-07-15' }, { today: '2022-07-15' }],
    ['last day of the campaign', { issueDate: '2022-12-31' }, { today: '2022-12-31' }],
    ['issued today', { issueDate: '2022-08-10' }, {}],
    ['exactly 90 days old', { issueDate: '2022-07-15' }, { today: '2022-10-13' }],
    ['exactly the minimum', { amountCents: 2000 }, {}],
    ['4 today, 44 this month', {}, { registeredToday: 4, registeredThisMonth: 44 }],
    ['across a month end', { issueDate: '2022-08-31' }, { today: '2022-09-01' }],
  ] as const)('boundary accepted: %s', (_label, claim, ctx) => {
    expect(check(claim, ctx)).toBeNull();
  });

  it('reports the first failing rule in the fixed order', () => {
    // everything wrong at once -> INELIGIBLE_TYPE, then peel the failures off one by one
    const everything = {
      claim: { invoiceType: '01', checkCode: null, invoiceCode: '011002200111', issueDate: '2022-07-01', amountCents: 1 },
      ctx: { today: '2022-06-30', identityVerified: false, periodClosed: true, registeredToday: 9, registeredThisMonth: 99, registeredInCampaign: 500 },
    };
    const steps: [string, () => void][] = [
      ['INELIGIBLE_TYPE', () => Object.assign(everything.claim, { invoiceType: '10' })],
      ['CHECK_CODE_REQUIRED', () => Object.assign(everything.claim, { checkCode: '12345678901234567890' })],
      ['OUTSIDE_REGION', () => Object.assign(everything.claim, { invoiceCode: '041012200111' })],
      ['ISSUE_DATE_IN_FUTURE', () => Object.assign(everything.ctx, { today: '2022-11-30' })],
      ['OUTSIDE_CAMPAIGN', () => Object.assign(everything.claim, { issueDate: '2022-07-20' })],
      ['REGISTRATION_TOO_LATE', () => Object.assign(everything.ctx, { today: '2022-08-20' })],
      ['AMOUNT_TOO_SMALL', () => Object.assign(everything.claim, { amountCents: 2000 })],
      ['IDENTITY_REQUIRED', () => Object.assign(everything.ctx, { identityVerified: true })],
      ['PERIOD_CLOSED', () => Object.assign(everything.ctx, { periodClosed: false })],
      ['DAILY_LIMIT_REACHED', () => Object.assign(everything.ctx, { registeredToday: 0 })],
      ['MONTHLY_LIMIT_REACHED', () => Object.assign(everything.ctx, { registeredThisMonth: 0 })],
      ['CAMPAIGN_LIMIT_REACHED', () => Object.assign(everything.ctx, { registeredInCampaign: 0 })],
    ];
    for (const [code, fix] of steps) {
      expect(check(everything.claim, everything.ctx, { campaignLimit: 40 })?.code).toBe(code);
      fix();
    }
    expect(check(everything.claim, everything.ctx, { campaignLimit: 40 })).toBeNull();
  });

  it('property: result is null or a known code, and the limits are monotonic', () => {
    fc.assert(
      fc.property(
        fc.record({
          invoiceType: fc.constantFrom('01', '04', '10', '11', '32'),
          issueOffset: fc.integer({ min: -200, max: 200 }),
          amountCents: fc.integer({ min: 0, max: 10_000 }),
          checkCode: fc.option(fc.constant('12345678901234567890'), { nil: null }),
          identityVerified: fc.boolean(),
          periodClosed: fc.boolean(),
          registeredToday: fc.integer({ min: 0, max: 10 }),
          registeredThisMonth: fc.integer({ min: 0, max: 60 }),
        }),
        (p) => {
          const today = '2022-09-30';
          const issueDate = new Date(Date.UTC(2022, 8, 30 + p.issueOffset)).toISOString().slice(0, 10);
          const claim = { ...PAPERLESS_CLAIM, invoiceType: p.invoiceType, issueDate, amountCents: p.amountCents, checkCode: p.checkCode };
          const ctx = { today, identityVerified: p.identityVerified, periodClosed: p.periodClosed, registeredToday: p.registeredToday, registeredThisMonth: p.registeredThisMonth, registeredInCampaign: p.registeredThisMonth };
          const r = checkEligibility(claim, ELIGIBILITY_RULES, ctx);
          if (r !== null) expect(INTAKE_REJECTION_CODES).toContain(r.code);
          // registering more never turns a rejection into an acceptance
          const more = checkEligibility(claim, ELIGIBILITY_RULES, { ...ctx, registeredToday: ctx.registeredToday + 1, registeredThisMonth: ctx.registeredThisMonth + 1, registeredInCampaign: ctx.registeredInCampaign + 1 });
          if (r !== null) expect(more).not.toBeNull();
        },
      ),
      { numRuns: 500 },
    );
  });
});

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeNumber, deriveAreaCode } from '../../src/matching';

describe('number normalisation and classification', () => {
  const cases: { input: string; country: string; area?: string; e164: string | null; category: string; digits?: string }[] = [
    // Australia
    { input: '03 9123 4567', country: 'AU', area: '3', e164: '+61391234567', category: 'local' },
    { input: '03 9123 4567', country: 'AU', area: '2', e164: '+61391234567', category: 'national' },
    { input: '(02) 9876 5432', country: 'AU', e164: '+61298765432', category: 'national' },
    { input: '9123 4567', country: 'AU', area: '3', e164: '+61391234567', category: 'local' },
    { input: '0412 345 678', country: 'AU', e164: '+61412345678', category: 'mobile' },
    { input: '+61 412 345 678', country: 'AU', e164: '+61412345678', category: 'mobile' },
    { input: '61412345678', country: 'AU', e164: '+61412345678', category: 'mobile' },
    { input: '13 12 34', country: 'AU', e164: '+61131234', category: 'shared_cost' },
    { input: '1300 123 456', country: 'AU', e164: '+611300123456', category: 'shared_cost' },
    { input: '1800 123 456', country: 'AU', e164: '+611800123456', category: 'toll_free' },
    { input: '611800123456', country: 'AU', e164: '+611800123456', category: 'toll_free' },
    { input: '1900 123 456', country: 'AU', e164: '+611900123456', category: 'premium' },
    { input: '0011 44 20 7946 0958', country: 'AU', e164: '+442079460958', category: 'international' },
    { input: '+1 415 555 0123', country: 'AU', e164: '+14155550123', category: 'international' },
    { input: '000', country: 'AU', e164: null, category: 'emergency', digits: '000' },
    { input: '112', country: 'AU', e164: null, category: 'emergency', digits: '112' },
    { input: '106', country: 'AU', e164: null, category: 'emergency', digits: '106' },
    { input: '1223', country: 'AU', e164: null, category: 'short_code', digits: '1223' },
    { input: '9123 4567', country: 'AU', e164: null, category: 'unknown' }, // no area code: not guessed
    // United Kingdom
    { input: '020 7946 0958', country: 'GB', area: '20', e164: '+442079460958', category: 'local' },
    { input: '0161 496 0000', country: 'GB', area: '20', e164: '+441614960000', category: 'national' },
    { input: '07400 123456', country: 'GB', e164: '+447400123456', category: 'mobile' },
    { input: '0800 123 4567', country: 'GB', e164: '+448001234567', category: 'toll_free' },
    { input: '0909 123 4567', country: 'GB', e164: '+449091234567', category: 'premium' },
    { input: '00 61 3 9123 4567', country: 'GB', e164: '+61391234567', category: 'international' },
    { input: '999', country: 'GB', e164: null, category: 'emergency', digits: '999' },
    // United States
    { input: '(212) 555-0100', country: 'US', area: '212', e164: '+12125550100', category: 'local' },
    { input: '1 415 555 0123', country: 'US', area: '212', e164: '+14155550123', category: 'national' },
    { input: '555-0100', country: 'US', area: '212', e164: '+12125550100', category: 'local' },
    { input: '1-800-555-0100', country: 'US', e164: '+18005550100', category: 'toll_free' },
    { input: '1-900-555-0100', country: 'US', e164: '+19005550100', category: 'premium' },
    { input: '011 44 20 7946 0958', country: 'US', e164: '+442079460958', category: 'international' },
    { input: '14155550123', country: 'US', e164: '+14155550123', category: 'national' },
    { input: '911', country: 'US', e164: null, category: 'emergency', digits: '911' },
    // 8x8 labels and junk
    { input: 'Voicemail (120088)', country: 'AU', e164: null, category: 'internal' },
    { input: 'CallQueue', country: 'AU', e164: null, category: 'internal' },
    { input: '', country: 'AU', e164: null, category: 'unknown' },
    { input: '+99912345678901', country: 'AU', e164: null, category: 'unknown' },
  ];
  for (const c of cases) {
    test(`${c.country} ${JSON.stringify(c.input)}${c.area ? ` (area ${c.area})` : ''} → ${c.e164 ?? '-'} ${c.category}`, () => {
      const n = analyzeNumber(c.input, { country: c.country, areaCode: c.area ?? null });
      assert.equal(n.e164, c.e164);
      assert.equal(n.category, c.category);
      if (c.digits !== undefined) assert.equal(n.digits, c.digits);
      if (c.e164) assert.equal(n.digits, c.e164.slice(1));
    });
  }
  test('area code derivation where the plan makes it unambiguous', () => {
    assert.equal(deriveAreaCode('+61391234567'), '3');
    assert.equal(deriveAreaCode('+12125550100'), '212');
    assert.equal(deriveAreaCode('+61412345678'), null);
    assert.equal(deriveAreaCode('+442079460958'), null);
  });
});

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseDuration } from '../../workflows/durations';
import { describeIssues, tenantSettingsSchema } from '../../workflows/tenant-settings';
import { zonedMidnight } from '../../workflows/zoned-time';

const good = {
  tenantId: 'acme',
  credentials: { apiKey: 'key-123', username: 'reporter@acme.example', password: 'pa&ss^word' },
  pbxes: 'acmesyd,acmemel',
  timeZone: 'Australia/Melbourne',
  earliestDate: '2026-01-01',
};

describe('tenant settings', () => {
  test('defaults fill in the cycle interval, lookback and window', () => {
    const s = tenantSettingsSchema.parse(good);
    assert.deepEqual([s.cycleInterval, s.lookback, s.window], ['15m', '24h', '1d']);
  });

  for (const [field, bad, expected] of [
    ['tenantId', 'Acme Corp', /^tenantId: /],
    ['pbxes', 'a,,b', /^pbxes: one PBX name/],
    ['pbxes', 'allpbxes,acme', /^pbxes: /],
    ['timeZone', 'Mars/Olympus', /^timeZone: an IANA time zone/],
    ['earliestDate', '2026-13-40', /^earliestDate: a real calendar date/],
    ['cycleInterval', 'soon', /^cycleInterval: a duration/],
    ['credentials', { apiKey: 'k', username: 'u' }, /^credentials\.password: /],
  ] as const) {
    test(`a bad ${field} is rejected with a message naming it`, () => {
      const r = tenantSettingsSchema.safeParse({ ...good, [field]: bad });
      assert.equal(r.success, false);
      assert.match(describeIssues(r.error!), expected);
    });
  }

  test('an error message never repeats the password', () => {
    const r = tenantSettingsSchema.safeParse({ ...good, credentials: { ...good.credentials, password: 42 } });
    assert.equal(r.success, false);
    assert.doesNotMatch(describeIssues(r.error!), /pa&ss/);
  });

  test('durations and zoned midnights', () => {
    assert.equal(parseDuration('15m'), 900_000);
    assert.equal(parseDuration('24 hours'), 86_400_000);
    assert.equal(parseDuration('1fortnight'), undefined);
    assert.equal(new Date(zonedMidnight('2026-01-15', 'Australia/Sydney')).toISOString(), '2026-01-14T13:00:00.000Z');
    assert.equal(new Date(zonedMidnight('2026-07-15', 'America/New_York')).toISOString(), '2026-07-15T04:00:00.000Z');
    // Sao Paulo had midnight DST starts; today it has none, but the arithmetic must stay exact across DST in general.
    assert.equal(new Date(zonedMidnight('2026-10-04', 'Australia/Sydney')).toISOString(), '2026-10-03T14:00:00.000Z');
  });
});

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildRateRequest, callRecordFromJson, matchCall, ServiceIndex, type CallRecord, type Service } from '../../src/matching';

function svc(o: Partial<Service> & Pick<Service, 'serviceId' | 'kind'>): Service {
  return { customerId: 'C1', departmentId: null, pbxName: 'pbx1', identifier: '', validFromMs: 0, validToMs: null, tariffGroup: null, areaCode: null, ...o };
}
function call(o: Partial<CallRecord>): CallRecord {
  return { callId: '1', pbxName: 'pbx1', direction: 'Outgoing', startMs: 1_000_000, connectMs: 1_000_500, disconnectMs: 1_060_500, talkMs: 60_000, caller: '', callee: '', dnis: '', callerIdNumber: '', ...o };
}

const services: Service[] = [
  svc({ serviceId: 'ext1001', kind: 'extension', identifier: '1001' }),
  svc({ serviceId: 'ext1001-other-pbx', kind: 'extension', identifier: '1001', pbxName: 'pbx2', customerId: 'C2' }),
  svc({ serviceId: 'did-main', kind: 'did', identifier: '+61390001000' }),
  svc({ serviceId: 'did-tenantwide', kind: 'did', identifier: '+61390002000', pbxName: null }),
  svc({ serviceId: 'did-1800', kind: 'did', identifier: '+611800123456' }),
  svc({ serviceId: 'pbx1-catch-all', kind: 'pbx', pbxName: 'pbx1' }),
  svc({ serviceId: 'ext2000-old', kind: 'extension', identifier: '2000', validFromMs: 0, validToMs: 500_000 }),
  svc({ serviceId: 'ext3000-a', kind: 'extension', identifier: '3000' }),
  svc({ serviceId: 'ext3000-b', kind: 'extension', identifier: '3000' }),
  svc({ serviceId: 'ext4000', kind: 'extension', identifier: '4000', pbxName: 'pbx3' }),
];
const index = new ServiceIndex(services);

describe('service matching precedence', () => {
  const cases: { name: string; call: Partial<CallRecord>; service?: string; rule?: string; reason?: string }[] = [
    { name: 'outbound: caller extension first', call: { caller: '1001', callerIdNumber: '+61390001000', callee: '+61298765432' }, service: 'ext1001', rule: 'outbound_extension' },
    { name: 'outbound: extension is looked up on the call PBX', call: { pbxName: 'pbx2', caller: '1001' }, service: 'ext1001-other-pbx', rule: 'outbound_extension' },
    { name: 'outbound: unknown extension falls back to the presented number (callerId)', call: { caller: '1999', callerIdNumber: '+61390001000' }, service: 'did-main', rule: 'outbound_number' },
    { name: 'outbound: presented number in national format', call: { caller: '1999', callerIdNumber: '03 9000 1000' }, service: 'did-main', rule: 'outbound_number' },
    { name: 'outbound: E.164 caller is the presented number', call: { caller: '+61390001000' }, service: 'did-main', rule: 'outbound_number' },
    { name: 'outbound: tenant-wide DID (no PBX) matches on any PBX', call: { pbxName: 'pbx9', caller: '1999', callerIdNumber: '+61390002000' }, service: 'did-tenantwide', rule: 'outbound_number' },
    { name: 'outbound: PBX catch-all last', call: { caller: '1999', callerIdNumber: '+61399999999' }, service: 'pbx1-catch-all', rule: 'pbx_catch_all' },
    { name: 'inbound: dialled DID (dnis digits, no +) first', call: { direction: 'Incoming', dnis: '61390001000', caller: '+61412000111', callee: '1001' }, service: 'did-main', rule: 'inbound_did' },
    { name: 'inbound: 1800 DID', call: { direction: 'Incoming', dnis: '611800123456', caller: '+61412000111', callee: 'CallQueue' }, service: 'did-1800', rule: 'inbound_did' },
    { name: 'inbound: unknown DID falls back to the answering extension', call: { direction: 'Incoming', dnis: '61399999999', callee: '1001' }, service: 'ext1001', rule: 'inbound_extension' },
    { name: 'inbound: label callee falls back to the PBX catch-all', call: { direction: 'Incoming', dnis: '61399999999', callee: 'Voicemail (120088)' }, service: 'pbx1-catch-all', rule: 'pbx_catch_all' },
    { name: 'internal: caller extension', call: { direction: 'Internal', caller: '1001', callee: '3000' }, service: 'ext1001', rule: 'internal_caller_extension' },
    { name: 'internal: callee extension when the caller has none', call: { direction: 'Internal', caller: '1999', callee: '1001' }, service: 'ext1001', rule: 'internal_callee_extension' },
    { name: 'unknown direction value, both ends extensions: internal', call: { direction: 'Intercom-ish', caller: '1001', callee: '1002' }, service: 'ext1001', rule: 'internal_caller_extension' },
    { name: 'unknown direction with an external party is not guessed', call: { direction: 'Weird', caller: '1001', callee: '+61298765432' }, reason: 'unknown_direction' },
    { name: 'two services under the same rule: ambiguous, not guessed', call: { caller: '3000' }, reason: 'ambiguous' },
    { name: 'expired service does not match; falls through to catch-all', call: { caller: '2000', callerIdNumber: '' }, service: 'pbx1-catch-all', rule: 'pbx_catch_all' },
    { name: 'no service at all', call: { pbxName: 'pbx3', caller: '5000', callerIdNumber: '+61399999999' }, reason: 'no_service' },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const m = matchCall(call(c.call), index, 'AU');
      if (c.service) {
        assert.equal(m.matched, true, m.matched ? '' : `${m.reason}: ${m.detail}`);
        if (!m.matched) return;
        assert.equal(m.service.serviceId, c.service);
        assert.equal(m.rule, c.rule);
      } else {
        assert.equal(m.matched, false);
        if (m.matched) return;
        assert.equal(m.reason, c.reason);
      }
    });
  }
});

describe('rate request from a matched call', () => {
  test('outbound to an extension of the same PBX is internal', () => {
    const { request } = buildRateRequest(call({ caller: '1999', callee: '1001' }), 'outbound', { country: 'AU', areaCode: '3', index });
    assert.equal(request.category, 'internal');
  });
  test('outbound national format uses the service area code for local', () => {
    const { request } = buildRateRequest(call({ callee: '9123 4567' }), 'outbound', { country: 'AU', areaCode: '3', index });
    assert.deepEqual([request.category, request.destination], ['local', '61391234567']);
  });
  test('inbound to a 1800 DID is toll_free priced by the caller origin', () => {
    const { request } = buildRateRequest(call({ direction: 'Incoming', caller: '+61412000111', dnis: '611800123456' }), 'inbound', { country: 'AU', areaCode: null, index });
    assert.deepEqual([request.category, request.destination], ['toll_free', '61412000111']);
  });
  test('inbound to an ordinary DID takes the caller class', () => {
    const { request } = buildRateRequest(call({ direction: 'Incoming', caller: '+442079460958', dnis: '61390001000' }), 'inbound', { country: 'AU', areaCode: null, index });
    assert.deepEqual([request.category, request.destination], ['international', '442079460958']);
  });
  test('unanswered (connectTimeUTC 0) gives answerMs 0', () => {
    const { request } = buildRateRequest(call({ connectMs: 0, talkMs: 0 }), 'outbound', { country: 'AU', areaCode: null });
    assert.equal(request.answerMs, 0);
  });
});

describe('8x8 record parsing', () => {
  test('accepts the API shape, string numbers, null dnis; extracts the callerId number', () => {
    const r = callRecordFromJson({ callId: '1752524081337', pbxId: 'p', direction: 'Outgoing', startTimeUTC: '1752525730512', connectTimeUTC: 0, disconnectedTimeUTC: 1752525922128, talkTimeMS: 0, caller: '1001', callee: '+1', dnis: null, callerId: 'Alice Ng,+12125550100', extra: 1 });
    assert.equal(r.ok, true);
    if (!r.ok) return;
    assert.equal(r.call.startMs, 1752525730512);
    assert.equal(r.call.callerIdNumber, '+12125550100');
    assert.equal(r.call.dnis, '');
  });
  test('rejects a record without callId or start time', () => {
    assert.equal(callRecordFromJson({ pbxId: 'p' }).ok, false);
  });
});

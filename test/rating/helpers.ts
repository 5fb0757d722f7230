import { DateTime } from 'luxon';
import { compileTariffs, defaultGroupSettings, PoolLedger, rateCall, type CompiledTariffs, type RateRequest, type RateResult, type RateRow, type TariffGroupSettings } from '../../src/rating';

export const TZ = 'Australia/Melbourne';

export function row(o: Partial<RateRow> = {}): RateRow {
  return {
    tariffGroup: 'G',
    effectiveFrom: '2025-01-01',
    direction: 'any',
    category: 'any',
    prefix: '',
    band: 'any',
    ratePerMinuteMicro: 600_000, // 0.60/min = 0.01/s
    connectFeeMicro: 0,
    minimumChargeMicro: 0,
    maximumChargeMicro: null,
    freeSeconds: 0,
    freeSecondsMode: 'grace',
    initialIncrement: 60,
    subsequentIncrement: 60,
    includedPool: null,
    description: '',
    source: 'test',
    ...o,
  };
}

export function group(o: Partial<TariffGroupSettings> = {}): TariffGroupSettings {
  return { ...defaultGroupSettings('G'), ...o };
}

export function tariffs(rows: RateRow[], settings: Partial<TariffGroupSettings> = {}): CompiledTariffs {
  return compileTariffs(rows, [group(settings)]);
}

/** Epoch ms of a local wall-clock time in TZ (or the given zone). */
export function at(local: string, zone = TZ): number {
  const dt = DateTime.fromISO(local, { zone });
  if (!dt.isValid) throw new Error(`bad time ${local}`);
  return dt.toMillis();
}

export function req(o: Partial<RateRequest> & { answerLocal?: string; seconds?: number } = {}): RateRequest {
  const answerMs = o.answerMs ?? at(o.answerLocal ?? '2025-07-14T10:00:00'); // a Monday, peak
  return {
    callId: o.callId ?? 'c1',
    direction: o.direction ?? 'outbound',
    category: o.category ?? 'national',
    destination: o.destination ?? '61298765432',
    startMs: o.startMs ?? answerMs - 5000,
    answerMs,
    talkMs: o.talkMs ?? (o.seconds ?? 60) * 1000,
  };
}

export function rate(t: CompiledTariffs, r: RateRequest, ledger = new PoolLedger(), poolScope = 'cust1'): RateResult {
  return rateCall(r, t, { tariffGroup: 'G', timeZone: TZ, poolScope }, ledger);
}

export function amountOf(res: RateResult): number {
  if (res.status !== 'rated') throw new Error(`expected rated, got ${res.reason}: ${res.detail}`);
  return res.amountMicro;
}

/** Human-readable rendering of a derivation (what `explain` prints). */
import { formatExact60, formatMicro } from './money';
import { replayDerivation } from './engine';
import { formatLocal, zoneClock } from './time';
import type { Derivation } from './types';

export function explainDerivation(d: Derivation): string[] {
  const money = (micro: number) => `${formatMicro(micro)} ${d.currency}`.trim();
  const lines: string[] = [];
  lines.push(`engine ${d.engine}; result: ${d.note}`);
  lines.push(`call: ${d.direction} ${d.category} destination ${d.destination || '(none)'}; duration ${d.durationSeconds} s`);
  if (d.tariffGroup) lines.push(`tariff group ${d.tariffGroup}, version effective ${d.version ?? '-'}, time zone ${d.timeZone}`);
  if (d.rate) {
    const r = d.rate;
    lines.push(
      `rate row ${r.source}: ${r.direction}/${r.category} prefix "${r.prefix}" (matched "${d.matchedPrefix ?? ''}") band ${r.band}: ` +
        `${formatMicro(r.ratePerMinuteMicro)}/min, connect ${formatMicro(r.connectFeeMicro)}, minimum ${formatMicro(r.minimumChargeMicro)}, ` +
        `maximum ${r.maximumChargeMicro === null ? 'none' : formatMicro(r.maximumChargeMicro)}, increments ${r.initialIncrement}/${r.subsequentIncrement}, ` +
        `free seconds ${r.freeSeconds} (${r.freeSecondsMode})${r.includedPool ? `, included pool ${r.includedPool}` : ''}`,
    );
  }
  if (d.bandAtAnswer) lines.push(`band at answer: ${d.bandAtAnswer}; band rule: ${d.bandRule}`);
  if (d.freeSecondsApplied > 0) lines.push(`free seconds applied: ${d.freeSecondsApplied}`);
  lines.push(`billed seconds: ${d.billedSeconds}; included seconds used: ${d.includedSecondsUsed}; charged seconds: ${d.chargedSeconds}`);
  if (d.pool) lines.push(`pool ${d.pool.key}: allowance ${d.pool.allowanceSeconds} s, remaining ${d.pool.remainingBefore} → ${d.pool.remainingAfter} s`);
  const clock = zoneClock(d.timeZone);
  for (const s of d.spans) {
    lines.push(
      `  span from ${formatLocal(s.startMs, clock)}: band ${s.band} (row ${s.rateBand}) ${s.seconds} s, ${s.includedSeconds} included, at ${formatMicro(s.ratePerMinuteMicro)}/min = ${formatExact60(s.ratePerMinuteMicro * (s.seconds - s.includedSeconds))} micro`,
    );
  }
  lines.push(`connect fee ${money(d.connectFeeMicro)}; usage ${formatExact60(d.usage60)} micro; subtotal ${formatExact60(d.subtotal60)} micro`);
  if (d.minimumApplied) lines.push(`minimum charge applied`);
  if (d.maximumApplied) lines.push(`maximum charge applied`);
  lines.push(`exact ${formatExact60(d.exact60)} micro → rounded ${d.roundingMode} to ${d.roundingDecimals} decimals = ${money(d.amountMicro)}`);
  const replay = replayDerivation(d);
  lines.push(replay === d.amountMicro ? `replay from this derivation: ${money(replay)} (matches)` : `REPLAY MISMATCH: ${money(replay)} ≠ ${money(d.amountMicro)}`);
  return lines;
}

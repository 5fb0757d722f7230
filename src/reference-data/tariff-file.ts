/** Loading a tariff (and optional tariff-group settings) from CSV text into compiled tariffs, no database. */
import { compileTariffs, TariffCompileError, type CompiledTariffs } from '../rating/tariff';
import { defaultGroupSettings, type RateRow, type TariffGroupSettings } from '../rating/types';
import type { RowError } from './csv';
import { parseGroupCsv, parseTariffCsv, toGroupSettings, toRateRow } from './schemas';

export interface TariffFiles {
  readonly tariffs: { readonly name: string; readonly text: string };
  /** Optional; groups without settings get defaultGroupSettings(currency). */
  readonly groups?: { readonly name: string; readonly text: string };
  readonly defaultCurrency?: string;
}

export type TariffLoad =
  | { ok: true; rows: RateRow[]; settings: TariffGroupSettings[]; compiled: CompiledTariffs }
  | { ok: false; errors: { file: string; line: number; reason: string }[] };

export function loadTariffFiles(files: TariffFiles): TariffLoad {
  const errors: { file: string; line: number; reason: string }[] = [];
  const add = (file: string, es: readonly RowError[]) => es.forEach((e) => errors.push({ file, ...e }));
  const t = parseTariffCsv(files.tariffs.text);
  add(files.tariffs.name, t.errors);
  const rows = t.rows.map((r) => toRateRow(r.value, `${files.tariffs.name}:${r.line}`));
  let settings: TariffGroupSettings[] = [];
  if (files.groups) {
    const g = parseGroupCsv(files.groups.text);
    add(files.groups.name, g.errors);
    settings = g.rows.map((r) => toGroupSettings(r.value));
  }
  const known = new Set(settings.map((s) => s.tariffGroup));
  for (const r of rows) {
    if (!known.has(r.tariffGroup)) {
      if (files.groups) continue; // reported by compileTariffs
      known.add(r.tariffGroup);
      settings.push(defaultGroupSettings(r.tariffGroup, files.defaultCurrency));
    }
  }
  if (errors.length > 0) return { ok: false, errors };
  try {
    return { ok: true, rows, settings, compiled: compileTariffs(rows, settings) };
  } catch (e) {
    if (e instanceof TariffCompileError) {
      return {
        ok: false,
        errors: e.problems.map((p) => {
          const m = /^(.*):(\d+): (.*)$/.exec(p);
          return m ? { file: m[1]!, line: Number(m[2]), reason: m[3]! } : { file: files.tariffs.name, line: 0, reason: p };
        }),
      };
    }
    throw e;
  }
}

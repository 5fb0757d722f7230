/**
 * Reading reference-data CSV files: csv-parse for the syntax, zod per row for the content.
 * Every problem is reported with its line number; callers apply a file only when it has none.
 */
import { parse } from 'csv-parse/sync';
import { z } from 'zod';

export interface RowError {
  readonly line: number;
  readonly reason: string;
}

export interface ParsedRow<T> {
  readonly line: number;
  readonly value: T;
}

export interface ParseOutcome<T> {
  readonly rows: ParsedRow<T>[];
  readonly errors: RowError[];
}

/**
 * Parses CSV text with a header row and validates each row with `schema`. Blank cells are
 * passed as undefined so optional columns can default. Unknown columns are an error (a
 * typo in a header must not silently drop a price).
 */
export function parseCsv<S extends z.ZodType>(text: string, schema: S, allowedColumns: readonly string[], requiredColumns: readonly string[]): ParseOutcome<z.output<S>> {
  const errors: RowError[] = [];
  const rows: ParsedRow<z.output<S>>[] = [];
  let records: { record: Record<string, string>; info: { lines: number } }[];
  try {
    records = parse(text, {
      columns: (header: string[]) => header.map((h) => h.trim().toLowerCase()),
      bom: true,
      info: true,
      skip_empty_lines: true,
      trim: true,
      comment: '#',
      comment_no_infix: true,
    }) as unknown as { record: Record<string, string>; info: { lines: number } }[];
  } catch (e) {
    const err = e as { lines?: number; message?: string };
    return { rows, errors: [{ line: err.lines ?? 0, reason: `CSV syntax: ${err.message ?? String(e)}` }] };
  }
  const headerLine = text.replace(/^\uFEFF/, '').split(/\r?\n/).findIndex((l) => l.trim() !== '' && !l.trim().startsWith('#'));
  const header = records[0] ? Object.keys(records[0].record) : [];
  const unknown = header.filter((h) => !allowedColumns.includes(h));
  const missing = requiredColumns.filter((c) => records.length > 0 && !header.includes(c));
  if (unknown.length > 0) errors.push({ line: headerLine + 1, reason: `unknown column(s): ${unknown.join(', ')}` });
  if (missing.length > 0) errors.push({ line: headerLine + 1, reason: `missing column(s): ${missing.join(', ')}` });
  if (errors.length > 0) return { rows, errors };
  for (const { record, info } of records) {
    const clean: Record<string, string | undefined> = {};
    for (const [k, v] of Object.entries(record)) clean[k] = v === '' ? undefined : v;
    const r = schema.safeParse(clean);
    if (r.success) rows.push({ line: info.lines, value: r.data });
    else errors.push({ line: info.lines, reason: r.error.issues.map((i) => `${i.path.join('.') || 'row'}: ${i.message}`).join('; ') });
  }
  return { rows, errors };
}

export function formatRowErrors(file: string, errors: readonly RowError[]): string {
  return errors.map((e) => `${file}:${e.line}: ${e.reason}`).join('\n');
}

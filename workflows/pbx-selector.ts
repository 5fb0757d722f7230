/**
 * The PBXes a tenant imports: every PBX the 8x8 user may see (`allpbxes`), or named ones.
 * Named PBXes are imported one by one so that a PBX the user cannot see stops only itself.
 */
export type PbxSelector = { kind: 'all' } | { kind: 'named'; names: string[] };

export const ALL_PBXES = 'allpbxes';

export function parsePbxSelector(value: string): PbxSelector {
  const parts = value.split(',').map((p) => p.trim());
  if (parts.length === 1 && parts[0] === ALL_PBXES) return { kind: 'all' };
  const names = [...new Set(parts)];
  if (names.some((n) => n === '' || n === ALL_PBXES)) {
    throw new Error(`invalid PBX list ${JSON.stringify(value)}: give one name, a comma list of names, or "${ALL_PBXES}"`);
  }
  return { kind: 'named', names };
}

/** The `pbxId` values to send, one import per value. */
export function importTargets(selector: PbxSelector): string[] {
  return selector.kind === 'all' ? [ALL_PBXES] : selector.names;
}

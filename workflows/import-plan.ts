// The tenant's import plan as plain JSON: what is done (checkpoints) and what is left (ranges).
// Pure functions only, so the workflow stays a readable script and this logic has unit tests.

export type RangeReason = 'backfill' | 'cycle' | 'reimport' | 'catch-up';

/** A span still to import, [from, to) in epoch ms, for every active PBX or for named ones. */
export interface PendingRange {
  /** Unique within the plan: two ranges may share bounds (one catch-up per PBX, say). */
  id: number;
  from: number;
  to: number;
  reason: RangeReason;
  /** Absent: every PBX that is not blocked. */
  pbxes?: string[];
}

export interface ImportPlan {
  /** Everything before this instant is imported for every unblocked PBX. */
  checkpoint: number;
  /** Per PBX: everything before this instant is imported for that PBX. */
  pbxCheckpoints: Record<string, number>;
  pending: PendingRange[];
  nextRangeId: number;
}

export interface WindowWork {
  rangeId: number;
  from: number;
  to: number;
  reason: RangeReason;
  pbxes: string[];
}

export function initialPlan(targets: string[], earliest: number, now: number): ImportPlan {
  return {
    checkpoint: earliest,
    pbxCheckpoints: Object.fromEntries(targets.map((t) => [t, earliest])),
    pending: now > earliest ? [{ id: 1, from: earliest, to: now, reason: 'backfill' }] : [],
    nextRangeId: 2,
  };
}

/** Plans carried over from runs before ranges had ids get them here, in order. */
export function withRangeIds(plan: ImportPlan): ImportPlan {
  if (typeof plan.nextRangeId === 'number') return plan;
  return { ...plan, pending: plan.pending.map((r, i) => ({ ...r, id: i + 1 })), nextRangeId: plan.pending.length + 1 };
}

/** The next window to import: the head of the first pending range, at most `windowMs` long. */
export function nextWindow(plan: ImportPlan, targets: string[], blocked: ReadonlySet<string>, windowMs: number): WindowWork | undefined {
  for (const range of plan.pending) {
    const pbxes = (range.pbxes ?? targets).filter((p) => !blocked.has(p));
    if (pbxes.length === 0) continue;
    return { rangeId: range.id, from: range.from, to: Math.min(range.to, range.from + windowMs), reason: range.reason, pbxes };
  }
  return undefined;
}

/** Records a finished window: shrinks its range and advances the checkpoints it extends. */
export function completeWindow(plan: ImportPlan, work: WindowWork, succeeded: readonly string[]): ImportPlan {
  const pending = plan.pending
    .map((r) => (r.id === work.rangeId ? { ...r, from: work.to } : r))
    .filter((r) => r.to > r.from);
  const pbxCheckpoints = { ...plan.pbxCheckpoints };
  for (const pbx of succeeded) {
    const done = pbxCheckpoints[pbx];
    if (done !== undefined && work.from <= done && work.to > done) pbxCheckpoints[pbx] = work.to;
  }
  const extendsAll = work.reason === 'backfill' || work.reason === 'cycle';
  const checkpoint = extendsAll && work.from <= plan.checkpoint && work.to > plan.checkpoint ? work.to : plan.checkpoint;
  return { ...plan, checkpoint, pbxCheckpoints, pending };
}

function queue(plan: ImportPlan, range: Omit<PendingRange, 'id'>, where: 'front' | 'back'): ImportPlan {
  const added = { ...range, id: plan.nextRangeId };
  const pending = where === 'front' ? [added, ...plan.pending] : [...plan.pending, added];
  return { ...plan, pending, nextRangeId: plan.nextRangeId + 1 };
}

/**
 * Starts a cycle: re-read the lookback before the checkpoint (late calls), then up to now. A
 * cycle that could not run (every PBX blocked) is extended rather than queued again, so the
 * plan stays small however long a tenant waits for a human.
 */
export function scheduleCycle(plan: ImportPlan, now: number, lookbackMs: number, earliest: number): ImportPlan {
  const from = Math.max(earliest, plan.checkpoint - lookbackMs);
  if (now <= from) return plan;
  const waiting = plan.pending.findIndex((r) => r.reason === 'cycle' && !r.pbxes);
  if (waiting >= 0) {
    return { ...plan, pending: plan.pending.map((r, i) => (i === waiting ? { ...r, to: Math.max(r.to, now) } : r)) };
  }
  return queue(plan, { from, to: now, reason: 'cycle' }, 'back');
}

export function hasBackfillLeft(plan: ImportPlan): boolean {
  return plan.pending.some((r) => r.reason === 'backfill');
}

/** Queues a range to import again, ahead of routine work; its calls are then matched and rated again. */
export function scheduleReimport(plan: ImportPlan, from: number, to: number): ImportPlan {
  return queue(plan, { from, to, reason: 'reimport' }, 'front');
}

/** After a PBX is unblocked: import what it missed while blocked, so it has no gap. */
export function scheduleCatchUp(plan: ImportPlan, pbx: string): ImportPlan {
  const done = plan.pbxCheckpoints[pbx];
  if (done === undefined || done >= plan.checkpoint) return plan;
  return queue(plan, { from: done, to: plan.checkpoint, reason: 'catch-up', pbxes: [pbx] }, 'front');
}

export function isIdle(plan: ImportPlan): boolean {
  return plan.pending.length === 0;
}

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  completeWindow,
  hasBackfillLeft,
  initialPlan,
  nextWindow,
  scheduleCatchUp,
  scheduleCycle,
  scheduleReimport,
} from '../../workflows/import-plan';

const H = 3_600_000;
const none = new Set<string>();

describe('import plan', () => {
  test('a backfill walks bounded windows and the checkpoint follows each completed one', () => {
    let plan = initialPlan(['a', 'b'], 0, 50 * H);
    const seen: [number, number][] = [];
    for (let w = nextWindow(plan, ['a', 'b'], none, 24 * H); w; w = nextWindow(plan, ['a', 'b'], none, 24 * H)) {
      seen.push([w.from / H, w.to / H]);
      assert.deepEqual(w.pbxes, ['a', 'b']);
      plan = completeWindow(plan, w, w.pbxes);
      assert.equal(plan.checkpoint, w.to);
    }
    assert.deepEqual(seen, [[0, 24], [24, 48], [48, 50]]);
    assert.deepEqual(plan.pbxCheckpoints, { a: 50 * H, b: 50 * H });
    assert.deepEqual(plan.pending, []);
  });

  test('an unfinished window is offered again: a restart resumes at the checkpoint, never at the start', () => {
    const plan = completeWindow(initialPlan(['a'], 0, 72 * H), { rangeId: 1, from: 0, to: 24 * H, reason: 'backfill', pbxes: ['a'] }, ['a']);
    const again = nextWindow(plan, ['a'], none, 24 * H);
    assert.deepEqual(again && [again.from, again.to], [24 * H, 48 * H]);
    assert.deepEqual(nextWindow(plan, ['a'], none, 24 * H), again, 'asking twice changes nothing');
  });

  test('a cycle re-reads the lookback before the checkpoint, but never before the earliest date', () => {
    const plan = { checkpoint: 100 * H, pbxCheckpoints: { a: 100 * H }, pending: [], nextRangeId: 1 };
    assert.deepEqual(scheduleCycle(plan, 101 * H, 24 * H, 0).pending, [{ id: 1, from: 76 * H, to: 101 * H, reason: 'cycle' }]);
    assert.deepEqual(scheduleCycle(plan, 101 * H, 24 * H, 90 * H).pending[0]?.from, 90 * H);
    const w = nextWindow(scheduleCycle(plan, 101 * H, 24 * H, 0), ['a'], none, 24 * H)!;
    const after = completeWindow(scheduleCycle(plan, 101 * H, 24 * H, 0), w, ['a']);
    assert.equal(after.checkpoint, 100 * H, 'a re-read window behind the checkpoint does not move it');
  });

  test('a blocked PBX is skipped while the others advance, and catches up without a gap once unblocked', () => {
    let plan = initialPlan(['a', 'b'], 0, 48 * H);
    const blocked = new Set(['b']);
    for (let w = nextWindow(plan, ['a', 'b'], blocked, 24 * H); w; w = nextWindow(plan, ['a', 'b'], blocked, 24 * H)) {
      assert.deepEqual(w.pbxes, ['a']);
      plan = completeWindow(plan, w, w.pbxes);
    }
    assert.deepEqual(plan.pbxCheckpoints, { a: 48 * H, b: 0 });
    plan = scheduleCatchUp(plan, 'b');
    const w = nextWindow(plan, ['a', 'b'], none, 24 * H)!;
    assert.deepEqual([w.from, w.to, w.reason, w.pbxes], [0, 24 * H, 'catch-up', ['b']]);
    plan = completeWindow(plan, w, ['b']);
    plan = completeWindow(plan, nextWindow(plan, ['a', 'b'], none, 24 * H)!, ['b']);
    assert.deepEqual(plan.pbxCheckpoints, { a: 48 * H, b: 48 * H });
    assert.deepEqual(plan.pending, []);
  });

  test('with every PBX blocked, cycles extend one waiting range instead of piling up, and the backfill is not declared done', () => {
    let plan = initialPlan(['a'], 0, 48 * H);
    const blocked = new Set(['a']);
    assert.equal(nextWindow(plan, ['a'], blocked, 24 * H), undefined);
    assert.equal(hasBackfillLeft(plan), true);
    plan = scheduleCycle(plan, 49 * H, 6 * H, 0);
    plan = scheduleCycle(plan, 50 * H, 6 * H, 0);
    plan = scheduleCycle(plan, 51 * H, 6 * H, 0);
    assert.deepEqual(plan.pending.map((r) => [r.reason, r.from / H, r.to / H]), [['backfill', 0, 48], ['cycle', 0, 51]]);
  });

  test('several PBXes catching up over the same span each get their own range, and each finishes on its own', () => {
    let plan = initialPlan(['a', 'b'], 0, 24 * H);
    plan = completeWindow(plan, nextWindow(plan, ['a', 'b'], new Set(['a', 'b']), 24 * H) ?? { rangeId: 1, from: 0, to: 24 * H, reason: 'backfill', pbxes: [] }, []);
    plan = scheduleCatchUp(scheduleCatchUp(plan, 'a'), 'b');
    assert.equal(plan.pending.length, 2);
    const first = nextWindow(plan, ['a', 'b'], none, 24 * H)!;
    plan = completeWindow(plan, first, first.pbxes);
    assert.equal(plan.pending.length, 1, 'the other PBX still has its catch-up');
    const second = nextWindow(plan, ['a', 'b'], none, 24 * H)!;
    assert.notDeepEqual(second.pbxes, first.pbxes);
    plan = completeWindow(plan, second, second.pbxes);
    assert.deepEqual(plan.pbxCheckpoints, { a: 24 * H, b: 24 * H });
  });

  test('a re-import goes ahead of routine work', () => {
    const plan = scheduleReimport(initialPlan(['a'], 0, 48 * H), 5 * H, 7 * H);
    const w = nextWindow(plan, ['a'], none, 24 * H)!;
    assert.deepEqual([w.from, w.to, w.reason], [5 * H, 7 * H, 'reimport']);
    const after = completeWindow(plan, w, ['a']);
    assert.equal(after.checkpoint, 0, 'a re-import does not move the checkpoint');
    assert.equal(after.pending.length, 1);
  });
});

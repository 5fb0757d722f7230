import {
  ActivityFailure,
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  log,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities, ImportCallRecordsResult } from '../activities';
import type { TenantCredentials } from '../src/eightxeight/credentials';
import { IMPORT_ACTIVITY_OPTIONS } from './activity-options';
import { formatDuration, parseDuration } from './durations';
import { BILLING_SETUP_FAILURE, eightByEightKind, type OperatorProblem } from './failure-types';
import {
  completeWindow,
  hasBackfillLeft,
  initialPlan,
  nextWindow,
  scheduleCatchUp,
  scheduleCycle,
  scheduleReimport,
  withRangeIds,
  type ImportPlan,
  type WindowWork,
} from './import-plan';
import { importTargets, parsePbxSelector } from './pbx-selector';
import { IMPORT_CHECKPOINT, IMPORT_PHASE, IMPORT_STATE, TENANT_ID } from './search-attributes';
import {
  pauseSignal,
  reimportRangeUpdate,
  resumeSignal,
  rotateCredentialsUpdate,
  runNowSignal,
  setCycleIntervalUpdate,
  statusQuery,
  updateCredentialsSignal,
  type OperatorIssue,
  type Phase,
  type ReimportRequest,
  type TenantCounts,
  type TenantState,
  type TenantStatus,
} from './tenant-messages';
import { credentialsSchema, describeIssues, tenantSettingsSchema, type TenantSettingsInput } from './tenant-settings';
import { zonedMidnight } from './zoned-time';

/** 8x8 keeps two years of call records; nothing older can be imported. */
const RETENTION_MS = 730 * 86_400_000;
/** A run hands over to a fresh one after this many windows, even if the server has not suggested it. */
const WINDOWS_PER_RUN = 250;

const acts = proxyActivities<Activities>(IMPORT_ACTIVITY_OPTIONS);
const checks = proxyActivities<Activities>({ startToCloseTimeout: '1 minute', retry: { maximumAttempts: 3, initialInterval: '1s' } });

/** What one run hands to the next through continue-as-new: small, plain JSON. */
export interface CarriedState {
  phase: Phase;
  plan: ImportPlan;
  earliest: number;
  counts: TenantCounts;
  blocked: Record<string, OperatorIssue>;
  parked: OperatorIssue | null;
  paused: boolean;
  lastCycle: TenantStatus['lastCycle'];
  lastError: OperatorIssue | null;
  /** Set while the tenant's calls cannot be matched or rated (no billing reference data). */
  billingIssue: OperatorIssue | null;
  notices: string[];
  credentialsVersion: number;
}

export interface TenantImportInput extends TenantSettingsInput {
  /** Set by the workflow itself when it continues as new; never by operators. */
  carried?: CarriedState;
}

const TENANT_WIDE_KINDS = new Set(['credentials_rejected', 'api_key_rejected', 'bad_request']);

/**
 * One long-lived import per tenant (workflow id `cdr-import/<tenant>`): a checkpointed backfill
 * from the earliest date, then a cycle every interval that re-reads a lookback window for late
 * calls. Every window is imported, matched and rated by activities; only counts come back.
 */
export async function tenantImport(input: TenantImportInput): Promise<void> {
  const parsed = tenantSettingsSchema.safeParse(input);
  if (!parsed.success) {
    throw ApplicationFailure.nonRetryable(`invalid tenant settings: ${describeIssues(parsed.error)}`, 'InvalidTenantSettings');
  }
  const settings = parsed.data;
  const expectedId = `cdr-import/${settings.tenantId}`;
  if (workflowInfo().workflowId !== expectedId) {
    throw ApplicationFailure.nonRetryable(
      `workflow id must be ${expectedId} for tenant ${settings.tenantId}, not ${workflowInfo().workflowId}`,
      'InvalidTenantSettings',
    );
  }
  const targets = importTargets(parsePbxSelector(settings.pbxes));
  const windowMs = parseDuration(settings.window)!;
  const lookbackMs = parseDuration(settings.lookback)!;
  let cycleIntervalMs = parseDuration(settings.cycleInterval)!;
  let credentials: TenantCredentials = settings.credentials;
  const s: CarriedState = input.carried
    ? { ...input.carried, plan: withRangeIds(input.carried.plan) }
    : startState(settings.earliestDate, settings.timeZone, targets);

  let wake = false;
  let intervalChanged = false;
  let cycleStartedAt: number | null = null;
  let cycleImported = 0;
  let windowsThisRun = 0;

  const applyCredentials = (next: TenantCredentials) => {
    credentials = next;
    s.credentialsVersion += 1;
    if (s.parked && s.parked.kind !== 'bad_request') s.parked = null;
    unblockAll();
    wake = true;
  };
  const unblockAll = () => {
    for (const pbx of Object.keys(s.blocked)) {
      s.plan = scheduleCatchUp(s.plan, pbx);
    }
    s.blocked = {};
  };
  const notice = (text: string) => {
    s.notices = [...s.notices.slice(-9), `${new Date().toISOString()} ${text}`];
    log.warn(text);
  };

  setHandler(statusQuery, () => status());
  setHandler(updateCredentialsSignal, (update) => {
    // A signal handler must never throw: a bad signal is recorded and ignored.
    const merged = credentialsSchema.safeParse({ ...credentials, ...(update ?? {}) });
    if (!merged.success) {
      notice(`rejected updateCredentials signal: ${describeIssues(merged.error)}`);
      return;
    }
    applyCredentials(merged.data);
    notice(`credentials updated by signal (version ${s.credentialsVersion})`);
  });
  setHandler(pauseSignal, () => {
    s.paused = true;
  });
  setHandler(resumeSignal, () => {
    s.paused = false;
    s.parked = null;
    unblockAll();
    wake = true;
  });
  setHandler(runNowSignal, () => {
    wake = true;
  });
  setHandler(
    rotateCredentialsUpdate,
    async (next) => {
      try {
        await checks.verifyCredentials({ tenantId: settings.tenantId, credentials: next });
      } catch (err) {
        const issue = operatorIssue(err);
        throw ApplicationFailure.nonRetryable(
          `8x8 rejected the new credentials; the old ones stay in use. ${issue?.operatorAction ?? ''}`.trim(),
          'CredentialsRejected',
        );
      }
      applyCredentials(next);
      notice(`credentials rotated after a successful check (version ${s.credentialsVersion})`);
      return { accepted: true as const, version: s.credentialsVersion };
    },
    {
      validator: (next) => {
        const checked = credentialsSchema.safeParse(next);
        if (!checked.success) throw new Error(`invalid credentials: ${describeIssues(checked.error)}`);
      },
    },
  );
  setHandler(
    reimportRangeUpdate,
    (request) => {
      const { from, to } = reimportBounds(request, settings.timeZone);
      s.plan = scheduleReimport(s.plan, Math.max(from, s.earliest), to);
      wake = true;
      return { queued: { from: new Date(Math.max(from, s.earliest)).toISOString(), to: new Date(to).toISOString() } };
    },
    {
      validator: (request) => {
        const { from, to } = reimportBounds(request, settings.timeZone);
        if (!(from < to)) throw new Error('from must be before to');
        if (to > Date.now()) throw new Error('to must not be in the future');
        if (to <= s.earliest) throw new Error(`the range ends before the tenant's earliest date ${new Date(s.earliest).toISOString()}`);
      },
    },
  );
  setHandler(
    setCycleIntervalUpdate,
    (interval) => {
      cycleIntervalMs = parseDuration(interval)!;
      intervalChanged = true;
      return { cycleInterval: formatDuration(cycleIntervalMs) };
    },
    {
      validator: (interval) => {
        const ms = typeof interval === 'string' ? parseDuration(interval) : undefined;
        if (ms === undefined || ms < 1000 || ms > 7 * 86_400_000) {
          throw new Error('cycle interval must be a duration such as "15m" or "1h", between 1s and 7d');
        }
      },
    },
  );

  publish();
  for (;;) {
    await condition(() => !s.paused && !s.parked);
    const work = nextWindow(s.plan, targets, new Set(Object.keys(s.blocked)), windowMs);
    if (work) {
      await importWindow(work);
      windowsThisRun += 1;
    } else {
      await settleBilling();
      finishCycle();
      await waitForNextCycle();
      if (s.paused) continue;
      cycleStartedAt = Date.now();
      s.plan = scheduleCycle(s.plan, cycleStartedAt, lookbackMs, s.earliest);
    }
    publish();
    if (workflowInfo().continueAsNewSuggested || windowsThisRun >= WINDOWS_PER_RUN) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof tenantImport>({
        ...settings,
        credentials,
        cycleInterval: formatDuration(cycleIntervalMs),
        carried: s,
      });
    }
  }

  async function importWindow(work: WindowWork): Promise<void> {
    const label = `${work.reason} ${new Date(work.from).toISOString()} .. ${new Date(work.to).toISOString()}`;
    publish('importing', label);
    const results = await Promise.allSettled(
      work.pbxes.map((pbx) =>
        acts.importCallRecords.executeWithOptions({ ...IMPORT_ACTIVITY_OPTIONS, summary: `${pbx}: ${label}` }, [
          {
            tenantId: settings.tenantId,
            credentials,
            pbx,
            from: new Date(work.from).toISOString(),
            to: new Date(work.to).toISOString(),
            timeZone: settings.timeZone,
          },
        ]),
      ),
    );
    const succeeded: string[] = [];
    let imported = 0;
    results.forEach((result, i) => {
      const pbx = work.pbxes[i]!;
      if (result.status === 'fulfilled') {
        succeeded.push(pbx);
        imported += record(result.value);
        return;
      }
      const issue = operatorIssue(result.reason) ?? unexpectedIssue(result.reason);
      s.lastError = issue;
      // Credentials belong to the tenant; a PBX's visibility or permission only stops that PBX.
      if (TENANT_WIDE_KINDS.has(issue.kind)) s.parked = issue;
      else s.blocked[pbx] = { ...issue, pbx };
    });
    if (s.parked) return; // the window is retried, from the same place, once a human has acted
    s.plan = completeWindow(s.plan, work, succeeded);
    if (succeeded.length > 0) {
      const range = { tenantId: settings.tenantId, from: new Date(work.from).toISOString(), to: new Date(work.to).toISOString() };
      await billingStep(async () => {
        const matched = await acts.matchCalls(range);
        const rated = await acts.rateCalls(range);
        // Backfill windows hold only new calls, so their counts add up; other windows re-read
        // calls counted before, and the totals are refreshed from the database at the cycle's end.
        if (work.reason === 'backfill') {
          s.counts.matched += matched.matched;
          s.counts.unmatched += matched.unmatched;
          s.counts.rated += rated.rated;
          s.counts.unrated += rated.unrated;
        }
        return null;
      });
    }
    if (cycleStartedAt !== null) cycleImported += imported;
  }

  function record(r: ImportCallRecordsResult): number {
    s.counts.imported += r.inserted;
    s.counts.updated += r.updated;
    s.counts.quarantined += r.quarantined;
    return r.inserted + r.updated;
  }

  /** Billing that is not set up is reported and skipped; importing goes on and the calls wait. */
  async function billingStep(step: () => Promise<OperatorIssue | null>): Promise<void> {
    try {
      s.billingIssue = await step();
    } catch (err) {
      const cause = err instanceof ActivityFailure ? err.cause : undefined;
      if (!(cause instanceof ApplicationFailure) || cause.type !== BILLING_SETUP_FAILURE) throw err;
      s.billingIssue = billingNotSetUp(cause.message);
    }
  }

  /** Settles calls imported while billing could not run, and refreshes the billing totals. */
  async function settleBilling(): Promise<void> {
    await billingStep(async () => {
      const r = await acts.settleBillingBacklog({ tenantId: settings.tenantId });
      s.counts = { ...s.counts, matched: r.matched, unmatched: r.unmatched, rated: r.rated, unrated: r.unrated };
      return r.configured ? null : billingNotSetUp(`tenant ${settings.tenantId} has no billing reference data: calls are imported but not matched or rated`);
    });
  }

  function finishCycle(): void {
    if (s.phase === 'backfill' && !hasBackfillLeft(s.plan)) {
      s.phase = 'continuous';
      log.info('backfill finished', { checkpoint: new Date(s.plan.checkpoint).toISOString() });
    }
    if (cycleStartedAt !== null) {
      s.lastCycle = { startedAt: new Date(cycleStartedAt).toISOString(), finishedAt: new Date().toISOString(), imported: cycleImported };
      cycleStartedAt = null;
      cycleImported = 0;
    }
  }

  async function waitForNextCycle(): Promise<void> {
    const since = Date.now();
    wake = false;
    for (;;) {
      intervalChanged = false;
      publish('waiting');
      const remaining = since + cycleIntervalMs - Date.now();
      if (remaining <= 0) return;
      await condition(() => wake || s.paused || intervalChanged, remaining);
      if (wake || s.paused) return;
    }
  }

  function currentState(): TenantState {
    if (s.paused) return 'paused';
    if (s.parked) return s.parked.kind === 'credentials_rejected' || s.parked.kind === 'api_key_rejected' ? 'awaiting_credentials' : 'needs_attention';
    if (Object.keys(s.blocked).length > 0) return 'needs_attention';
    return s.plan.pending.length > 0 ? 'importing' : 'waiting';
  }

  function status(): TenantStatus {
    return {
      tenantId: settings.tenantId,
      phase: s.phase,
      state: currentState(),
      checkpoint: new Date(s.plan.checkpoint).toISOString(),
      earliest: new Date(s.earliest).toISOString(),
      timeZone: settings.timeZone,
      cycleInterval: formatDuration(cycleIntervalMs),
      lookback: settings.lookback,
      pbxes: targets.map((name) => ({
        name,
        checkpoint: new Date(s.plan.pbxCheckpoints[name] ?? s.earliest).toISOString(),
        ...(s.blocked[name] ? { blocked: s.blocked[name] } : {}),
      })),
      pending: s.plan.pending.map((r) => ({
        from: new Date(r.from).toISOString(),
        to: new Date(r.to).toISOString(),
        reason: r.reason,
        ...(r.pbxes ? { pbxes: r.pbxes } : {}),
      })),
      counts: { ...s.counts },
      lastCycle: s.lastCycle,
      lastError: s.lastError,
      billingIssue: s.billingIssue,
      notices: [...s.notices],
      credentials: { username: credentials.username, version: s.credentialsVersion },
    };
  }

  /** Search attributes (one history event each, so only on change) and the UI's current details. */
  function publish(state: TenantState = currentState(), activity?: string): void {
    const info = workflowInfo().typedSearchAttributes;
    const updates = [];
    if (info.get(TENANT_ID) !== settings.tenantId) updates.push({ key: TENANT_ID, value: settings.tenantId });
    if (info.get(IMPORT_PHASE) !== s.phase) updates.push({ key: IMPORT_PHASE, value: s.phase });
    if (info.get(IMPORT_STATE) !== state) updates.push({ key: IMPORT_STATE, value: state });
    if (info.get(IMPORT_CHECKPOINT)?.getTime() !== s.plan.checkpoint) {
      updates.push({ key: IMPORT_CHECKPOINT, value: new Date(s.plan.checkpoint) });
    }
    if (updates.length > 0) upsertSearchAttributes(updates);
    const problem = s.parked ?? Object.values(s.blocked)[0];
    setCurrentDetails(
      [
        `**${settings.tenantId}**: ${state} (${s.phase})`,
        `checkpoint: ${new Date(s.plan.checkpoint).toISOString()}`,
        activity ? `now: ${activity}` : undefined,
        `imported ${s.counts.imported}, updated ${s.counts.updated}, quarantined ${s.counts.quarantined}, rated ${s.counts.rated}, unmatched ${s.counts.unmatched}`,
        s.billingIssue ? `billing: ${s.billingIssue.message}` : undefined,
        problem ? `**action needed** (${problem.kind}${problem.pbx ? `, PBX ${problem.pbx}` : ''}): ${problem.operatorAction}` : undefined,
      ]
        .filter(Boolean)
        .join('\n\n'),
    );
  }
}

function startState(earliestDate: string, timeZone: string, targets: string[]): CarriedState {
  const now = Date.now();
  const requested = zonedMidnight(earliestDate, timeZone);
  const oldest = now - RETENTION_MS;
  const notices: string[] = [];
  let earliest = requested;
  if (requested < oldest) {
    earliest = oldest;
    const text = `earliest date ${earliestDate} is more than 2 years back; 8x8 keeps no more, so the backfill starts at ${new Date(oldest).toISOString()}`;
    notices.push(`${new Date(now).toISOString()} ${text}`);
    log.warn(text);
  }
  return {
    phase: 'backfill',
    plan: initialPlan(targets, earliest, now),
    earliest,
    counts: { imported: 0, updated: 0, quarantined: 0, matched: 0, unmatched: 0, rated: 0, unrated: 0 },
    blocked: {},
    parked: null,
    paused: false,
    lastCycle: null,
    lastError: null,
    billingIssue: null,
    notices,
    credentialsVersion: 1,
  };
}

function reimportBounds(request: ReimportRequest, timeZone: string): { from: number; to: number } {
  const at = (value: unknown, field: string): number => {
    if (typeof value !== 'string') throw new Error(`${field} is required (an ISO-8601 instant or YYYY-MM-DD)`);
    const ms = /^\d{4}-\d{2}-\d{2}$/.test(value) ? zonedMidnight(value, timeZone) : Date.parse(value);
    if (Number.isNaN(ms)) throw new Error(`${field} ${JSON.stringify(value)} is not an ISO-8601 instant or YYYY-MM-DD date`);
    return ms;
  };
  return { from: at(request?.from, 'from'), to: at(request?.to, 'to') };
}

/** The operator-facing problem an activity failure carries, if it is one a human must fix. */
function operatorIssue(err: unknown): OperatorIssue | undefined {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  const kind = cause instanceof ApplicationFailure ? eightByEightKind(cause.type) : undefined;
  if (!kind || !(cause instanceof ApplicationFailure)) return undefined;
  const details = (cause.details?.[0] ?? {}) as Partial<OperatorProblem>;
  return {
    kind: details.kind ?? kind,
    message: cause.message,
    operatorAction: details.operatorAction ?? 'see the error message',
    ...(details.pbx ? { pbx: details.pbx } : {}),
    at: new Date().toISOString(),
  };
}

function billingNotSetUp(message: string): OperatorIssue {
  return {
    kind: 'billing_not_set_up',
    message,
    operatorAction: "load the tenant's billing reference data with `npm run billing -- load` (README, Rating); waiting calls are then matched and rated at the next cycle",
    at: new Date().toISOString(),
  };
}

function unexpectedIssue(err: unknown): OperatorIssue {
  const cause = err instanceof ActivityFailure && err.cause ? err.cause : err;
  return {
    kind: 'bad_request',
    message: cause instanceof Error ? cause.message : String(cause),
    operatorAction: 'an import step failed permanently; fix the cause (see the message and the worker log), then send the resume signal',
    at: new Date().toISOString(),
  };
}

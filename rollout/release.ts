// Follows the release that `pulumi up` started on each Canary of the stack
// until Flagger has promoted it (exit 0) or rolled it back (exit 1, with the
// Canary's last events), or a bounded time has passed (exit 3, naming the
// phase it was stuck in). One line per change of phase, weight or failed
// checks.
//
// Right after `up` the Canary still shows the previous release's phase, and
// Flagger (1.36.1, pkg/controller/scheduler.go) only looks at the target once
// per analysis interval. What tells this release apart is status.lastAppliedSpec,
// Flagger's hash of the target's pod template at its last status write:
// - with a mark taken before the up (release-mark.ts), a terminal phase counts
//   only under a hash other than the marked one; if the up did not change the
//   target's template, no release follows and the last one's phase is final;
// - a Failed Canary is re-synced every interval (shouldAdvance: SyncStatus
//   keeps the phase, writes the new hash and lastTransitionTime), and moves to
//   Progressing only afterwards in the same pass: so Failed under a new hash
//   ends the watch only once a non-terminal phase was seen, or the Canary kept
//   that phase and hash for a settling time (two intervals, in which Flagger
//   has looked at least once). lastTransitionTime is no marker: that re-sync
//   rewrites it while nothing is released;
// - without a mark, any terminal phase counts once a non-terminal phase was
//   seen, or once it held for the settling time.
import { goDurationMilliseconds } from "../components/duration";
import { type CanaryObject, isTerminal } from "./canary-object";
import type { ReleaseCluster } from "./cluster";
import type { KubeEvent } from "./kube-objects";
import { type CanaryMark, type ReleaseMark, targetName, templateDigest } from "./release-mark";
import { canaryRecordOf, type ReleaseRecord } from "./release-record";
import type { CanaryRef } from "./stack-state";

export const exitCodes = { promoted: 0, rolledBack: 1, timedOut: 3 } as const;

/** Flagger's defaults (pkg/apis/flagger/v1beta1/canary.go) for what a Canary leaves unset. */
const flaggerDefaults = { intervalMs: 60_000, threshold: 1, progressDeadlineSeconds: 600 };
/** Passes of the scheduler besides the weight steps and failed checks: new revision, start, promote, finalise, succeed. */
const extraPasses = 5;
const eventsShown = 10;

export interface WatchOptions {
  /** Overrides the bound derived from the Canaries' specs. */
  timeoutMs?: number;
  pollMs: number;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  out: (line: string) => void;
  redact: (text: string) => string;
}

export type Outcome = "promoted" | "initialized" | "no new release" | "rolled back" | "timed out";

export interface CanaryResult {
  ref: CanaryRef;
  outcome: Outcome;
  phase: string;
}

export interface WatchResult {
  code: number;
  results: CanaryResult[];
  record: ReleaseRecord;
}

interface Track {
  ref: CanaryRef;
  mark?: CanaryMark;
  /** With a mark: whether the up changed the target's pod template (undefined until read). */
  templateChanged?: boolean;
  seenProgress: boolean;
  /** phase and hash last seen, and since when. */
  key?: string;
  keySince: number;
  shown?: string;
  lastError?: string;
  last?: CanaryObject;
  result?: CanaryResult;
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e)).split("\n")[0] ?? "";

function elapsed(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 60 ? `+${String(s)}s` : `+${String(Math.floor(s / 60))}m${String(s % 60).padStart(2, "0")}s`;
}

/** The analysis interval of a Canary, in ms. */
export function intervalMs(c: CanaryObject): number {
  const ms = goDurationMilliseconds(c.spec?.analysis?.interval ?? "");
  return ms === undefined || ms <= 0 ? flaggerDefaults.intervalMs : ms;
}

/**
 * How long a release of `c` may take before the watch gives up: each weight
 * step, each failed check short of the threshold and the scheduler's other
 * passes take one interval (half again as margin), plus the time the new pods
 * may take to become ready (progressDeadlineSeconds).
 */
export function releaseBoundMs(c: CanaryObject): number {
  const a = c.spec?.analysis;
  const steps = a?.stepWeights?.length ?? (a?.stepWeight !== undefined && a.stepWeight > 0 ? Math.ceil((a.maxWeight ?? 100) / a.stepWeight) : (a?.iterations ?? 1));
  const passes = steps + (a?.threshold ?? flaggerDefaults.threshold) + extraPasses;
  return Math.round(passes * intervalMs(c) * 1.5) + (c.spec?.progressDeadlineSeconds ?? flaggerDefaults.progressDeadlineSeconds) * 1000;
}

/** The decision on one reading: an outcome once the release the up started has ended, else undefined. */
function judge(t: Track, c: CanaryObject, now: number, settleMs: number): Outcome | undefined {
  const phase = c.status?.phase ?? "";
  const hash = c.status?.lastAppliedSpec;
  const fresh = t.mark?.lastAppliedSpec === undefined || hash !== t.mark.lastAppliedSpec;
  if (!isTerminal(phase)) {
    t.seenProgress ||= fresh;
    return undefined;
  }
  const settled = now - t.keySince >= settleMs;
  const atPromoted = hash !== undefined && hash === c.status?.lastPromotedSpec;
  if (t.mark?.lastAppliedSpec !== undefined && !fresh) {
    // The previous release's phase: final only if the up gave Flagger nothing new.
    if (t.templateChanged !== false) {
      return undefined;
    }
    return phase === "Failed" && !atPromoted ? "rolled back" : "no new release";
  }
  if (t.mark?.lastAppliedSpec === undefined && !t.seenProgress && !settled) {
    return undefined;
  }
  if (phase === "Succeeded") {
    return "promoted";
  }
  if (phase === "Initialized") {
    return "initialized";
  }
  if (atPromoted) {
    // The target is the template the primary already runs (a redeploy of the promoted image after a rollback): Flagger starts no analysis.
    return "no new release";
  }
  if (!t.seenProgress && !settled) {
    return undefined; // the re-sync of a Failed Canary just before the new release starts
  }
  return "rolled back";
}

function statusLine(c: CanaryObject, t: Track): string {
  const s = c.status;
  const phase = s?.phase ?? "";
  const parts = [phase === "" ? "no status yet (Flagger has not picked the Canary up)" : phase];
  if ((s?.canaryWeight ?? 0) > 0) {
    parts.push(`weight ${String(s?.canaryWeight)}%`);
  }
  const threshold = c.spec?.analysis?.threshold;
  if ((s?.failedChecks ?? 0) > 0) {
    parts.push(`failed checks ${String(s?.failedChecks)}${threshold === undefined ? "" : `/${String(threshold)}`}`);
  }
  if (t.mark?.lastAppliedSpec !== undefined && s?.lastAppliedSpec === t.mark.lastAppliedSpec && isTerminal(phase)) {
    parts.push("(the previous release: Flagger has not seen the new template yet)");
  }
  return parts.join(", ");
}

const eventTime = (e: KubeEvent) => e.series?.lastObservedTime ?? e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp ?? "";

async function showEvents(t: Track, cluster: ReleaseCluster, o: WatchOptions): Promise<void> {
  const name = `${t.ref.namespace}/${t.ref.name}`;
  try {
    const events = (await cluster.canaryEvents(t.ref.namespace, t.ref.name)).sort((a, b) => eventTime(a).localeCompare(eventTime(b)));
    const shown = events.slice(-eventsShown);
    o.out(`  last events of canary ${name}${events.length > shown.length ? ` (${String(shown.length)} of ${String(events.length)})` : ""}:`);
    for (const e of shown) {
      const count = e.series?.count ?? e.count ?? 1;
      o.out(o.redact(`    ${eventTime(e)} ${e.type ?? "Normal"} ${e.reason ?? ""}: ${(e.message ?? "").trim()}${count > 1 ? ` (x${String(count)})` : ""}`));
    }
    if (shown.length === 0) {
      o.out("    (none: events expire after an hour)");
    }
  } catch (e) {
    o.out(o.redact(`  (events of canary ${name} not readable: ${message(e)})`));
  }
}

async function read(t: Track, cluster: ReleaseCluster, o: WatchOptions, start: number): Promise<CanaryObject | undefined> {
  const name = `${t.ref.namespace}/${t.ref.name}`;
  try {
    const c = await cluster.canary(t.ref.namespace, t.ref.name);
    if (c === undefined) {
      throw new Error("the Canary does not exist");
    }
    if (t.templateChanged === undefined && t.mark !== undefined) {
      const template = await cluster.podTemplate(t.ref.namespace, targetName(t.ref, c.spec?.targetRef?.name));
      t.templateChanged = template === undefined || t.mark.template === undefined || templateDigest(template) !== t.mark.template;
    }
    t.lastError = undefined;
    return c;
  } catch (e) {
    const m = message(e);
    if (m !== t.lastError) {
      o.out(o.redact(`${elapsed(o.now() - start)} ${name}: cannot read: ${m}`));
      t.lastError = m;
    }
    return undefined;
  }
}

/** Follows every Canary of `canaries` to the end of its release, or to the bound. */
export async function watchRelease(canaries: readonly CanaryRef[], mark: ReleaseMark | undefined, cluster: ReleaseCluster, o: WatchOptions): Promise<WatchResult> {
  const start = o.now();
  const tracks: Track[] = canaries.map((ref) => ({
    ref,
    mark: mark?.canaries.find((m) => m.namespace === ref.namespace && m.name === ref.name),
    seenProgress: false,
    keySince: start,
  }));
  let deadline = o.timeoutMs === undefined ? undefined : start + o.timeoutMs;
  for (;;) {
    for (const t of tracks.filter((x) => x.result === undefined)) {
      const c = await read(t, cluster, o, start);
      const now = o.now();
      if (c === undefined) {
        continue;
      }
      t.last = c;
      deadline ??= start + releaseBoundMs(c);
      const key = `${c.status?.phase ?? ""} ${c.status?.lastAppliedSpec ?? ""}`;
      if (key !== t.key) {
        t.key = key;
        t.keySince = now;
      }
      const line = statusLine(c, t);
      if (line !== t.shown) {
        o.out(o.redact(`${elapsed(now - start)} ${t.ref.namespace}/${t.ref.name}: ${line}`));
        t.shown = line;
      }
      const outcome = judge(t, c, now, 2 * intervalMs(c));
      if (outcome !== undefined) {
        t.result = { ref: t.ref, outcome, phase: c.status?.phase ?? "" };
        const note = outcome === "no new release" ? ": this update started no release (the target's pod template is unchanged, or is the one the primary runs)" : "";
        o.out(`${elapsed(now - start)} ${t.ref.namespace}/${t.ref.name}: ${outcome}${note}`);
        if (outcome === "rolled back") {
          await showEvents(t, cluster, o);
        }
      }
    }
    if (tracks.every((t) => t.result !== undefined)) {
      break;
    }
    if (deadline !== undefined && o.now() >= deadline) {
      for (const t of tracks.filter((x) => x.result === undefined)) {
        const phase = t.last?.status?.phase ?? "";
        t.result = { ref: t.ref, outcome: "timed out", phase };
        o.out(
          `${elapsed(o.now() - start)} ${t.ref.namespace}/${t.ref.name}: timed out after ${elapsed(o.now() - start).slice(1)}, stuck in ${t.last === undefined ? `an unreadable Canary (${t.lastError ?? "?"})` : statusLine(t.last, t)}`,
        );
      }
      break;
    }
    await o.sleep(o.pollMs);
  }
  const results = tracks.flatMap((t) => (t.result === undefined ? [] : [t.result]));
  const code = results.some((r) => r.outcome === "rolled back") ? exitCodes.rolledBack : results.some((r) => r.outcome === "timed out") ? exitCodes.timedOut : exitCodes.promoted;
  const record: ReleaseRecord = { readAt: new Date(o.now()).toISOString(), canaries: tracks.map((t) => canaryRecordOf(t.ref, t.last, o.redact)) };
  return { code, results, record };
}

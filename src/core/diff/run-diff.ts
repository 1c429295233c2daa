import path from 'node:path'
import {JoeError} from '../errors.js'
import type {Journey} from '../journey/model.js'
import {type DiffSides, diffAgainstRef, diffPaths} from './compare-sources.js'
import {matchSteps} from './diff-journeys.js'
import type {JourneyDiff} from './diff-project.js'
import {computeImpact, type JourneyImpact} from './impact.js'
import type {ClassCounts, DiffOperation, DiffValue} from './types.js'

/**
 * Version of `joe diff --json` (docs/cli-output.md). 2: every field present, null when it has no
 * value (`base`, `impact`, `old_path`, `new_path`, and an operation's `step`, `field`, `from`, `to`, `note`).
 */
export const DIFF_FORMAT_VERSION = 2

export interface JourneyDiffWithImpact extends JourneyDiff {
  /** Present with `--impact` for journeys with more than cosmetic changes. */
  impact?: JourneyImpact
}

/** The comparison, as the renderers read it (`diffOutput` shapes it for `--json`). */
export interface DiffResult {
  /** Present with `--base`: the ref as given and the commit it named. */
  base?: {ref: string; commit: string}
  /** Sorted by journey id; unchanged journeys included (status `unchanged`). */
  journeys: JourneyDiffWithImpact[]
  counts: ClassCounts
  /** Whether any journey has an operation (what `--exit-code` reports). */
  changed: boolean
  /** Present with `--impact`: the store simulated (as given or configured). */
  impact?: {store: string}
}

export interface DiffRun {
  result: DiffResult
  /** Old and new model of every journey, by id, for renderers (graphs). */
  versions: Map<string, {old?: Journey; new?: Journey}>
}

export interface RunDiffOptions {
  cwd: string
  configPath?: string
  /** Without `base`: OLD and NEW (two files, ids, folders or globs). With `base`: journey ids, files, folders or globs to compare (none: every journey). */
  names: readonly string[]
  /** `joe diff [NAMES] --base REF`. */
  base?: string
  /** Present: simulate both versions of each behaviourally changed journey. */
  impact?: {storePath?: string; from?: number; until?: number; onJourney?: (id: string) => void}
}

/** `joe diff`: compare, then (with `impact`) simulate old and new over the same store and window. */
export async function runDiff(options: RunDiffOptions): Promise<DiffRun> {
  const common = {cwd: options.cwd, ...(options.configPath ? {configPath: options.configPath} : {})}
  const {names} = options
  if (options.base === undefined && names.length !== 2) {
    throw new JoeError(
      'JOE5004',
      names.length < 2
        ? 'joe diff needs two journey files, or --base REF'
        : 'joe diff compares two files; to compare several, use --base REF',
      {
        hint: 'e.g. `joe diff old.journey.yaml new.journey.yaml`, or `joe diff --base main` for the working tree against main',
        exitCode: 2,
      },
    )
  }
  const sides: DiffSides =
    options.base !== undefined
      ? await diffAgainstRef(options.base, {...common, paths: names})
      : await diffPaths(names[0] as string, names[1] as string, common)
  const versions = new Map<string, {old?: Journey; new?: Journey}>()
  for (const j of sides.diff.journeys) {
    const old = sides.old.get(j.id)?.journey
    const next = sides.new.get(j.id)?.journey
    versions.set(j.id, {...(old ? {old} : {}), ...(next ? {new: next} : {})})
  }
  const journeys: JourneyDiffWithImpact[] = sides.diff.journeys.map((j) => ({...j}))
  const result: DiffResult = {
    ...(sides.base ? {base: sides.base} : {}),
    journeys,
    counts: sides.diff.counts,
    changed: sides.diff.changed,
  }
  if (options.impact) {
    const storePath = options.impact.storePath ?? path.resolve(sides.config.root, sides.config.store)
    result.impact = {store: path.relative(options.cwd, storePath).split(path.sep).join('/') || storePath}
    for (const j of journeys) {
      if (!j.operations.some((op) => op.class !== 'cosmetic')) continue
      options.impact.onJourney?.(j.id)
      const {old, new: next} = versions.get(j.id) ?? {}
      j.impact = computeImpact({
        ...(old ? {old} : {}),
        ...(next ? {new: next} : {}),
        storePath,
        ...(options.impact.from !== undefined ? {from: options.impact.from} : {}),
        ...(options.impact.until !== undefined ? {until: options.impact.until} : {}),
        ...(old && next ? {renames: matchSteps(old, next).renames} : {}),
      })
    }
  }
  return {result, versions}
}

/** An operation of `joe diff --json`: every field present, null when it does not apply. */
export interface DiffOperationJson {
  op: DiffOperation['op']
  class: DiffOperation['class']
  step: string | null
  field: string | null
  /** The old value; null when there was none (something was added). */
  from: DiffValue
  /** The new value; null when there is none (something was removed). */
  to: DiffValue
  note: string | null
}

export interface JourneyDiffJson {
  id: string
  status: JourneyDiff['status']
  old_path: string | null
  new_path: string | null
  file_renamed: boolean
  operations: DiffOperationJson[]
  counts: ClassCounts
  /** With `--impact`, for journeys with more than cosmetic changes; else null. */
  impact: JourneyImpact | null
}

/** What `joe diff --json` prints. */
export interface DiffOutput {
  format_version: typeof DIFF_FORMAT_VERSION
  /** With `--base`: the ref as given and the commit it named; else null. */
  base: {ref: string; commit: string} | null
  /** Sorted by journey id; unchanged journeys included (status `unchanged`). */
  journeys: JourneyDiffJson[]
  counts: ClassCounts
  /** Whether any journey has an operation (what `--exit-code` reports). */
  changed: boolean
  /** With `--impact`: the store simulated (as given or configured); else null. */
  impact: {store: string} | null
}

/** The `--json` output of a diff. */
export function diffOutput(result: DiffResult): DiffOutput {
  return {
    format_version: DIFF_FORMAT_VERSION,
    base: result.base ?? null,
    journeys: result.journeys.map((j) => ({
      id: j.id,
      status: j.status,
      old_path: j.old_path ?? null,
      new_path: j.new_path ?? null,
      file_renamed: j.file_renamed,
      operations: j.operations.map((op) => ({
        op: op.op,
        class: op.class,
        step: op.step ?? null,
        field: op.field ?? null,
        from: op.from ?? null,
        to: op.to ?? null,
        note: op.note ?? null,
      })),
      counts: j.counts,
      impact: j.impact ?? null,
    })),
    counts: result.counts,
    changed: result.changed,
    impact: result.impact ?? null,
  }
}

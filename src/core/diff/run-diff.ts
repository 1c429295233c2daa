import path from 'node:path'
import {JoeError} from '../errors.js'
import type {Journey} from '../journey/model.js'
import {type DiffSides, diffAgainstRef, diffPaths} from './compare-sources.js'
import {matchSteps} from './diff-journeys.js'
import type {JourneyDiff} from './diff-project.js'
import {computeImpact, type JourneyImpact} from './impact.js'
import type {ClassCounts} from './types.js'

export const DIFF_FORMAT_VERSION = 1

export interface JourneyDiffWithImpact extends JourneyDiff {
  /** Present with `--impact` for journeys with more than cosmetic changes. */
  impact?: JourneyImpact
}

/** What `joe diff --json` prints. */
export interface DiffResult {
  format_version: typeof DIFF_FORMAT_VERSION
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
  /** `joe diff OLD NEW`: two files or two folders. */
  pair?: [string, string]
  /** `joe diff [PATHS] --base REF`. */
  base?: string
  paths?: readonly string[]
  /** Present: simulate both versions of each behaviourally changed journey. */
  impact?: {storePath?: string; from?: number; until?: number; onJourney?: (id: string) => void}
}

/** `joe diff`: compare, then (with `impact`) simulate old and new over the same store and window. */
export async function runDiff(options: RunDiffOptions): Promise<DiffRun> {
  const common = {cwd: options.cwd, ...(options.configPath ? {configPath: options.configPath} : {})}
  let sides: DiffSides
  if (options.base !== undefined) sides = await diffAgainstRef(options.base, {...common, paths: options.paths ?? []})
  else if (options.pair) sides = await diffPaths(options.pair[0], options.pair[1], common)
  else {
    throw new JoeError('JOE5004', 'nothing to compare', {
      hint: 'give two journey files (`joe diff OLD NEW`) or a git ref (`joe diff --base main`)',
      exitCode: 2,
    })
  }
  const versions = new Map<string, {old?: Journey; new?: Journey}>()
  for (const j of sides.diff.journeys) {
    const old = sides.old.get(j.id)?.journey
    const next = sides.new.get(j.id)?.journey
    versions.set(j.id, {...(old ? {old} : {}), ...(next ? {new: next} : {})})
  }
  const journeys: JourneyDiffWithImpact[] = sides.diff.journeys.map((j) => ({...j}))
  const result: DiffResult = {
    format_version: DIFF_FORMAT_VERSION,
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

import {diffJourneys} from './diff-journeys.js'
import type {JourneyFile} from './journey-text.js'
import {type ClassCounts, countClasses, type DiffOperation} from './types.js'
import {canHoldCustomers} from './values.js'

export type JourneyStatus = 'added' | 'removed' | 'changed' | 'unchanged'

/** The diff of one journey, matched by id across the two sides. */
export interface JourneyDiff {
  /** The journey id (the new one when two files with different ids are compared). */
  id: string
  status: JourneyStatus
  /** Present unless the journey was added. */
  old_path?: string
  /** Present unless the journey was removed. */
  new_path?: string
  /** The file moved or was renamed (same journey id); not a change by itself. */
  file_renamed: boolean
  operations: DiffOperation[]
  counts: ClassCounts
}

export interface ProjectDiff {
  /** Sorted by journey id. */
  journeys: JourneyDiff[]
  /** Operations by class over all journeys. */
  counts: ClassCounts
  /** Whether any journey has an operation (a file rename alone is not a change). */
  changed: boolean
}

/** Pairs one old and one new version as a journey diff, whatever their ids. */
export function diffPair(old: JourneyFile, next: JourneyFile): JourneyDiff {
  const operations = diffJourneys(old.journey, next.journey)
  return {
    id: next.journey.id,
    status: operations.length > 0 ? 'changed' : 'unchanged',
    old_path: old.path,
    new_path: next.path,
    file_renamed: old.path !== next.path,
    operations,
    counts: countClasses(operations),
  }
}

function added(file: JourneyFile): JourneyDiff {
  const operations: DiffOperation[] = [{op: 'journey.added', class: 'behaviour', to: file.journey.id}]
  return {id: file.journey.id, status: 'added', new_path: file.path, file_renamed: false, operations, counts: countClasses(operations)}
}

/** Removing a journey drops the customers waiting in it, like removing each of its waiting steps. */
function removed(file: JourneyFile): JourneyDiff {
  const holding = file.journey.steps.filter((s) => canHoldCustomers(s, file.journey))
  const operations: DiffOperation[] = [
    {
      op: 'journey.removed',
      class: holding.length > 0 ? 'breaking-in-flight' : 'behaviour',
      from: file.journey.id,
      ...(holding.length > 0 ? {note: `customers waiting at ${holding.map((s) => s.id).join(', ')} leave the journey with it`} : {}),
    },
  ]
  return {id: file.journey.id, status: 'removed', old_path: file.path, file_renamed: false, operations, counts: countClasses(operations)}
}

/**
 * Matches journeys by id: a file renamed with the same id is the same journey;
 * a journey only on one side is added or removed.
 */
export function diffProjects(oldFiles: readonly JourneyFile[], newFiles: readonly JourneyFile[]): ProjectDiff {
  const oldById = new Map(oldFiles.map((f) => [f.journey.id, f]))
  const newById = new Map(newFiles.map((f) => [f.journey.id, f]))
  const ids = [...new Set([...oldById.keys(), ...newById.keys()])].sort()
  const journeys = ids.map((id) => {
    const old = oldById.get(id)
    const next = newById.get(id)
    if (old && next) return diffPair(old, next)
    return old ? removed(old) : added(next as JourneyFile)
  })
  return summarize(journeys)
}

export function summarize(journeys: JourneyDiff[]): ProjectDiff {
  const operations = journeys.flatMap((j) => j.operations)
  return {journeys, counts: countClasses(operations), changed: operations.length > 0}
}

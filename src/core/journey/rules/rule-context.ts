import type {Diagnostic} from '../../errors.js'
import type {JoeConfig} from '../../project/config.js'
import type {SourceFile, YamlPath} from '../source.js'

export type RawObject = Record<string, unknown>

export function isObject(value: unknown): value is RawObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

export function asString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined
}

/** A step as written, before it is known to be valid. */
export interface RawStep {
  index: number
  value: RawObject
  id?: string
}

/**
 * What every rule gets: the raw document (rules run even when the schema
 * failed, so they guard every access), its positions, and the project config.
 */
export interface RuleContext {
  source: SourceFile
  raw: RawObject
  steps: RawStep[]
  config: JoeConfig
  /** `offset` points inside the scalar at `path` (CEL errors); `key` at the key rather than the value. */
  report(diagnostic: Omit<Diagnostic, 'location'> & {path: YamlPath; key?: boolean; offset?: number}): void
}

export type Rule = (ctx: RuleContext) => void

export function rawSteps(raw: RawObject): RawStep[] {
  const steps = Array.isArray(raw.steps) ? raw.steps : []
  const out: RawStep[] = []
  steps.forEach((value, index) => {
    if (!isObject(value)) return
    const id = asString(value.id)
    out.push(id === undefined ? {index, value} : {index, value, id})
  })
  return out
}

/** The first step carrying each id; duplicates are reported by their own rule. */
export function stepIds(steps: RawStep[]): Map<string, RawStep> {
  const ids = new Map<string, RawStep>()
  for (const step of steps) if (step.id !== undefined && !ids.has(step.id)) ids.set(step.id, step)
  return ids
}

export interface StepEdge {
  target: string
  /** Where the reference is written; undefined for the implicit "following step". */
  path?: YamlPath
  label: string
}

/** Every step a raw step can lead to, explicit references first. */
export function rawEdges(step: RawStep, steps: RawStep[]): StepEdge[] {
  const base: YamlPath = ['steps', step.index]
  const edges: StepEdge[] = []
  const v = step.value
  const push = (target: unknown, path: YamlPath, label: string) => {
    if (typeof target === 'string') edges.push({target, path, label})
  }
  if (isObject(v.branch)) {
    const cases = Array.isArray(v.branch.cases) ? v.branch.cases : []
    cases.forEach((c, i) => {
      if (isObject(c)) push(c.next, [...base, 'branch', 'cases', i, 'next'], `case ${i + 1}`)
    })
    push(v.branch.else, [...base, 'branch', 'else'], 'else')
    return edges
  }
  if (Array.isArray(v.split)) {
    v.split.forEach((variant, i) => {
      if (isObject(variant)) push(variant.next, [...base, 'split', i, 'next'], `variant ${i + 1}`)
    })
    return edges
  }
  if (typeof v.next === 'string') push(v.next, [...base, 'next'], 'next')
  else {
    const following = steps.find((s) => s.index > step.index)
    edges.push({target: following?.id ?? 'end', label: 'next'})
  }
  if (isObject(v.wait_for)) push(v.wait_for.on_timeout, [...base, 'wait_for', 'on_timeout'], 'on_timeout')
  return edges
}

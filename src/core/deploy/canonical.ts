import {createHash} from 'node:crypto'
import type {Journey} from '../journey/model.js'

/** JSON with object keys sorted at every level and no whitespace: the same model gives the same text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value))
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys)
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key]
      if (v !== undefined) out[key] = sortKeys(v)
    }
    return out
  }
  return value
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex')
}

/** A journey revision: its canonical document and content hash (the revision id). */
export interface JourneyRevision {
  journey: string
  /** SHA-256 of `document`, 64 hex characters. */
  hash: string
  /** The journey model as canonical JSON. */
  document: string
}

export function journeyRevision(journey: Journey): JourneyRevision {
  const document = canonicalJson(journey)
  return {journey: journey.id, hash: sha256(document), document}
}

/** How revisions are shown: the first 12 hex characters, like git's short hashes. */
export function shortHash(hash: string | null | undefined): string {
  return hash ? hash.slice(0, 12) : '-'
}

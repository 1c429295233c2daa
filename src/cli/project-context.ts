import path from 'node:path'
import {JoeError} from '../core/errors.js'
import type {JoeConfig} from '../core/project/config.js'

/** The event store path: --store, else `store` from joe.config.yaml (relative to the config). */
export function storePath(config: JoeConfig, flag: string | undefined): string {
  return flag ? path.resolve(flag) : path.resolve(config.root, config.store)
}

/** Parses --from/--until style flags: an ISO 8601 time, or a date (midnight UTC). */
export function parseInstantFlag(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined
  const text = /^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value
  const ms = /^\d{4}-\d{2}-\d{2}T/.test(text) ? Date.parse(text) : Number.NaN
  if (Number.isNaN(ms)) {
    throw new JoeError('JOE4005', `--${name} "${value}" is not a date or an ISO 8601 time`, {
      hint: 'e.g. 2026-03-01 or 2026-03-01T09:00:00Z',
      exitCode: 2,
    })
  }
  return ms
}

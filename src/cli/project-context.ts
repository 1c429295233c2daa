import {JoeError} from '../core/errors.js'
import {describeInstantProblem, parseInstant} from '../core/instant.js'
import {eventStorePath, type JoeConfig} from '../core/project/config.js'

/** The event store path: --store, else `store` from joe.config.yaml (relative to the config). */
export function storePath(config: JoeConfig, flag: string | undefined): string {
  return eventStorePath(config, flag, process.cwd())
}

/** Parses --from/--until style flags: an ISO 8601 date-time with a zone, or a date (midnight UTC). */
export function parseInstantFlag(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined
  const ms = parseInstant(value)
  if (typeof ms !== 'number') {
    throw new JoeError('JOE4005', `--${name} "${value}" ${describeInstantProblem(ms)}`, {
      hint: 'e.g. 2026-03-01 or 2026-03-01T09:00:00Z',
      exitCode: 2,
    })
  }
  return ms
}

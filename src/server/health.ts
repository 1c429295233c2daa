import type {RuntimeLog} from '../core/runtime/loops.js'
import {redactSecrets} from '../core/secrets.js'

/** How long `GET /readyz` waits for the store: a store that does not answer in time is not ready. */
export const STORE_CHECK_TIMEOUT_MS = 2_000

/** What `GET /readyz` answers: ready when every check is `ok`. */
export interface Readiness {
  ready: boolean
  role: string
  /** `store`, and the loops of the role (`worker`, `delivery`): `ok`, else what is wrong (no details: they are logged). */
  checks: Record<string, string>
}

export interface ReadinessOptions {
  role: string
  /** Resolves when the store answers a query. */
  pingStore(): Promise<void>
  /** The loops this process runs, by name (undefined: not run by this role). */
  loops(): Readonly<Record<string, {readonly healthy: boolean} | undefined>>
  log: RuntimeLog
  /** Texts never logged (store passwords). */
  secrets?: readonly string[]
  timeoutMs?: number
}

/**
 * Readiness of a `joe serve` process: the store answers within the timeout, and each loop of its
 * role completed its last round (a loop whose store connection broke fails its round, and recovers
 * when the store comes back). Why a check fails goes to the log once, when it starts failing, and
 * never in the answer: the port may face the internet.
 */
export function createReadiness(options: ReadinessOptions): () => Promise<Readiness> {
  const failing = new Set<string>()
  const note = (check: string, problem: string | undefined) => {
    if (problem === undefined) {
      if (failing.delete(check)) options.log.info({check}, 'ready again')
    } else if (!failing.has(check)) {
      failing.add(check)
      options.log.warn({check, error: redactSecrets(problem, options.secrets ?? [])}, 'not ready')
    }
  }
  return async () => {
    const checks: Record<string, string> = {}
    const store = await withTimeout(options.pingStore(), options.timeoutMs ?? STORE_CHECK_TIMEOUT_MS)
    note('store', store)
    checks.store = store === undefined ? 'ok' : 'unreachable'
    for (const [name, loop] of Object.entries(options.loops())) {
      if (loop === undefined) continue
      note(name, loop.healthy ? undefined : `the ${name} loop's last round failed`)
      checks[name] = loop.healthy ? 'ok' : 'failing'
    }
    return {ready: Object.values(checks).every((v) => v === 'ok'), role: options.role, checks}
  }
}

/** Undefined when `work` resolves within `ms`, else why not. */
async function withTimeout(work: Promise<void>, ms: number): Promise<string | undefined> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`no answer within ${ms} ms`), ms)
  })
  try {
    return await Promise.race([work.then(() => undefined), timeout])
  } catch (error) {
    return (error as Error).message ?? String(error)
  } finally {
    clearTimeout(timer)
  }
}

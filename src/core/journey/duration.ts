const UNIT_MS = {s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000} as const
const SHORT = /^(-?)(\d+)([smhdw])$/
// Only unambiguous units: years and months have no fixed length, so they are not accepted.
const ISO = /^(-?)P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/

/**
 * Milliseconds for a duration written as `<integer><s|m|h|d|w>` or ISO 8601
 * (`PT90M`, `P2D`, `P1W`); undefined when the text is not a duration.
 * Zero and negative values are returned as such: the caller decides.
 */
export function parseDuration(text: string): number | undefined {
  const short = SHORT.exec(text)
  if (short) {
    const sign = short[1] === '-' ? -1 : 1
    return sign * Number(short[2]) * UNIT_MS[short[3] as keyof typeof UNIT_MS]
  }
  const iso = ISO.exec(text)
  if (!iso || text === 'P' || text.endsWith('T')) return undefined
  const [, minus, w, d, h, m, s] = iso
  const ms =
    Number(w ?? 0) * UNIT_MS.w +
    Number(d ?? 0) * UNIT_MS.d +
    Number(h ?? 0) * UNIT_MS.h +
    Number(m ?? 0) * UNIT_MS.m +
    Number(s ?? 0) * 1000
  return minus === '-' ? -ms : ms
}

/** Shortest readable form of a duration, e.g. 5400000 -> "90m", 172800000 -> "2d". */
export function formatDuration(ms: number): string {
  for (const unit of ['w', 'd', 'h', 'm', 's'] as const) {
    if (ms !== 0 && ms % UNIT_MS[unit] === 0) return `${ms / UNIT_MS[unit]}${unit}`
  }
  return `${ms}ms`
}

/** Minutes after midnight for "HH:MM", or undefined. */
export function parseTimeOfDay(text: string): number | undefined {
  const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(text)
  return match ? Number(match[1]) * 60 + Number(match[2]) : undefined
}

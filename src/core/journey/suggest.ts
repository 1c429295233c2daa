import {distance} from 'fastest-levenshtein'

/** The closest candidate to `word`, if it is close enough to be a likely typo. */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined
  let bestDistance = Number.POSITIVE_INFINITY
  for (const candidate of candidates) {
    const d = distance(word.toLowerCase(), candidate.toLowerCase())
    if (d < bestDistance) {
      best = candidate
      bestDistance = d
    }
  }
  if (best === undefined) return undefined
  // Short words tolerate one edit; longer ones a third of their length (a swap of two letters is two edits).
  const length = Math.max(word.length, best.length)
  const allowed = length <= 3 ? 1 : Math.max(2, Math.floor(length / 3))
  return bestDistance <= allowed ? best : undefined
}

/** "did you mean "x"? " prefix for hints, empty when nothing is close. */
export function didYouMean(word: string, candidates: Iterable<string>): string {
  const match = closest(word, candidates)
  return match === undefined ? '' : `did you mean "${match}"? `
}

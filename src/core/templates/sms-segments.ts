/**
 * How many SMS segments a text takes (3GPP TS 23.038 / 23.040). Texts made only of the GSM-7
 * alphabet take 7 bits a character: 160 fit in one message, 153 per segment once it is split
 * (the rest of each segment holds the concatenation header). One character outside it makes the
 * whole message UCS-2: 70 characters, 67 per segment. Carriers bill per segment.
 */

const GSM7_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\u001bÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà'
/** Written as an escape plus a character: two septets each. */
const GSM7_EXTENDED = '\f^{}\\[~]|€'

const BASIC = new Set(GSM7_BASIC)
const EXTENDED = new Set(GSM7_EXTENDED)

export type SmsEncoding = 'GSM-7' | 'UCS-2'

export interface SmsSegments {
  encoding: SmsEncoding
  /** Characters as the encoding counts them: septets for GSM-7, UTF-16 code units for UCS-2. */
  units: number
  segments: number
  /** What one segment holds: 160/70 when the text fits in one, else 153/67. */
  perSegment: number
  /** The first character that forces UCS-2, with its index in the text; absent for GSM-7. */
  firstNonGsm?: {char: string; index: number}
}

export function isGsm7(char: string): boolean {
  return BASIC.has(char) || EXTENDED.has(char)
}

/**
 * Counts the segments of `text`. Splitting never cuts an escape sequence or a surrogate pair in
 * two, as phones and gateways do, so a segment may carry one unit less than its size.
 */
export function countSmsSegments(text: string): SmsSegments {
  let firstNonGsm: SmsSegments['firstNonGsm']
  let index = 0
  for (const char of text) {
    if (!isGsm7(char)) {
      firstNonGsm = {char, index}
      break
    }
    index += char.length
  }
  const encoding: SmsEncoding = firstNonGsm ? 'UCS-2' : 'GSM-7'
  const widths = [...text].map((char) => (encoding === 'GSM-7' ? (EXTENDED.has(char) ? 2 : 1) : char.length))
  const units = widths.reduce((a, b) => a + b, 0)
  const single = encoding === 'GSM-7' ? 160 : 70
  const multi = encoding === 'GSM-7' ? 153 : 67
  if (units <= single) return {encoding, units, segments: units === 0 ? 0 : 1, perSegment: single, ...(firstNonGsm ? {firstNonGsm} : {})}
  let segments = 1
  let used = 0
  for (const width of widths) {
    if (used + width > multi) {
      segments++
      used = 0
    }
    used += width
  }
  return {encoding, units, segments, perSegment: multi, ...(firstNonGsm ? {firstNonGsm} : {})}
}

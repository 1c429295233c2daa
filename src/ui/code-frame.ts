import {Chalk} from 'chalk'
import type {Severity} from '../core/errors.js'
import {isUnsafeCodePoint} from './safe-text.js'

/** Where the problem is, 1-based; columns count UTF-16 code units like the YAML parser's. */
export interface FramePosition {
  line: number
  column: number
  /** Present when the problem spans a known range; endColumn is exclusive (the column after the last character). */
  endLine?: number
  endColumn?: number
}

export interface CodeFrameOptions {
  color: boolean
  /** Colours the `>` marker and the caret; defaults to 'error'. */
  severity?: Severity
  /** Context lines shown above and below the problem line; default 2 each. */
  linesAbove?: number
  linesBelow?: number
  /** Widest slice of a source line shown, in terminal columns; longer lines are cut around the caret. Default 120. */
  maxWidth?: number
}

/** A tab always becomes this many spaces, in the source line and under the caret alike. */
const TAB_WIDTH = 4
const ELLIPSIS = '…'

/** One rendered terminal cell sequence for one UTF-16 code unit of the source line. */
interface Cell {
  text: string
  width: number
}

/**
 * A code frame like babel's or biome's: a few lines around the problem with a line-number
 * gutter, `>` on the problem line and a caret (`^`, or `^^^^` over a same-line range) under it.
 * Returns '' when the position is outside the text, so callers can print the frame unconditionally.
 */
export function codeFrame(text: string, position: FramePosition, options: CodeFrameOptions): string {
  const chalk = new Chalk({level: options.color ? 3 : 0})
  const paint = options.severity === 'warning' ? chalk.yellow : options.severity === 'info' ? chalk.cyan : chalk.red
  // Line breaks as the YAML LineCounter counts them: only \n ends a line; a \r before it is not shown.
  const lines = text.split('\n').map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line))
  if (position.line < 1 || position.line > lines.length) return ''

  const first = Math.max(1, position.line - (options.linesAbove ?? 2))
  // A final newline ends the last line; it does not start one worth showing (unless the problem is there).
  const lineCount = lines.at(-1) === '' && position.line < lines.length ? lines.length - 1 : lines.length
  const last = Math.min(lineCount, position.line + (options.linesBelow ?? 2))
  const maxWidth = Math.max(20, options.maxWidth ?? 120)

  const rows = new Map<number, Cell[]>()
  for (let n = first; n <= last; n++) rows.set(n, toCells(lines[n - 1] ?? ''))
  const cells = rows.get(position.line) ?? []
  const offsets = displayOffsets(cells)
  const lineWidth = offsets[cells.length] ?? 0

  const startIndex = clamp(position.column - 1, 0, cells.length)
  const caretStart = offsets[startIndex] ?? lineWidth
  // At least the whole first character: all four columns of a tab, both of a wide character.
  let caretEnd = Math.max(caretStart + 1, offsets[startIndex + 1] ?? 0)
  if (position.endLine === position.line && position.endColumn !== undefined && position.endColumn > position.column) {
    caretEnd = Math.max(caretEnd, offsets[clamp(position.endColumn - 1, 0, cells.length)] ?? lineWidth)
  } else if (position.endLine !== undefined && position.endLine > position.line) {
    // A range that runs past this line: underline the rest of the line's visible text.
    caretEnd = Math.max(caretEnd, offsets[trimmedLength(cells)] ?? lineWidth)
  }

  // Lines wider than maxWidth are cut to one window (the same for every row, so columns stay aligned).
  const widest = Math.max(...[...rows.values()].map((row) => displayOffsets(row)[row.length] ?? 0))
  let left = 0
  if (widest > maxWidth && caretStart + Math.min(caretEnd - caretStart, maxWidth / 2) + 8 > maxWidth) {
    left = Math.max(0, caretStart - Math.floor(maxWidth / 3))
  }
  const right = left + maxWidth

  const gutterWidth = String(last).length
  const bar = chalk.dim('|')
  const out: string[] = []
  for (const [n, row] of rows) {
    const isTarget = n === position.line
    const marker = isTarget ? paint.bold('>') : ' '
    const gutter = chalk.dim(String(n).padStart(gutterWidth))
    const source = slice(row, left, right)
    out.push(`  ${marker} ${gutter} ${bar}${source === '' ? '' : ` ${source}`}`)
    if (isTarget) {
      const shift = left > 0 ? ELLIPSIS.length : 0
      const from = caretStart - left + shift
      const width = Math.max(1, Math.min(caretEnd, right) - caretStart)
      out.push(`    ${' '.repeat(gutterWidth)} ${bar} ${' '.repeat(from)}${paint('^'.repeat(width))}`)
    }
  }
  return out.join('\n')
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value))
}

/** Splits a line into one cell per UTF-16 code unit (the columns' unit), made safe and measurable for a terminal. */
function toCells(line: string): Cell[] {
  const cells: Cell[] = []
  for (let i = 0; i < line.length; i++) {
    const code = line.codePointAt(i) ?? 0
    if (code === 0x09) {
      cells.push({text: ' '.repeat(TAB_WIDTH), width: TAB_WIDTH})
    } else if (isUnsafeCodePoint(code)) {
      // Control characters (an escape sequence in a file) must not reach the terminal; one cell keeps columns aligned.
      cells.push({text: '\uFFFD', width: 1})
    } else if (code > 0xffff) {
      // An astral character spans two code units: the first carries it, the second is empty.
      cells.push({text: String.fromCodePoint(code), width: charWidth(code)})
      cells.push({text: '', width: 0})
      i++
    } else {
      cells.push({text: String.fromCharCode(code), width: charWidth(code)})
    }
  }
  return cells
}

/** offsets[i] is the terminal column where code unit i starts; offsets[length] is the line's width. */
function displayOffsets(cells: Cell[]): number[] {
  const offsets = [0]
  let at = 0
  for (const cell of cells) {
    at += cell.width
    offsets.push(at)
  }
  return offsets
}

function trimmedLength(cells: Cell[]): number {
  let end = cells.length
  while (end > 0 && /^\s*$/.test(cells[end - 1]?.text ?? '')) end--
  return end
}

/** The cells that start inside [left, right), with an ellipsis where text was cut. */
function slice(cells: Cell[], left: number, right: number): string {
  let at = 0
  let text = ''
  let cutRight = false
  for (const cell of cells) {
    if (at >= left && at + cell.width <= right) text += cell.text
    // A wide cell (a tab) straddling the left edge keeps its visible part, so columns stay aligned.
    else if (at < left && at + cell.width > left) text += ' '.repeat(Math.min(at + cell.width, right) - left)
    else if (at + cell.width > right && cell.width > 0) cutRight = true
    at += cell.width
  }
  text = text.trimEnd()
  if (left > 0 && at > 0) text = ELLIPSIS + text
  if (cutRight) text += ELLIPSIS
  return text
}

/** Terminal width of a code point: 0 for combining marks, 2 for East Asian wide and emoji, else 1. */
function charWidth(code: number): number {
  if ((code >= 0x300 && code <= 0x36f) || (code >= 0x200b && code <= 0x200f) || (code >= 0xfe00 && code <= 0xfe0f)) return 0
  if (
    (code >= 0x1100 && code <= 0x115f) ||
    (code >= 0x2e80 && code <= 0xa4cf && code !== 0x303f) ||
    (code >= 0xac00 && code <= 0xd7a3) ||
    (code >= 0xf900 && code <= 0xfaff) ||
    (code >= 0xfe30 && code <= 0xfe4f) ||
    (code >= 0xff00 && code <= 0xff60) ||
    (code >= 0xffe0 && code <= 0xffe6) ||
    (code >= 0x1f300 && code <= 0x1faff) ||
    (code >= 0x20000 && code <= 0x3fffd)
  ) {
    return 2
  }
  return 1
}

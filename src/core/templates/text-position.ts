/** 1-based line and column of a character index in `text` (columns in UTF-16 code units, as liquidjs and yaml count). */
export function positionAt(text: string, index: number): {line: number; column: number} {
  const before = text.slice(0, Math.max(0, index)).split('\n')
  return {line: before.length, column: (before.at(-1)?.length ?? 0) + 1}
}

/** The character index of a 1-based line and column in `text`. */
export function indexAt(text: string, line: number, column: number): number {
  const lines = text.split('\n')
  let index = column - 1
  for (let i = 0; i < line - 1; i++) index += (lines[i]?.length ?? 0) + 1
  return index
}

import type * as Ink from 'ink'
import {safeText} from './safe-text.js'

export interface Progress {
  /** False when nothing is shown: callers can skip work that only feeds the bar. */
  readonly live: boolean
  update(done: number, total: number): void
  stop(): void
}

const silent: Progress = {live: false, update() {}, stop() {}}

function Bar({ink, label, done, total}: {ink: typeof Ink; label: string; done: number; total: number}) {
  const {Box, Text} = ink
  const width = 30
  const ratio = total > 0 ? Math.min(1, done / total) : 0
  const filled = Math.round(ratio * width)
  return (
    <Box>
      <Text>{safeText(label)} </Text>
      <Text color="green">{'█'.repeat(filled)}</Text>
      <Text dimColor>{'░'.repeat(width - filled)}</Text>
      <Text>
        {' '}
        {Math.floor(ratio * 100)}% {done.toLocaleString('en-US')}/{total.toLocaleString('en-US')}
      </Text>
    </Box>
  )
}

/**
 * A live progress bar on stderr, only on a terminal: never in CI, in pipes or under --json,
 * so machine-readable output stays clean. ink is loaded only then, and in the background (it
 * takes longer to load than many imports take): the bar appears once it is there.
 */
export function startProgress(label: string, options: {enabled: boolean}): Progress {
  if (!options.enabled || !process.stderr.isTTY || process.env.CI) return silent
  let app: Ink.Instance | undefined
  let ink: typeof Ink | undefined
  let stopped = false
  let state = {done: 0, total: 0}
  import('ink').then(
    (loaded) => {
      if (stopped) return
      ink = loaded
      app = ink.render(<Bar ink={ink} label={label} {...state} />, {
        stdout: process.stderr as unknown as NodeJS.WriteStream,
        patchConsole: false,
      })
    },
    // No bar, then: the work it would show goes on.
    () => {},
  )
  let last = 0
  return {
    live: true,
    update(done, total) {
      state = {done, total}
      // Re-rendering on every call would cost more than the work it reports.
      if (done !== total && done - last < total / 200) return
      last = done
      if (app && ink) app.rerender(<Bar ink={ink} label={label} done={done} total={total} />)
    },
    stop() {
      if (stopped) return
      stopped = true
      app?.unmount()
      app?.clear()
    },
  }
}

import type {DiffRun} from '../../core/diff/run-diff.js'
import {diffOutput} from '../../core/diff/run-diff.js'

export type DiffFormat = 'text' | 'json' | 'markdown'

/** `joe diff --format`: text for people, the `--json` object, or Markdown for a pull-request comment. */
export async function renderDiff(run: DiffRun, format: DiffFormat, options: {color: boolean}): Promise<string> {
  switch (format) {
    case 'json':
      return JSON.stringify(diffOutput(run.result), null, 2)
    case 'markdown':
      return (await import('./diff-markdown.js')).renderDiffMarkdown(run.result, run.versions)
    default:
      return (await import('./diff-text.js')).renderDiffText(run.result, options)
  }
}

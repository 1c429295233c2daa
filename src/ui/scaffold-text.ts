import path from 'node:path'
import type {InitResult} from '../core/scaffold/init-project.js'
import type {NewJourneyResult, TemplateListResult} from '../core/scaffold/new-journey.js'
import {safeText} from './safe-text.js'

/**
 * Said by `joe init` and `joe new journey` when joe is not installed in the project (a global
 * install from a clone): the `$schema` modeline they wrote points where a project install puts the
 * schema, so editors find it only once joe is installed there.
 */
export function schemaNotInstalledNote(): string {
  return [
    '',
    'Editor completion: the `# yaml-language-server: $schema=` line of the journey points at',
    'node_modules/joe-cli/schemas/, which exists once joe is installed in this project',
    '(npm install --save-dev /path/to/joe-cli-<version>.tgz, see the README), or map the schemas in',
    '.vscode/settings.json (README, "Editor set-up").',
  ].join('\n')
}

/** `joe init`: the files written, then the next commands to run (from `cwd`). */
export function renderInit(result: InitResult, cwd: string): string {
  const shown = safeText(path.relative(cwd, result.dir) || '.')
  const lines = [`Created a joe project in ${shown} from the "${safeText(result.template)}" template:`]
  for (const file of result.created) lines.push(`  + ${safeText(file)}`)
  for (const file of result.updated) lines.push(`  ~ ${safeText(file)}`)
  if (!result.schema_installed) lines.push(schemaNotInstalledNote())
  lines.push('\nNext steps:')
  if (shown !== '.') lines.push(`  cd ${shown}`)
  lines.push(
    '  joe validate                      # check the journey, its tests and the config',
    '  joe test                          # run the scenarios in journeys/*.test.yaml',
    '  joe events import events/sample.ndjson  # load two weeks of sample events',
    `${`  joe simulate ${safeText(result.journey_id)}`.padEnd(36)}# replay them through the journey`,
  )
  return lines.join('\n')
}

/** `joe new journey --list`: one template a line, name then description. */
export function renderTemplateList(list: TemplateListResult): string {
  const width = Math.max(0, ...list.templates.map((t) => t.name.length))
  return list.templates.map((t) => `${safeText(t.name.padEnd(width))}  ${safeText(t.description)}`).join('\n')
}

/** `joe new journey`: the files written, message templates the catalog lacks, next steps. */
export function renderNewJourney(result: NewJourneyResult): string {
  const lines = [`Created journey "${safeText(result.id)}" from the "${safeText(result.template)}" template:`]
  for (const file of result.created) lines.push(`  + ${safeText(file)}`)
  const missing = Object.entries(result.missing_templates)
  if (missing.length > 0) {
    lines.push('\nThese message templates are not in the catalog yet (no template file, not in the templates list of joe.config.yaml):')
    for (const [channel, ids] of missing) lines.push(`  ${safeText(channel)}: ${ids.map(safeText).join(', ')}`)
    lines.push('Create them as templates/<channel>/<id>.liquid, list them, or change the sends, before `joe validate` passes.')
  }
  if (!result.schema_installed) lines.push(schemaNotInstalledNote())
  lines.push(
    '\nNext steps:',
    `  edit ${safeText(result.created[0] ?? '')}`,
    `  joe validate && joe test ${safeText(result.created[1] ?? '')}`,
  )
  return lines.join('\n')
}

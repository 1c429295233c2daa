import {Args, Flags} from '@oclif/core'
import {JoeCommand} from '../../cli/joe-command.js'
import {storePath} from '../../cli/project-context.js'
import {requireConfig} from '../../core/project/config.js'
import {MAX_REPORTED_RENAMES, NAME_NORMALIZATIONS, type NameNormalization} from '../../core/store/event-names.js'
import {type ImportResult, importEvents} from '../../core/store/import-events.js'
import {openEventStore} from '../../core/store/open-store.js'
import {startProgress} from '../../ui/progress.js'
import {safeText} from '../../ui/safe-text.js'

export default class EventsImport extends JoeCommand<{store: string; imports: ImportResult[]}> {
  static override summary = 'Import customer events into the local event store'

  static override description =
    `Reads Segment-spec NDJSON (track/identify/page/screen), joe NDJSON ({customer_id, type, timestamp, properties}) or CSV (columns customer_id,type,timestamp,properties), detected from the file or given with --format. Files are streamed, so size is not limited by memory.

Each file is imported in one transaction: a file with an invalid line is refused whole and nothing is written (or, with --skip-invalid, the valid lines are imported and the others reported). Importing the same file twice is a no-op, and events whose message id is already stored are skipped.

Segment names track events like "Order Completed"; journeys usually write order_completed. --normalize-names snake_case (or \`events: { normalize_names: snake_case }\` in joe.config.yaml) stores every event name in snake_case.`

  static override examples = [
    {description: 'Import the sample events of a project', command: '<%= config.bin %> <%= command.id %> events/sample.ndjson'},
    {
      description: 'Import a Segment export, skipping bad lines',
      command: '<%= config.bin %> <%= command.id %> segment-export.ndjson --skip-invalid',
    },
    {
      description: 'Import a Segment export, storing "Order Completed" as order_completed',
      command: '<%= config.bin %> <%= command.id %> segment-export.ndjson --normalize-names snake_case',
    },
    {
      description: 'Import CSV into a store of your choice',
      command: '<%= config.bin %> <%= command.id %> events.csv --store /tmp/events.db',
    },
  ]

  static override strict = false

  static override args = {file: Args.string({description: 'NDJSON or CSV files to import.', required: true})}

  static override flags = {
    format: Flags.string({description: 'Input format (default: detected).', options: ['auto', 'segment', 'joe', 'csv'], default: 'auto'}),
    'skip-invalid': Flags.boolean({description: 'Import the valid lines and report the invalid ones instead of refusing the file.'}),
    'normalize-names': Flags.string({
      description:
        'Store event names as sent (none) or in snake_case ("Order Completed" -> order_completed). Default: `events.normalize_names` in joe.config.yaml, else none.',
      options: [...NAME_NORMALIZATIONS],
    }),
    store: Flags.string({description: 'Event store file (default: `store` in joe.config.yaml, else .joe/events.db).', helpValue: 'PATH'}),
    config: Flags.string({char: 'c', description: 'Path to joe.config.yaml.', helpValue: 'PATH'}),
  }

  async run(): Promise<{store: string; imports: ImportResult[]}> {
    const {argv, flags} = await this.parse(EventsImport)
    const config = await requireConfig(process.cwd(), flags.config)
    const path = storePath(config, flags.store)
    const store = openEventStore(path)
    const imports: ImportResult[] = []
    try {
      for (const file of argv as string[]) {
        const progress = startProgress(`importing ${file}`, {enabled: !this.jsonEnabled()})
        try {
          const result = await importEvents(store, file, {
            format: flags.format as 'auto',
            skipInvalid: flags['skip-invalid'],
            normalizeNames: (flags['normalize-names'] as NameNormalization | undefined) ?? config.events.normalizeNames,
            // The import time is metadata for `joe events stats`; the core takes it as an argument.
            now: Date.now(),
            onProgress: (p) => progress.update(p.bytesRead, p.totalBytes),
          })
          imports.push(result)
        } finally {
          progress.stop()
        }
        const last = imports.at(-1) as ImportResult
        const shown = safeText(file)
        if (last.alreadyImported) this.log(`${shown}: already imported (same content); nothing to do`)
        else {
          this.log(
            `${shown}: imported ${last.imported.toLocaleString('en-US')} events (${last.format})${last.duplicates > 0 ? `, ${last.duplicates} duplicates skipped` : ''}`,
          )
          const renamed = Object.entries(last.renamed)
          if (renamed.length > 0) {
            const more = renamed.length >= MAX_REPORTED_RENAMES ? ' (and more)' : ''
            const list = renamed.map(([sent, stored]) => `${JSON.stringify(sent)} → ${stored}`).join(', ')
            this.log(`  normalised ${renamed.length} event name${renamed.length === 1 ? '' : 's'} to snake_case: ${list}${more}`)
          }
          if (last.skippedCount > 0) {
            this.log(`  skipped ${last.skippedCount} invalid line${last.skippedCount === 1 ? '' : 's'}:`)
            for (const issue of last.skipped.slice(0, 20)) this.log(`  ${shown}:${issue.line}: ${safeText(issue.message)}`)
            if (last.skippedCount > 20) this.log(`  …and ${last.skippedCount - 20} more (see --json)`)
          }
        }
      }
    } finally {
      store.close()
    }
    return {store: path, imports}
  }
}

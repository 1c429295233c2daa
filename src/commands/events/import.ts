import {Args, Flags} from '@oclif/core'
import {configFlag, eventFileFormatFlag, storeFlag} from '../../cli/flags.js'
import {JoeCommand} from '../../cli/joe-command.js'
import {storePath} from '../../cli/project-context.js'
import {type EventsImportResult, importEventFiles} from '../../core/events/local-events.js'
import {requireConfig} from '../../core/project/config.js'
import {NAME_NORMALIZATIONS, type NameNormalization} from '../../core/store/event-names.js'
import {renderImportedFile} from '../../ui/events/events-text.js'
import {startProgress} from '../../ui/progress.js'

export default class EventsImport extends JoeCommand<EventsImportResult> {
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
    format: eventFileFormatFlag,
    'skip-invalid': Flags.boolean({description: 'Import the valid lines and report the invalid ones instead of refusing the file.'}),
    'normalize-names': Flags.string({
      description:
        'Store event names as sent (none) or in snake_case ("Order Completed" -> order_completed). Default: `events.normalize_names` in joe.config.yaml, else none.',
      options: [...NAME_NORMALIZATIONS],
    }),
    store: storeFlag,
    config: configFlag,
  }

  async run(): Promise<EventsImportResult> {
    const {argv, flags} = await this.parse(EventsImport)
    const config = await requireConfig(process.cwd(), flags.config)
    const result = await importEventFiles({
      store: storePath(config, flags.store),
      files: argv as string[],
      format: flags.format as 'auto',
      skipInvalid: flags['skip-invalid'],
      normalizeNames: (flags['normalize-names'] as NameNormalization | undefined) ?? config.events.normalizeNames,
      // The import time is metadata for `joe events stats`; the core takes it as an argument.
      now: Date.now(),
      progress: (file) => startProgress(`importing ${file}`, {enabled: !this.jsonEnabled()}),
      onImported: (imported) => this.log(renderImportedFile(imported)),
    })
    return result
  }
}

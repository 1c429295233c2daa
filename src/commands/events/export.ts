import {Flags} from '@oclif/core'
import {configFlag, envFlag} from '../../cli/flags.js'
import {JoeCommand} from '../../cli/joe-command.js'
import {streamOutput} from '../../cli/output-file.js'
import {parseInstantFlag} from '../../cli/project-context.js'
import {withRuntime} from '../../cli/runtime-env.js'
import {JoeError} from '../../core/errors.js'
import {type ExportResult, exportEvents} from '../../core/runtime/export-events.js'

export default class EventsExport extends JoeCommand<ExportResult> {
  static override summary = 'Write the events an environment received as NDJSON'

  static override description =
    `Writes every event the environment received, in the order it received them, as joe NDJSON lines ({customer_id, type, timestamp, received_at, properties, message_id, source}) to standard output or --out. \`joe events import\` reads the file back into a local store; \`joe simulate --env\` replays the same history directly.`

  static override examples = [
    {
      description: "Save production's history for a local simulation",
      command: '<%= config.bin %> <%= command.id %> --env prod --out prod-events.ndjson',
    },
    {
      description: 'One day, to standard output',
      command: '<%= config.bin %> <%= command.id %> --env staging --from 2026-03-01 --until 2026-03-02',
    },
  ]

  static override flags = {
    env: envFlag,
    config: configFlag,
    out: Flags.string({char: 'o', description: 'File to write (default: standard output).', helpValue: 'FILE'}),
    from: Flags.string({description: 'Only events received at or after this time.', helpValue: 'TIME'}),
    until: Flags.string({description: 'Only events received at or before this time.', helpValue: 'TIME'}),
  }

  async run(): Promise<ExportResult> {
    const {flags} = await this.parse(EventsExport)
    if (this.jsonEnabled() && flags.out === undefined) {
      throw new JoeError('JOE7023', '--json prints a summary, and the events go to standard output: give --out FILE with --json', {
        hint: 'e.g. joe events export --env prod --out events.ndjson --json',
        exitCode: 2,
      })
    }
    const from = parseInstantFlag('from', flags.from)
    const until = parseInstantFlag('until', flags.until)
    const window = {...(from === undefined ? {} : {from}), ...(until === undefined ? {} : {until})}
    const result = await streamOutput('--out', flags.out, (write) =>
      withRuntime(flags.env, flags.config, (runtime) => exportEvents(runtime.ctx, write, window, flags.out ?? null)),
    )
    if (flags.out && !this.jsonEnabled()) {
      const {renderExport} = await import('../../ui/runtime/runtime-text.js')
      this.log(renderExport(result))
    }
    return result
  }
}

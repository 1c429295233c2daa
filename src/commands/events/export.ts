import {createWriteStream} from 'node:fs'
import {Flags} from '@oclif/core'
import {configFlag, envFlag} from '../../cli/flags.js'
import {JoeCommand} from '../../cli/joe-command.js'
import {checkOutputPath} from '../../cli/output-file.js'
import {parseInstantFlag} from '../../cli/project-context.js'
import {withRuntime} from '../../cli/runtime-env.js'
import {JoeError} from '../../core/errors.js'
import {exportEvents} from '../../core/runtime/export-events.js'

export interface ExportResult {
  format_version: 1
  env: string
  events: number
  out: string
}

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
    if (flags.out) await checkOutputPath('--out', flags.out)
    const file = flags.out ? createWriteStream(flags.out) : undefined
    const write = (line: string) =>
      new Promise<void>((resolve, reject) => {
        const target = file ?? process.stdout
        if (target.write(line)) resolve()
        else target.once('drain', resolve).once('error', reject)
      })
    const result = await withRuntime(flags.env, flags.config, (runtime) =>
      exportEvents(runtime.ctx, write, {...(from === undefined ? {} : {from}), ...(until === undefined ? {} : {until})}),
    )
    if (file) await new Promise((resolve) => file.end(resolve))
    if (flags.out && !this.jsonEnabled()) this.log(`wrote ${result.events.toLocaleString('en-US')} events of ${result.env} to ${flags.out}`)
    return {...result, out: flags.out ?? '-'}
  }
}

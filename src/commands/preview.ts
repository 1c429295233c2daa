import {Args, Flags} from '@oclif/core'
import {colorEnabled} from '../cli/deploy-context.js'
import {colorFlag, configFlag, storeFlag} from '../cli/flags.js'
import {JoeCommand} from '../cli/joe-command.js'
import {writeOutputFile} from '../cli/output-file.js'
import {parseInstantFlag, storePath} from '../cli/project-context.js'
import {requireConfig} from '../core/project/config.js'
import {type PreviewFormat, type PreviewResult, parseDataFlags, previewFormat, previewTemplate} from '../core/templates/preview.js'
import {previewDocument, renderPreviewWritten} from '../ui/preview/preview-text.js'

export default class Preview extends JoeCommand<PreviewResult> {
  static override summary = 'Render a message template as a customer would receive it'

  static override description =
    `Renders a template file (templates/<channel>/<id>.liquid) with the profile of a customer of the local event store as of a time, and send data given as flags. Email prints as text (subject and headers, then the text part); --out writes the HTML, or --format eml a whole email to open in a mail client.

With --json, prints the rendered message and what it was rendered with as one JSON object (docs/cli-output.md); with --out as well, the file is written too.

Exit codes: 0 rendered, 1 the template has errors or does not render for this customer, 2 usage error, 3 internal error.`

  static override examples = [
    {description: 'An email as text in the terminal', command: '<%= config.bin %> <%= command.id %> cart-reminder-1 --customer c000042'},
    {
      description: 'As the customer was on 5 March, with send data',
      command: '<%= config.bin %> <%= command.id %> email/offer-10 --customer c000042 --at 2026-03-05 --data code=SAVE10',
    },
    {
      description: 'The HTML, to open in a browser',
      command: '<%= config.bin %> <%= command.id %> cart-reminder-1 --customer c000042 --out preview.html',
    },
    {
      description: 'A whole email for a mail client',
      command: '<%= config.bin %> <%= command.id %> cart-reminder-1 --format eml --out preview.eml',
    },
  ]

  static override args = {
    template: Args.string({
      description: 'Template id (cart-reminder-1), channel/id (email/cart-reminder-1) or template file path.',
      required: true,
    }),
  }

  static override flags = {
    customer: Flags.string({description: 'Render for this customer of the event store (default: an empty profile).', helpValue: 'ID'}),
    at: Flags.string({description: "The customer's profile as of this time (date or ISO 8601); also message.sent_at.", helpValue: 'TIME'}),
    data: Flags.string({
      description: 'A send data value, key=value (JSON values are parsed); repeatable.',
      helpValue: 'KEY=VALUE',
      multiple: true,
    }),
    format: Flags.string({
      char: 'f',
      description: 'Output format (default: text, or from the --out extension); json is the same as --json.',
      options: ['text', 'html', 'eml', 'json'],
    }),
    out: Flags.string({char: 'o', description: 'Write to this file instead of stdout.', helpValue: 'FILE'}),
    store: storeFlag,
    config: configFlag,
    color: colorFlag,
  }

  async run(): Promise<PreviewResult> {
    const {args, flags} = await this.parse(Preview)
    const config = await requireConfig(process.cwd(), flags.config)
    const at = parseInstantFlag('at', flags.at)
    const result = await previewTemplate({
      cwd: process.cwd(),
      config,
      template: args.template,
      ...(flags.customer === undefined ? {} : {customer: flags.customer}),
      store: storePath(config, flags.store),
      ...(at === undefined ? {} : {at}),
      data: parseDataFlags(flags.data ?? []),
      now: Date.now(),
    })
    const format = previewFormat(flags.format as PreviewFormat | undefined, flags.out)
    if (flags.out) {
      await writeOutputFile('--out', flags.out, await previewDocument(result, format, {color: false}))
      this.log(renderPreviewWritten(result, flags.out, format))
    } else if (!this.jsonEnabled()) process.stdout.write(await previewDocument(result, format, {color: colorEnabled(flags.color)}))
    return result
  }
}

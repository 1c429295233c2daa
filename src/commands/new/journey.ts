import {Args, Flags} from '@oclif/core'
import {JoeCommand} from '../../cli/joe-command.js'
import {journeyTemplateList, type NewJourneyResult, newJourney, type TemplateListResult} from '../../core/scaffold/new-journey.js'
import {renderNewJourney, renderTemplateList} from '../../ui/scaffold-text.js'

/** `--list` returns the templates; otherwise the files written. */
export type NewJourneyCommandResult = TemplateListResult | NewJourneyResult

export default class NewJourney extends JoeCommand<NewJourneyCommandResult> {
  static override summary = 'Add a journey from a template'

  static override description =
    `Writes <ID>.journey.yaml and <ID>.test.yaml into the journeys folder set in joe.config.yaml (default: journeys/), with the id rewritten and the template's comments kept.
Refuses to overwrite existing files unless --force is given. When the project has a template catalog (template files, or a templates list in the config), lists the message templates the new journey sends that the catalog is missing.`

  static override examples = [
    '<%= config.bin %> new journey --list',
    '<%= config.bin %> new journey spring-sale --template cart-abandonment',
    '<%= config.bin %> new journey onboarding --template welcome-series --name "New customer onboarding"',
  ]

  static override args = {
    id: Args.string({description: 'The new journey id: a lowercase letter, then lowercase letters, digits and "-".'}),
  }

  static override flags = {
    template: Flags.string({char: 't', description: 'Template to start from (see --list).'}),
    name: Flags.string({description: "The journey's human title (default: the template's)."}),
    dir: Flags.string({description: 'Folder to write into (default: the configured journeys folder).'}),
    force: Flags.boolean({char: 'f', description: 'Overwrite files that already exist.'}),
    list: Flags.boolean({char: 'l', description: 'List the templates and exit.', exclusive: ['template', 'force', 'dir', 'name']}),
  }

  async run(): Promise<NewJourneyCommandResult> {
    const {args, flags} = await this.parse(NewJourney)
    if (flags.list) {
      const list = await journeyTemplateList()
      if (!this.jsonEnabled()) this.log(renderTemplateList(list))
      return list
    }
    if (args.id === undefined) this.error('missing journey id: joe new journey ID --template NAME (see --list)', {exit: 2})
    if (flags.template === undefined) this.error('missing --template NAME (run with --list to see them)', {exit: 2})
    const result = await newJourney(process.cwd(), args.id, flags.template, {
      force: flags.force,
      ...(flags.dir === undefined ? {} : {dir: flags.dir}),
      ...(flags.name === undefined ? {} : {name: flags.name}),
    })
    if (!this.jsonEnabled()) this.log(renderNewJourney(result))
    return result
  }
}

import {Args, Flags} from '@oclif/core'
import {JoeCommand} from '../cli/joe-command.js'
import {DEFAULT_TEMPLATE, type InitResult, initProject} from '../core/scaffold/init-project.js'
import {renderInit} from '../ui/scaffold-text.js'

export default class Init extends JoeCommand<InitResult> {
  static override summary = 'Create a joe project with a starter journey'

  static override description =
    `Writes joe.config.yaml, one journey from a template (with its test file), sample events in events/sample.ndjson, and a .gitignore entry for the local .joe/ store.
Refuses to overwrite existing files unless --force is given; an existing .gitignore only gains the .joe/ line.
List the templates with "joe new journey --list".`

  static override examples = [
    '<%= config.bin %> init',
    '<%= config.bin %> init my-journeys --template welcome-series',
    '<%= config.bin %> init . --template win-back --id lapsed-customers',
  ]

  static override args = {
    dir: Args.string({description: 'Folder to create the project in (created when missing).', default: '.'}),
  }

  static override flags = {
    template: Flags.string({char: 't', description: 'Starter template for the first journey.', default: DEFAULT_TEMPLATE}),
    id: Flags.string({description: "The first journey's id (default: the template's name)."}),
    force: Flags.boolean({char: 'f', description: 'Overwrite files that already exist.'}),
  }

  async run(): Promise<InitResult> {
    const {args, flags} = await this.parse(Init)
    const result = await initProject(args.dir, {
      template: flags.template,
      force: flags.force,
      ...(flags.id === undefined ? {} : {id: flags.id}),
    })
    if (!this.jsonEnabled()) this.log(renderInit(result, process.cwd()))
    return result
  }
}

import {Args} from '@oclif/core'
import {JoeCommand} from '../cli/joe-command.js'
import {SCHEMA_NAMES, type SchemaResult, schemaResult} from '../core/schemas.js'

export default class Schema extends JoeCommand<SchemaResult> {
  static override summary = 'Print the JSON Schema of journey, config or test files'

  static override description = `Prints one of the JSON Schemas (draft 2020-12) that joe validates against:
journey (*.journey.yaml), config (joe.config.yaml) or journey-test (*.test.yaml).

Editors use them for completion, hover help and inline errors. With VS Code's YAML extension
(redhat.vscode-yaml), or any editor using yaml-language-server, put a modeline on the first line of a file:

  # yaml-language-server: $schema=../node_modules/joe-cli/schemas/journey.schema.json

The schema files ship in the package's schemas/ folder; this command prints them so you can save
or publish a copy. With --json it prints {"format_version": 1, "name": ..., "schema": {...}}. The schema checks shape only; \`joe validate\` also checks references, loops, CEL and more.`

  static override examples = [
    '<%= config.bin %> schema',
    '<%= config.bin %> schema config',
    '<%= config.bin %> schema journey-test > schemas/journey-test.schema.json',
  ]

  static override args = {
    name: Args.string({
      description: 'Which schema to print.',
      options: [...SCHEMA_NAMES],
      default: 'journey',
    }),
  }

  async run(): Promise<SchemaResult> {
    const {args} = await this.parse(Schema)
    const result = await schemaResult(SCHEMA_NAMES.find((n) => n === args.name) ?? 'journey')
    // The text output is the schema file itself, to save or publish; --json wraps it (docs/cli-output.md).
    if (!this.jsonEnabled()) this.log(JSON.stringify(result.schema, null, 2))
    return result
  }
}

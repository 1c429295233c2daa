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

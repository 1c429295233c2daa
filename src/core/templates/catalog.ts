import type {Diagnostic} from '../errors.js'
import {checkTemplate} from './check-templates.js'
import {checkPartial, compileTemplate, type TemplateSources} from './compile-template.js'
import {createTemplateEngines} from './liquid-engine.js'
import {isTemplateFolder, readTemplateFiles, type TemplateFile} from './template-files.js'
import {type MessageTemplate, type TemplateCatalog, templateKey} from './template-types.js'

/** One `.liquid` file as `joe validate` lists it. */
export interface CheckedTemplateFile {
  display: string
  /** `channel/id` of the template it belongs to; absent for partials and misplaced files. */
  id?: string
  /** Its text, for code frames; absent when unreadable. */
  text?: string
  diagnostics: Diagnostic[]
}

export interface TemplateCatalogLoad {
  /** Undefined when the folder is not a templates folder (missing, or without channel folders). */
  catalog?: TemplateCatalog
  files: CheckedTemplateFile[]
}

/**
 * Reads, parses and checks every template of a templates folder (the I/O edge of templates:
 * rendering afterwards reads nothing). Broken templates stay in the catalog, marked `broken`,
 * so a send naming them is not also reported as naming a missing template.
 */
export async function loadTemplateCatalog(dir: string, cwd: string): Promise<TemplateCatalogLoad> {
  if (!(await isTemplateFolder(dir))) return {files: []}
  const files = await readTemplateFiles(dir, cwd)
  const byDisplay = new Map<string, CheckedTemplateFile>()
  for (const file of files) {
    const checked: CheckedTemplateFile = {display: file.display, diagnostics: [...file.diagnostics]}
    if (file.text !== undefined) checked.text = file.text
    if (file.name.kind === 'template') checked.id = templateKey(file.name.channel, file.name.id)
    if (file.name.kind === 'misplaced') {
      checked.diagnostics.push({
        code: 'JOE2107',
        severity: 'warning',
        message: `${file.name.reason}; joe does not read this file`,
        hint: file.name.hint,
        location: {file: file.display, line: 1, column: 1},
      })
    }
    byDisplay.set(file.display, checked)
  }
  const partials = new Map<string, {file: string; source: string}>()
  for (const file of files) {
    if (file.name.kind === 'partial' && file.text !== undefined) partials.set(file.name.name, {file: file.display, source: file.text})
  }
  const engines = await createTemplateEngines(new Map([...partials].map(([name, p]) => [name, p.source])))
  const attach = (diagnostics: Diagnostic[]) => {
    for (const d of diagnostics) byDisplay.get(d.location.file)?.diagnostics.push(d)
  }
  for (const name of partials.keys()) attach(checkPartial(engines, partials, name).diagnostics)

  const templates = new Map<string, MessageTemplate>()
  for (const sources of groupTemplates(files)) {
    const {template, diagnostics} = compileTemplate(sources, engines, partials)
    attach(diagnostics)
    if (!template.broken) attach(checkTemplate(template))
    templates.set(templateKey(template.channel, template.id), template)
  }
  return {catalog: {dir, engines, templates, partials}, files: [...byDisplay.values()]}
}

function groupTemplates(files: TemplateFile[]): TemplateSources[] {
  const groups = new Map<string, TemplateSources>()
  for (const file of files) {
    if (file.name.kind !== 'template') continue
    const key = templateKey(file.name.channel, file.name.id)
    const group = groups.get(key) ?? {channel: file.name.channel, id: file.name.id}
    if (file.name.part === 'main') group.main = file
    else group.text = file
    groups.set(key, group)
  }
  return [...groups.values()]
}

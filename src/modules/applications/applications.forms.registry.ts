/**
 * Which form an item version uses: its own stored definition when it has one, otherwise the
 * demo definitions of the platform's common items, otherwise the default form.
 */
import type { ItemElements } from '../catalog/index.js'
import { demoFormFor } from './applications.forms.demo.js'
import { type FormDefinition, parseFormDefinition } from './applications.forms.js'

const cache = new Map<string, FormDefinition>()

export function formFor(version: { id: string; elements: string; formDefinition?: string | null }): FormDefinition {
  const cached = cache.get(version.id)
  if (cached) return cached
  const form = version.formDefinition
    ? parseFormDefinition(JSON.parse(version.formDefinition))
    : demoFormFor(JSON.parse(version.elements) as ItemElements)
  // Versions never change once published; drafts are not applied for, so caching by id is safe.
  if (cache.size > 5000) cache.clear()
  cache.set(version.id, form)
  return form
}

/**
 * "一件事" themes: one life or business event bundling items across departments. A few
 * questions (场景式导航) decide which items apply; the applications module later turns the chosen
 * items into one combined application.
 */
export interface ThemeQuestion {
  code: string
  text: string
  hint?: string
  options: { value: string; label: string }[]
}

export interface ThemeItemRef {
  catalogCode: string
  departmentCode: string
  /** Applies when, for every listed question, the answer is one of the values; always when omitted. */
  when?: Record<string, string[]>
  note?: string
}

export interface ThemeDefinition {
  code: string
  name: string
  summary: string
  serverType: '自然人' | '法人'
  questions: ThemeQuestion[]
  items: ThemeItemRef[]
}

export type ThemeAnswers = Record<string, string | undefined>

/** The questions still unanswered (or answered with a value that is not an option). */
export function unansweredQuestions(theme: ThemeDefinition, answers: ThemeAnswers): ThemeQuestion[] {
  return theme.questions.filter((q) => !q.options.some((o) => o.value === answers[q.code]))
}

/** The items that apply to these answers, in the theme's order. */
export function applicableItems(theme: ThemeDefinition, answers: ThemeAnswers): ThemeItemRef[] {
  return theme.items.filter((ref) =>
    Object.entries(ref.when ?? {}).every(([question, values]) => {
      const answer = answers[question]
      return answer !== undefined && values.includes(answer)
    }),
  )
}

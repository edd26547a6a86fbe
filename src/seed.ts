/**
 * Demo data: each module seeds its own, idempotently. What must be told once (demo accounts,
 * client secrets) is printed only when it was created by this run.
 */
import type { AppModule, SeedReport } from './platform/module.js'

export async function runSeed(
  modules: AppModule[],
  options: { print: boolean; progress?: (message: string) => void },
): Promise<SeedReport> {
  const report: SeedReport = { announcements: [] }
  const progress = options.progress ?? (options.print ? (m: string) => console.log(`[seed] ${m}`) : () => {})
  for (const module of modules) {
    if (module.seed) await module.seed(report, progress)
  }
  if (options.print && report.announcements.length > 0) {
    console.log(['', '=== 演示数据 / demo data ===', ...report.announcements, ''].join('\n'))
  }
  return report
}

/**
 * `yiwang import-licenses <type> <file> --staff <login>`: the import of existing licenses from the
 * console, with the same rules as the staff page (licenses.import.ts): check every row, print
 * every problem and stop when there is one; otherwise import all rows in one transaction,
 * printing the progress, or none.
 */
import fs from 'node:fs'
import path from 'node:path'
import type { Deps } from '../../platform/deps.js'
import { consoleStaffPrincipal } from '../identity/index.js'
import { checkImport, confirmImport, IMPORT_MAX_BYTES, importJob, runImportJob } from './licenses.import.js'

export interface ImportCommandOutput {
  line(text: string): void
  /** Rewrites the current line (progress). */
  progress(text: string): void
}

/** Returns the process exit code: 0 imported, 1 refused (problems or failure), 2 bad arguments. */
export async function importLicensesCommand(
  deps: Deps,
  args: { typeCode: string; file: string; staff: string },
  out: ImportCommandOutput,
): Promise<number> {
  const principal = await consoleStaffPrincipal(deps.db, args.staff)
  if (!principal) {
    out.line(`找不到在职的工作人员账号「${args.staff}」/ no active staff account ${args.staff}`)
    return 2
  }
  const stat = fs.statSync(args.file, { throwIfNoEntry: false })
  if (!stat?.isFile()) {
    out.line(`找不到文件 / no such file: ${args.file}`)
    return 2
  }
  if (stat.size > IMPORT_MAX_BYTES) {
    out.line('文件不能超过 10 MB，请拆分后分次导入 / file over 10 MB')
    return 2
  }
  out.line(`[import-licenses] 检查 / checking ${args.file} …`)
  const job = await checkImport(
    deps,
    principal,
    args.typeCode,
    { buffer: fs.readFileSync(args.file), fileName: path.basename(args.file) },
    { requestId: `cli:${process.pid}` },
  )
  if (job.state === 'rejected') {
    out.line(
      `[import-licenses] ✗ 发现 ${job.problems.length} 处问题，整个文件未导入 / ${job.problems.length} problems, nothing imported:`,
    )
    for (const p of job.problems) {
      out.line(`  ${p.row === 0 ? '整个文件' : `第 ${p.row} 行`}${p.column ? ` 「${p.column}」` : ''}：${p.message}`)
    }
    return 1
  }
  out.line(`[import-licenses] ✓ ${job.totalRows} 行全部通过检查 / all rows passed; 开始导入 / importing …`)
  await confirmImport(deps, principal, job.id, { requestId: `cli:${process.pid}` })
  const total = job.totalRows
  const state = await runImportJob(deps, job.id, {
    onRow: (done) => {
      if (done === total || done % 10 === 0) {
        out.progress(`[import-licenses] ${done} / ${total}（${Math.floor((done / total) * 100)}%）`)
      }
    },
  })
  const final = await importJob(deps, principal, job.id)
  if (state === 'done') {
    out.line(
      `\n[import-licenses] ✓ 已签发 ${final.importedRows} 份电子证照 / ${final.importedRows} licenses issued (job ${job.id})`,
    )
    return 0
  }
  out.line(`\n[import-licenses] ✗ ${final.error ?? '导入未完成 / not completed'}`)
  return 1
}

/** Shapes shared by the service and the rules (kept apart so neither imports the other). */

/** A material as the applicant provides it (files are stored by the route before this call). */
export type MaterialInput =
  | { materialCode: string; kind: 'file'; sha256: string; fileName: string; mime: string; size: number }
  | { materialCode: string; kind: 'license'; licenseId: string; consent: true }
  | { materialCode: string; kind: 'deferred'; until: string }

import { uuidv7 } from 'uuidv7'

/** A new row id: UUIDv7, so ids sort by creation time and index well. */
export function newId(): string {
  return uuidv7()
}

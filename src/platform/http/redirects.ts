/** A path on this site to send the person back to: "/x" but never "//evil.example" or "/\evil". */
export function safeLocalPath(value: string | undefined, fallback = '/'): string {
  if (!value?.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return fallback
  return value
}

/** POSIX shell quoting, only when needed, so printed paths with spaces or quotes still paste as one word. */
export function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

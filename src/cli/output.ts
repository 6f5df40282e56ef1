/**
 * The only stdout writer outside JSON-RPC. In stdio server mode nothing may call `out`: stdout belongs to the
 * protocol, and everything human-readable goes to stderr through `info`.
 */
export function out(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

export function outJson(value: unknown): void {
  out(JSON.stringify(value, null, 2));
}

export function info(text: string): void {
  process.stderr.write(text.endsWith('\n') ? text : `${text}\n`);
}

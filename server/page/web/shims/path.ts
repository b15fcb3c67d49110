/** `node:path` in the browser bundle: the few POSIX helpers the bundled modules name. */
export const sep = '/';
export function basename(p: string): string {
  const s = p.replace(/\/+$/, '');
  return s.slice(s.lastIndexOf('/') + 1);
}
export function join(...parts: string[]): string {
  return parts.filter((x) => x !== '').join('/').replace(/\/+/g, '/');
}
export function isAbsolute(p: string): boolean {
  return p.startsWith('/');
}
export function relative(_from: string, to: string): string {
  return to;
}

/** `require.resolve` in the browser bundle (esbuild `define`s it to this): a package's name stands for its file. */
export function __picklegateRequireResolve(name: string): string {
  return name;
}

/** Modules the build provides (server/page/build.js). */
declare module 'picklegate:xz-decompress' {
  const text: string;
  export default text;
}

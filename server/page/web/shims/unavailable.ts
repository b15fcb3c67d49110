/**
 * Node modules the browser bundle names but never calls there (temporary files, worker threads, file
 * handles): every export throws, so a path that does reach one fails loudly instead of misbehaving.
 */
function unavailable(name: string): never {
  throw new Error(`${name} is not available in the browser`);
}
export const randomBytes = (): never => unavailable('crypto.randomBytes');
export const tmpdir = (): never => unavailable('os.tmpdir');
export const open = (): never => unavailable('fs/promises.open');
export const readFile = (): never => unavailable('fs/promises.readFile');
export const unlink = (): never => unavailable('fs/promises.unlink');
export const opendir = (): never => unavailable('fs/promises.opendir');
export const lstat = (): never => unavailable('fs/promises.lstat');
export const stat = (): never => unavailable('fs/promises.stat');
export const realpath = (): never => unavailable('fs/promises.realpath');
export class Worker {
  constructor() {
    unavailable('worker_threads.Worker');
  }
}

#!/usr/bin/env node
/**
 * Entry point of the `picklegate` command. Runs the start-up bundle (dist/cli/picklegate.js, built
 * by src/cli/bundle.js) through its V8 code cache when the build made one, else the modules.
 */
import * as fs from 'node:fs';
import Module from 'node:module';
import * as path from 'node:path';
import * as vm from 'node:vm';

type Cli = typeof import('./main');

function loadBundle(): Cli | null {
  const dir = path.join(__dirname, '..', '..', 'cli');
  const file = path.join(dir, 'picklegate.js');
  let source: string;
  try {
    source = fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
  let cachedData: Buffer | undefined;
  try {
    cachedData = fs.readFileSync(path.join(dir, 'picklegate.cache'));
  } catch {
    // no cache: V8 compiles as usual
  }
  const script = new vm.Script(Module.wrap(source), { filename: file, cachedData });
  const mod = { exports: {} as Cli };
  (script.runInThisContext() as (...args: unknown[]) => void)(mod.exports, Module.createRequire(file), mod, file, dir);
  return mod.exports;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const cli = loadBundle() ?? (require('./main') as Cli);

// A reader that goes away (`picklegate scan DIR | head`) is not a failure of the scan: stop at once,
// without a stack trace, with the status a process killed by SIGPIPE has (141), as Unix tools do.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => process.exit(err.code === 'EPIPE' ? 141 : 2));
}

cli.main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`picklegate: ${String(err)}\n`);
    process.exitCode = 2;
  },
);

#!/usr/bin/env node
/** Entry point of the `picklegate` command. */
import { main } from './main';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`picklegate: ${String(err)}\n`);
    process.exitCode = 2;
  },
);

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { OPCODES, OPCODE_BY_CODE } from '../../src/pickle';

interface RefOp {
  name: string;
  code: string;
  arg: string | null;
  proto: number;
  stack_before: string[];
  stack_after: string[];
}

const reference: RefOp[] = JSON.parse(readFileSync(join(__dirname, '../../samples/reference/opcodes.json'), 'utf8')).opcodes;

describe('the opcode table matches CPython pickletools.opcodes', () => {
  test('same opcodes in the same order', () => {
    expect(OPCODES.map((o) => o.name)).toEqual(reference.map((o) => o.name));
    expect(OPCODES).toHaveLength(68);
  });

  test.each(reference.map((r) => [r.name, r] as const))('%s', (_name, ref) => {
    const ours = OPCODES.find((o) => o.name === ref.name)!;
    expect(ours.code).toBe(ref.code.charCodeAt(0));
    expect(ours.arg).toBe(ref.arg);
    expect(ours.proto).toBe(ref.proto);
    expect(ours.stackBefore).toEqual(ref.stack_before);
    expect(ours.stackAfter).toEqual(ref.stack_after);
    expect(OPCODE_BY_CODE[ours.code]).toBe(ours);
  });

  test('every other byte is not an opcode', () => {
    const codes = new Set(reference.map((r) => r.code.charCodeAt(0)));
    for (let b = 0; b < 256; b++) expect(OPCODE_BY_CODE[b] !== undefined).toBe(codes.has(b));
  });
});

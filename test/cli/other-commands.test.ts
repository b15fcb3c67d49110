import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cli, S } from './run';

describe('picklegate disasm', () => {
  test('annotates the payload at its opcodes', () => {
    const r = cli(['disasm', S('model.bin')]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^\s+0: \\x80 PROTO\s+2$/m);
    expect(r.stdout).toMatch(/GLOBAL\s+'posix system'/);
    expect(r.stdout).toMatch(/-> global/);
    expect(r.stdout).toMatch(/=> reduce/);
    expect(r.stdout).toMatch(/!! dangerous/);
    expect(r.stdout).toMatch(/verdict: dangerous/);
  });
  test('zip members and compressed pickles', () => {
    const r = cli(['disasm', S('torch_payload_data_1.pt')]);
    expect(r.stdout).toMatch(/== torch_payload_data_1\.pt > archive\/data\/1/);
    expect(r.stdout).toMatch(/== torch_payload_data_1\.pt > archive\/data\.pkl/);
    expect(cli(['disasm', S('payload.pkl.xz')]).stdout).toMatch(/GLOBAL/);
  });
  test('npy payload offsets start after the header', () => {
    const r = cli(['disasm', S('npy_object_payload.npy')]);
    expect(r.stdout).toMatch(/^\s*\d{2,}: \\x80 PROTO/m);
  });
  test('benign pickle exits 0; no pickle exits 2', () => {
    expect(cli(['disasm', S('benign_model.bin')]).code).toBe(0);
    expect(cli(['disasm', S('README.txt')])).toMatchObject({ code: 2, stderr: expect.stringMatching(/no pickle/) });
    expect(cli(['disasm', '/nonexistent/x.pkl']).code).toBe(2);
  });
});

describe('picklegate policy', () => {
  let tmp: string;
  beforeAll(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'picklegate-policy-'))));
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  test('list and show', () => {
    const l = cli(['policy', 'list']);
    expect(l.code).toBe(0);
    expect(l.stdout).toMatch(/^default /m);
    expect(l.stdout).toMatch(/^mxnet-optimizer /m);
    const s = cli(['policy', 'show', 'default']);
    expect(s.code).toBe(0);
    expect(JSON.parse(s.stdout).name).toBe('default');
  });
  test('check: a valid file', () => {
    const f = path.join(tmp, 'ok.json');
    fs.writeFileSync(f, JSON.stringify({ name: 'mine', extends: 'default', rules: [{ module: 'mypkg.models', names: ['Net'], action: 'allow', reason: 'our own class' }] }));
    expect(cli(['policy', 'check', f])).toMatchObject({ code: 0, stdout: expect.stringMatching(/^ok: /) });
    // and it can be used for a scan
    expect(cli(['scan', '--policy', f, S('benign_model.bin')]).code).toBe(0);
  });
  test('check: precise errors naming the path, exit 2', () => {
    const f = path.join(tmp, 'bad.json');
    fs.writeFileSync(f, JSON.stringify({ name: 'bad', rules: [{ module: 'os path', names: '*', action: 'allow', reason: 'x' }] }));
    const r = cli(['policy', 'check', f]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/rules\[0\]\.module|rules\.0\.module/);
    expect(cli(['scan', '--policy', f, S('benign_model.bin')]).code).toBe(2);
  });
  test('check: not JSON, missing file, unknown action', () => {
    const f = path.join(tmp, 'nojson.json');
    fs.writeFileSync(f, '{ nope');
    expect(cli(['policy', 'check', f]).code).toBe(2);
    expect(cli(['policy', 'check', path.join(tmp, 'missing.json')]).code).toBe(2);
    expect(cli(['policy', 'frobnicate', 'x']).code).toBe(2);
  });
});

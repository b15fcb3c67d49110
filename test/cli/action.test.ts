/**
 * The GitHub Action: its script (dist/src/cli/action.js) driven with inputs as the runner passes them
 * (INPUT_* environment variables, GITHUB_OUTPUT, GITHUB_STEP_SUMMARY), checking exit codes, the SARIF
 * file, outputs and annotations; then action.yml itself, its composite steps run the way the runner
 * runs them (expressions substituted, bash -eo pipefail, in a fresh copy of the repository as the
 * action's checkout: npm ci, build, scan).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cleanEnv, copyTree, isNetworkFailure, ROOT } from '../support/fresh-tree';

const ACTION_JS = path.join(ROOT, 'dist', 'src', 'cli', 'action.js');
const SAMPLES = path.join(ROOT, 'samples');

let ws: string;
beforeEach(() => {
  ws = fs.mkdtempSync(path.join(os.tmpdir(), 'picklegate-action-'));
  fs.mkdirSync(path.join(ws, 'models', 'sub dir'), { recursive: true });
  fs.copyFileSync(path.join(SAMPLES, 'containers', 'torch_benign.pt'), path.join(ws, 'models', 'good.pt'));
  fs.copyFileSync(path.join(SAMPLES, 'benign', 'values_p4.pkl'), path.join(ws, 'models', 'sub dir', 'values.pkl'));
});
afterEach(() => fs.rmSync(ws, { recursive: true, force: true }));

const addMalicious = () => fs.copyFileSync(path.join(SAMPLES, 'malicious', 'builtins_eval_p4.pkl'), path.join(ws, 'models', 'evil.pkl'));
const addSuspicious = () => fs.copyFileSync(path.join(SAMPLES, 'malformed', 'truncated_p2_before_stop.pkl'), path.join(ws, 'models', 'cut.pkl'));

interface ActionRun {
  code: number | null;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
}

/** Parses a GITHUB_OUTPUT file (name=value lines and name<<DELIM heredocs). */
function parseOutputs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const heredoc = /^([^=<]+)<<(.+)$/.exec(lines[i]!);
    if (heredoc) {
      const end = lines.indexOf(heredoc[2]!, i + 1);
      out[heredoc[1]!] = lines.slice(i + 1, end).join('\n');
      i = end;
    } else if (lines[i]!.includes('=')) out[lines[i]!.slice(0, lines[i]!.indexOf('='))] = lines[i]!.slice(lines[i]!.indexOf('=') + 1);
  }
  return out;
}

function runScript(inputs: Record<string, string>): ActionRun {
  const outFile = path.join(ws, '.github_output');
  const summaryFile = path.join(ws, '.github_step_summary');
  fs.writeFileSync(outFile, '');
  fs.writeFileSync(summaryFile, '');
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, GITHUB_OUTPUT: outFile, GITHUB_STEP_SUMMARY: summaryFile, GITHUB_WORKSPACE: ws };
  for (const [k, v] of Object.entries(inputs)) env[`INPUT_${k.toUpperCase()}`] = v;
  const r = spawnSync(process.execPath, [ACTION_JS], { cwd: ws, env, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, outputs: parseOutputs(fs.readFileSync(outFile, 'utf8')), summary: fs.readFileSync(summaryFile, 'utf8') };
}

const sarifOf = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8'));

describe('the action script, with inputs as INPUT_* variables', () => {
  test('all accepted: exit 0, SARIF with no results, outputs and summary', () => {
    const r = runScript({ paths: 'models' });
    expect(r.code).toBe(0);
    expect(r.outputs).toMatchObject({ 'exit-code': '0', files: '2', safe: '2', rejected: '0', 'sarif-file': path.join(ws, 'picklegate.sarif') });
    const sarif = sarifOf(r.outputs['sarif-file']!);
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.runs[0].tool.driver.name).toBe('picklegate');
    expect(sarif.runs[0].results).toEqual([]);
    expect(r.stdout).toMatch(/^SAFE\s+models\/good\.pt/m);
    expect(r.stdout).toMatch(/2 files: 2 safe, 0 suspicious, 0 dangerous, 0 errors/);
    expect(r.summary).toMatch(/### picklegate: passed/);
  });

  test('a malicious file: exit 1, an error annotation, the finding in the SARIF file', () => {
    addMalicious();
    const r = runScript({ paths: 'models', 'sarif_file': 'out/scan.sarif' });
    expect(r.code).toBe(1);
    expect(r.outputs).toMatchObject({ 'exit-code': '1', rejected: '1', dangerous: '1', 'sarif-file': path.join(ws, 'out', 'scan.sarif') });
    const results = sarifOf(path.join(ws, 'out', 'scan.sarif')).runs[0].results;
    expect(results).toContainEqual(expect.objectContaining({ ruleId: 'DENIED_GLOBAL', level: 'error', locations: [expect.objectContaining({ physicalLocation: expect.objectContaining({ artifactLocation: { uri: 'models/evil.pkl', uriBaseId: '%SRCROOT%' } }) })] }));
    expect(r.stdout).toMatch(/^::error file=models\/evil\.pkl,title=picklegate DENIED_GLOBAL\/denied::STACK_GLOBAL imports builtins\.eval/m);
    expect(r.summary).toMatch(/### picklegate: failed: files rejected/);
    expect(r.summary).toMatch(/\| `models\/evil\.pkl` \| dangerous \| DENIED_GLOBAL \|/);
  });

  test('html-file: an HTML report beside the SARIF file, with the same verdicts; the exit code is unchanged', () => {
    addMalicious();
    const r = runScript({ paths: 'models', html_file: 'out/report.html' });
    expect(r.code).toBe(1);
    const htmlPath = path.join(ws, 'out', 'report.html');
    expect(r.outputs).toMatchObject({ 'exit-code': '1', 'html-file': htmlPath });
    const html = fs.readFileSync(htmlPath, 'utf8');
    expect(html).toMatch(/^<!doctype html>/i);
    expect(html).toContain('models/evil.pkl');
    expect(html).toContain('DENIED_GLOBAL');
    // no HTML report unless asked
    expect(runScript({ paths: 'models' }).outputs['html-file']).toBe('');
  });

  test('fail-on: dangerous ignores suspicious files, never only reports', () => {
    addSuspicious();
    expect(runScript({ paths: 'models' }).code).toBe(1);
    const d = runScript({ paths: 'models', fail_on: 'dangerous' });
    expect(d.code).toBe(0);
    expect(d.stdout).not.toMatch(/^::warning/m);
    addMalicious();
    expect(runScript({ paths: 'models', fail_on: 'dangerous' }).code).toBe(1);
    const n = runScript({ paths: 'models', fail_on: 'never' });
    expect(n.code).toBe(0);
    expect(n.outputs.rejected).toBe('2');
    expect(sarifOf(n.outputs['sarif-file']!).runs[0].results.length).toBeGreaterThan(1);
  });

  test('INPUT_FAIL-ON, as the runner spells it for JavaScript actions, works too', () => {
    addSuspicious();
    const outFile = path.join(ws, 'o');
    fs.writeFileSync(outFile, '');
    const r = spawnSync(process.execPath, [ACTION_JS], { cwd: ws, encoding: 'utf8', env: { PATH: process.env.PATH, 'INPUT_FAIL-ON': 'dangerous', INPUT_PATHS: 'models', GITHUB_OUTPUT: outFile } });
    expect(r.status).toBe(0);
  });

  test('paths: one per line (spaces allowed), or several on one line', () => {
    addMalicious();
    const lines = runScript({ paths: 'models/sub dir\nmodels/good.pt\n' });
    expect(lines.code).toBe(0);
    expect(lines.outputs.files).toBe('2');
    const one = runScript({ paths: 'models/good.pt models/evil.pkl' });
    expect(one.code).toBe(1);
    expect(one.outputs.files).toBe('2');
  });

  test('baseline: legacy findings pass, a new file fails; SARIF says which is which', () => {
    addMalicious();
    const w = spawnSync(process.execPath, [path.join(ROOT, 'dist', 'src', 'cli', 'bin.js'), 'scan', '--write-baseline', '.picklegate-baseline.json', 'models'], { cwd: ws, encoding: 'utf8' });
    expect(w.status).toBe(0);
    const ok = runScript({ paths: 'models', baseline: '.picklegate-baseline.json' });
    expect(ok.code).toBe(0);
    expect(ok.outputs).toMatchObject({ baselined: '1', rejected: '0' });
    expect(ok.stdout).not.toMatch(/^::error/m);
    fs.copyFileSync(path.join(SAMPLES, 'malicious', 'os_system_stack_global_p4.pkl'), path.join(ws, 'models', 'new.pkl'));
    const bad = runScript({ paths: 'models', baseline: '.picklegate-baseline.json' });
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/^::error file=models\/new\.pkl/m);
    expect(bad.stdout).not.toMatch(/^::error file=models\/evil\.pkl/m);
    const states = sarifOf(bad.outputs['sarif-file']!).runs[0].results.map((x: { baselineState: string; locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }) => [x.locations[0]!.physicalLocation.artifactLocation.uri, x.baselineState]);
    expect(states).toEqual(expect.arrayContaining([['models/evil.pkl', 'unchanged'], ['models/new.pkl', 'new']]));
  });

  test('policy and args inputs reach the scan', () => {
    const r = runScript({ paths: 'models/good.pt', policy: 'mxnet-optimizer', args: '--max-depth 1' });
    expect(r.code).toBe(1); // a checkpoint is not an optimizer blob
    expect(r.stdout).toMatch(/--policy mxnet-optimizer/);
    expect(r.stdout).toMatch(/--max-depth 1/);
  });

  test('errors: a missing path or a bad input exits 2', () => {
    const missing = runScript({ paths: 'nope' });
    expect(missing.code).toBe(2);
    expect(missing.stdout).toMatch(/^::error file=nope,title=picklegate%3A could not check::/m);
    const bad = runScript({ paths: 'models', fail_on: 'sometimes' });
    expect(bad.code).toBe(2);
    expect(bad.stdout).toMatch(/::error title=picklegate::input fail-on must be one of suspicious, dangerous, never/);
    const policy = runScript({ paths: 'models', policy: 'no-such-policy' });
    expect(policy.code).toBe(2);
    expect(policy.stderr).toMatch(/unknown policy/);
  });
});

describe('action.yml', () => {
  // js-yaml comes with jest (a transitive dev dependency); action.yml is plain YAML
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const yaml = require('js-yaml') as { load?: (s: string) => unknown; safeLoad?: (s: string) => unknown };
  type Step = { name: string; id?: string; if?: string; uses?: string; run?: string; shell?: string; env?: Record<string, string>; 'working-directory'?: string; with?: Record<string, string> };
  type Action = { inputs: Record<string, { default?: string }>; outputs: Record<string, { value: string }>; runs: { using: string; steps: Step[] } };
  const action = (yaml.load ?? yaml.safeLoad)!(fs.readFileSync(path.join(ROOT, 'action.yml'), 'utf8')) as Action;

  test('a composite action whose scan step passes every input to the script', () => {
    expect(action.runs.using).toBe('composite');
    const scan = action.runs.steps.find((s) => s.id === 'scan')!;
    expect(scan.run).toBe('node "$GITHUB_ACTION_PATH/dist/src/cli/action.js"');
    const passed = Object.values(scan.env ?? {}).map((v) => /^\$\{\{ inputs\.([\w-]+) \}\}$/.exec(v)?.[1]);
    expect(new Set(passed)).toEqual(new Set(Object.keys(action.inputs).filter((k) => k !== 'node-version')));
    for (const [k, v] of Object.entries(scan.env ?? {})) expect(k).toBe(`INPUT_${/inputs\.([\w-]+)/.exec(v)![1]!.toUpperCase().replace(/-/g, '_')}`);
    for (const o of Object.values(action.outputs)) expect(o.value).toMatch(/^\$\{\{ steps\.scan\.outputs\.[\w-]+ \}\}$/);
    expect(action.runs.steps.find((s) => s.name === 'Install picklegate')!.run).toMatch(/npm ci .*\n\s*npm run build/);
  });

  test('its steps, run as the runner runs them in a fresh checkout of the action, scan and fail', () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'picklegate-action-yml-'));
    try {
      const actionPath = path.join(tmp, 'action');
      copyTree(actionPath);
      addMalicious();
      const outFile = path.join(tmp, 'output');
      const summaryFile = path.join(tmp, 'summary');
      fs.writeFileSync(outFile, '');
      fs.writeFileSync(summaryFile, '');
      const inputs: Record<string, string> = { ...Object.fromEntries(Object.entries(action.inputs).map(([k, v]) => [k, v.default ?? ''])), paths: 'models', 'sarif-file': 'reports/picklegate.sarif' };
      const expr = (s: string) =>
        s.replace(/\$\{\{\s*([^}]+?)\s*\}\}/g, (_m, e: string) => {
          if (e === 'github.action_path') return actionPath;
          const i = /^inputs\.([\w-]+)$/.exec(e);
          if (i) return inputs[i[1]!] ?? '';
          throw new Error(`expression not supported by this test: ${e}`);
        });
      const baseEnv = cleanEnv({ GITHUB_ACTION_PATH: actionPath, GITHUB_OUTPUT: outFile, GITHUB_STEP_SUMMARY: summaryFile, GITHUB_WORKSPACE: ws, CI: 'true' });
      let last: ReturnType<typeof spawnSync> | null = null;
      for (const step of action.runs.steps) {
        if (step.if) {
          const m = /^inputs\.([\w-]+) != ''$/.exec(step.if);
          if (!m) throw new Error(`condition not supported by this test: ${step.if}`);
          if (inputs[m[1]!] === '') continue;
        }
        expect(step.shell).toBe('bash');
        const env = { ...baseEnv, ...Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, expr(v)])) };
        const r = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', expr(step.run!)], { cwd: step['working-directory'] ? expr(step['working-directory']) : ws, env, encoding: 'utf8', timeout: 600_000, maxBuffer: 1 << 26 });
        if (step.name === 'Install picklegate' && r.status !== 0 && isNetworkFailure(r.stdout + r.stderr)) {
          console.warn(`skipping the action.yml run: the npm registry is not reachable\n${r.stderr.slice(0, 1000)}`);
          return;
        }
        if (step.id !== 'scan') expect({ step: step.name, status: r.status, stderr: r.status === 0 ? '' : r.stderr }).toEqual({ step: step.name, status: 0, stderr: '' });
        last = r;
      }
      expect(fs.existsSync(path.join(actionPath, 'dist', 'src', 'cli', 'action.js'))).toBe(true);
      expect(last!.status).toBe(1);
      expect(String(last!.stdout)).toMatch(/^::error file=models\/evil\.pkl/m);
      const outputs = parseOutputs(fs.readFileSync(outFile, 'utf8'));
      const sarifFile = path.join(ws, 'reports', 'picklegate.sarif');
      expect(outputs).toMatchObject({ 'sarif-file': sarifFile, 'exit-code': '1', rejected: '1' });
      expect(sarifOf(sarifFile).runs[0].results.some((x: { ruleId: string }) => x.ruleId === 'DENIED_GLOBAL')).toBe(true);
      expect(fs.readFileSync(summaryFile, 'utf8')).toMatch(/picklegate: failed/);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  }, 900_000);
});

/**
 * The Python guard (`picklegate policy export NAME --format python`), checked with CPython:
 *
 * - its judge is the TypeScript judge: the same decision, reference-only and call-denied flags,
 *   reason and resolved name on every name the policies, the samples, the alias and _compat_pickle
 *   tables and edge cases produce, at every protocol;
 * - on the whole sample set (samples/manifest.json) under each built-in policy: it refuses every
 *   malicious sample, the canary file proves nothing ran, it never imports a global the policy does
 *   not accept, it loads every benign sample the scanner accepts, and scanner accepts ⇔ guard loads
 *   except for the differences in the tables below, each with its reason;
 * - on every interpreter pyenv has (2.7, 3.6-3.13): the same verdicts (but for protocols the
 *   interpreter cannot read) and the behaviour checks of guard_behaviour.py. Missing interpreters
 *   are skipped with a message.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { getPolicy, scan } from '../../src';
import type { CompiledPolicy } from '../../src/policy/compile';
import { compilePolicy } from '../../src/policy/registry';
import { exportPython } from '../../src/policy/export/python';
import { IMPORT_MAPPING, NAME_MAPPING } from '../../src/names/compat-pickle';
import { STDLIB_ALIASES } from '../../src/names/data/stdlib-aliases';
import { CONVENTIONAL_ALIASES } from '../../src/names/resolve';
import { cli, ROOT } from '../cli/run';

jest.setTimeout(900_000);

const SAMPLES = path.join(ROOT, 'samples');
const HARNESS = path.join(__dirname, 'guard_harness.py');
const BEHAVIOUR = path.join(__dirname, 'guard_behaviour.py');
const BUILTINS = ['default', 'mxnet-optimizer', 'mxnet-states'] as const;
const VERSION = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

interface Sample {
  file: string;
  category: string;
}
const MANIFEST = (JSON.parse(fs.readFileSync(path.join(SAMPLES, 'manifest.json'), 'utf8')) as { samples: Sample[] }).samples;

/**
 * Policy files of these tests: value-only and call-denied classes, Cls.* members, a module, a list
 * and a mapping allowed as globals, a function that calls its first argument (callsArguments), an
 * extension registry, rejected persistent ids; and default with accept: suspicious.
 */
const TEST_POLICIES = {
  'guard-test': {
    name: 'guard-test',
    description: 'test policy for the Python guard',
    rules: [
      { module: 'collections', names: ['OrderedDict', 'namedtuple'], action: 'allow', reason: 'test: collections' },
      { module: 'collections', names: ['OrderedDict'], action: 'deny', use: 'call', reason: 'test: calling OrderedDict is denied' },
      { module: 'datetime', names: ['timedelta.*'], action: 'allow', reason: 'test: timedelta members' },
      { module: 'decimal', names: ['Decimal'], action: 'allow', use: 'reference', reason: 'test: a value only' },
      { module: 'os', names: ['path', 'environ'], action: 'allow', reason: 'test: a module and a mapping as globals' },
      { module: 'sys', names: ['path'], action: 'allow', reason: 'test: a list as a global' },
      { module: 'functools', names: ['reduce'], action: 'allow', reason: 'test: calls its first argument', callsArguments: [0] },
    ],
    extensions: { '240': { module: 'collections', name: 'namedtuple' }, '241': { module: 'os', name: 'system' } },
    persistentIds: 'reject',
  },
  lenient: { name: 'lenient', extends: 'default', accept: 'suspicious' },
} as const;

// ---- interpreters -------------------------------------------------------------------------------

const PY_VERSIONS = ['2.7', '3.6', '3.7', '3.8', '3.9', '3.10', '3.11', '3.12', '3.13'];

/** A CPython of this minor version: pyenv's, else `pythonX.Y` on the PATH. */
function findInterpreter(v: string): string | null {
  const root = process.env.PYENV_ROOT ?? path.join(os.homedir(), '.pyenv');
  const dir = path.join(root, 'versions');
  if (fs.existsSync(dir)) {
    const hit = fs
      .readdirSync(dir)
      .filter((d) => d === v || d.startsWith(v + '.'))
      .sort()
      .pop();
    if (hit && fs.existsSync(path.join(dir, hit, 'bin', 'python'))) return path.join(dir, hit, 'bin', 'python');
  }
  const r = spawnSync(`python${v}`, ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}
const INTERPRETERS = PY_VERSIONS.map((v) => ({ version: v, python: findInterpreter(v) }));
const MISSING = INTERPRETERS.filter((i) => !i.python).map((i) => i.version);
if (MISSING.length) console.warn(`Python guard: skipping the tests of Python ${MISSING.join(', ')}: no interpreter (pyenv install ${MISSING.join(' / ')})`);
const MAIN = spawnSync('python3', ['-c', 'import sys; print(sys.executable, "%d.%d" % sys.version_info[:2])'], { encoding: 'utf8' });
const MAIN_PY = MAIN.status === 0 ? { python: MAIN.stdout.trim().split(' ')[0]!, version: MAIN.stdout.trim().split(' ')[1]! } : null;
if (!MAIN_PY) console.warn('Python guard: skipping the sample tests: no python3');

function runPy(python: string, args: string[], options: { input?: string; cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(python, args, { cwd: options.cwd ?? ROOT, env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1', ...options.env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
    if (options.input !== undefined) child.stdin.end(options.input);
    else child.stdin.end();
  });
}

/** Runs jobs two at a time (the interpreters are CPU-bound). */
async function pool<T>(jobs: (() => Promise<T>)[], width = 2): Promise<T[]> {
  const out: T[] = new Array(jobs.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < jobs.length) {
        const i = next++;
        out[i] = await jobs[i]!();
      }
    }),
  );
  return out;
}

// ---- the guards ---------------------------------------------------------------------------------

let tmp: string;
const guards: Record<string, string> = {};
const policies: Record<string, CompiledPolicy> = {};

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'picklegate-guard-'));
  for (const name of BUILTINS) {
    const file = path.join(tmp, `pg_${name.replace(/-/g, '_')}.py`);
    // as a user would: the built CLI, its stdout redirected to a file
    const r = cli(['policy', 'export', name, '--format', 'python'], { maxBuffer: 1 << 26 });
    expect(r.code).toBe(0);
    fs.writeFileSync(file, r.stdout);
    guards[name] = file;
    policies[name] = getPolicy(name);
  }
  for (const [name, spec] of Object.entries(TEST_POLICIES)) {
    const json = path.join(tmp, `${name}.json`);
    fs.writeFileSync(json, JSON.stringify(spec));
    const file = path.join(tmp, `pg_${name.replace(/-/g, '_')}.py`);
    expect(cli(['policy', 'export', json, '-o', file]).code).toBe(0);
    guards[name] = file;
    policies[name] = compilePolicy(spec as never);
  }
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('picklegate policy export --format python', () => {
  test('the CLI writes what exportPython makes of the compiled policy; -o writes a file', () => {
    for (const name of BUILTINS) expect(fs.readFileSync(guards[name]!, 'utf8')).toBe(exportPython(getPolicy(name), { toolVersion: VERSION }));
    expect(fs.readFileSync(guards['guard-test']!, 'utf8')).toBe(exportPython(policies['guard-test']!, { toolVersion: VERSION }));
    expect(cli(['policy', 'export', 'no-such-policy', '--format', 'python'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/unknown policy/) });
    expect(cli(['policy', 'export', 'default', '--format', 'java']).code).toBe(2);
    expect(cli(['policy', 'export']).code).toBe(2);
  });

  test("the module's data is the policy's: rules, settings, tables", () => {
    if (!MAIN_PY) return;
    const code = `
import json, sys
sys.path.insert(0, sys.argv[1])
out = {}
for name in sys.argv[2:]:
    g = __import__(name)
    out[name] = dict(policy=g.POLICY_NAME, rules=[[r[0], r[1] if r[1] == '*' else list(r[1]), r[2], r[3], r[4], r[5], list(r[6])] for r in g.RULES],
                     default=g.DEFAULT, accept=g.ACCEPT, match=g.MATCH, persistent=g.PERSISTENT_IDS, buffers=g.OUT_OF_BAND_BUFFERS,
                     ext=dict((str(k), list(v)) for k, v in g.EXTENSIONS.items()), protocols=list(g.WIRE_PROTOCOLS) if g.WIRE_PROTOCOLS else None,
                     opcodes=sorted(g.WIRE_OPCODES) if g.WIRE_OPCODES else None, aliases=len(g.STDLIB_ALIASES), names=len(g.NAME_MAPPING), imports=len(g.IMPORT_MAPPING))
print(json.dumps(out))`;
    const mods = Object.values(guards).map((f) => path.basename(f, '.py'));
    const r = spawnSync(MAIN_PY.python, ['-c', code, tmp, ...mods], { encoding: 'utf8', maxBuffer: 1 << 26 });
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout) as Record<string, Record<string, unknown>>;
    for (const [name, file] of Object.entries(guards)) {
      const spec = policies[name]!.spec;
      expect(out[path.basename(file, '.py')]).toEqual({
        policy: spec.name,
        rules: spec.rules.map((x) => [x.module, x.names, x.action, x.reason, !!x.submodules, x.use ?? 'any', x.except ?? []]),
        default: spec.default ?? 'unlisted',
        accept: spec.accept ?? 'safe',
        match: spec.match === 'raw' ? 'raw' : 'resolved',
        persistent: spec.persistentIds ?? 'allow',
        buffers: spec.outOfBandBuffers ?? 'reject',
        ext: Object.fromEntries(Object.entries(spec.extensions ?? {}).map(([k, v]) => [k, [v.module, v.name]])),
        protocols: spec.wire?.protocols ?? null,
        opcodes: spec.wire?.opcodes ? [...spec.wire.opcodes].sort() : null,
        aliases: STDLIB_ALIASES.size,
        names: NAME_MAPPING.size,
        imports: IMPORT_MAPPING.size,
      });
    }
  });

  test('a hostile policy name or reason cannot inject code into the module', () => {
    if (!MAIN_PY) return;
    const name = 'x"""\nimport os; os.system("touch pwned")\n#\u2028é';
    const spec = { name, rules: [{ module: 'collections', names: ['OrderedDict'], action: 'allow', reason: "it's \\ \"\"\" \n raise SystemExit('injected') \u00e9 \ud83d\ude00" }] };
    const json = path.join(tmp, 'hostile.json');
    fs.writeFileSync(json, JSON.stringify(spec));
    const file = path.join(tmp, 'pg_hostile.py');
    expect(cli(['policy', 'export', json, '-o', file]).code).toBe(0);
    const r = spawnSync(MAIN_PY.python, ['-c', 'import sys, json; sys.path.insert(0, sys.argv[1]); import pg_hostile as g; print(json.dumps([g.POLICY_NAME, g.RULES[0][3]]))', tmp], { cwd: tmp, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual([name, spec.rules[0]!.reason]);
    expect(fs.existsSync(path.join(tmp, 'pwned'))).toBe(false);
  });
});

// ---- the judge ----------------------------------------------------------------------------------

/** Names worth judging: every global the samples import, every rule's names and variants, the tables, edge cases. */
function judgeCandidates(policy: CompiledPolicy): [string, string, number][] {
  const pairs = new Set<string>();
  const add = (m: string, n: string) => pairs.add(JSON.stringify([m, n]));
  for (const s of MANIFEST as (Sample & { cpython?: { globals?: string[]; resolved?: string[] } })[]) {
    for (const g of [...(s.cpython?.globals ?? []), ...(s.cpython?.resolved ?? [])]) add(g.slice(0, g.indexOf(' ')), g.slice(g.indexOf(' ') + 1));
  }
  for (const r of policy.spec.rules) {
    for (const n0 of r.names === '*' ? ['anything', 'system', 'Sub.attr'] : r.names) {
      const n = n0.endsWith('.*') ? `${n0.slice(0, -2)}.member` : n0;
      for (const v of [n, `${n}.x`, `${n}.__class__`, `${n}.__globals__.os`]) add(r.module, v);
      if (n0.endsWith('.*')) add(r.module, `${n0.slice(0, -2)}.__dict__`);
      add(`${r.module}.sub`, n);
      add(`${r.module}.sub.deeper`, n);
      add(r.module.split('.')[0]!, n);
    }
    for (const e of r.except ?? []) {
      const i = e.lastIndexOf('.');
      add(e.slice(0, i), e.slice(i + 1));
      add(e.slice(0, i), `${e.slice(i + 1)}.x`);
    }
  }
  for (const [k, v] of IMPORT_MAPPING) for (const n of ['x', 'system', 'loads']) (add(k, n), add(v, n));
  for (const k of NAME_MAPPING.keys()) add(k.split('\0')[0]!, k.split('\0')[1]!);
  for (const k of STDLIB_ALIASES.keys()) {
    const i = k.lastIndexOf('.');
    for (const n of ['', '.system', '.path.join', '.loads']) add(k.slice(0, i), k.slice(i + 1) + n);
  }
  for (const k of CONVENTIONAL_ALIASES.keys()) for (const m of ['mylib', 'collections', 'numpy']) (add(m, `${k}.system`), add(m, `${k}.popen`));
  // the long-name cut (1024 UTF-16 units, 64 parts), odd names, non-ASCII
  add('os', 'x'.repeat(1030));
  add('a'.repeat(500), 'b'.repeat(524));
  add('a'.repeat(500), 'b'.repeat(525));
  add('collections', 'é'.repeat(1020));
  add('collections', '😀'.repeat(520));
  add('os', Array(70).fill('path').join('.'));
  for (const k of [63, 64, 65]) add('collections', Array(k).fill('a').join('.'));
  for (const n of ['OrderedDict.<locals>.x', 'OrderedDict..x', '.OrderedDict', 'OrderedDict.', '__class__', 'a.__init__.b', 'ö']) add('collections', n);
  for (const [m, n] of [['builtins', 'set'], ['__builtin__', 'set'], ['copy_reg', '_reconstructor'], ['copyreg', '_reconstructor'], ['', 'x'], ['os.', 'system']]) add(m!, n!);
  const out: [string, string, number][] = [];
  for (const p of pairs) {
    const [m, n] = JSON.parse(p) as [string, string];
    for (const proto of [0, 2, 3, 4, 5]) out.push([m, n, proto]);
  }
  return out;
}

/**
 * The guard carries the policy's rules, not the library catalogue (megabytes of data): it is the
 * TypeScript judge of the same policy without the catalogue. Names only the catalogue would allow
 * are unlisted in the guard, so it refuses them (fail closed).
 */
function withoutCatalogue(policy: CompiledPolicy): CompiledPolicy {
  return policy.spec.catalogue ? compilePolicy({ ...policy.spec, catalogue: false } as never) : policy;
}

async function compareJudges(python: string, name: string): Promise<{ total: number; differences: unknown[]; decisions: Record<string, number> }> {
  const policy = withoutCatalogue(policies[name]!);
  const triples = judgeCandidates(policy);
  const r = await runPy(python, [HARNESS, guards[name]!, 'judge'], { input: JSON.stringify(triples) });
  if (r.status !== 0) throw new Error(r.stderr);
  const got = JSON.parse(r.stdout) as { decision: string; resolved: string; reason: string | null; reference_only: boolean; deny_call: string | null }[];
  const differences: unknown[] = [];
  const decisions: Record<string, number> = {};
  triples.forEach(([m, n, proto], i) => {
    const j = policy.judge(m, n, proto);
    const ts = { decision: j.decision, resolved: j.resolved, reason: j.reason ?? null, reference_only: !!j.referenceOnly, deny_call: j.denyCall ?? null };
    const key = `${j.decision}${j.referenceOnly ? '+reference' : ''}${j.denyCall ? '+denycall' : ''}`;
    decisions[key] = (decisions[key] ?? 0) + 1;
    const g = got[i]!;
    const py = { decision: g.decision, resolved: g.resolved, reason: g.reason, reference_only: g.reference_only, deny_call: g.deny_call };
    if (JSON.stringify(ts) !== JSON.stringify(py)) differences.push({ module: m.slice(0, 60), name: n.slice(0, 60), proto, ts, python: py });
  });
  return { total: triples.length, differences: differences.slice(0, 5), decisions };
}

describe('the Python judge is the TypeScript judge', () => {
  test.each([...BUILTINS, 'guard-test', 'lenient'])('%s, under python3', async (name) => {
    if (!MAIN_PY) return;
    const r = await compareJudges(MAIN_PY.python, name);
    expect(r.differences).toEqual([]);
    expect(r.total).toBeGreaterThan(10_000);
    // the candidates exercise every kind of answer
    expect(Object.keys(r.decisions)).toEqual(expect.arrayContaining(['allow', 'deny', 'unlisted']));
    if (name === 'default') expect(Object.keys(r.decisions)).toEqual(expect.arrayContaining(['allow+reference', 'allow+reference+denycall']));
  });
});

// ---- the samples --------------------------------------------------------------------------------

interface GuardResult {
  file: string;
  status: 'loaded' | 'refused' | 'error' | 'timeout' | 'crashed' | 'harness-error';
  rule?: string;
  error?: string;
  message?: string;
  imported: [string, string, number][];
  canary: boolean;
}

async function runSamples(python: string, name: string, files: string[]): Promise<Map<string, GuardResult>> {
  const canary = path.join(tmp, `canary-${name}-${path.basename(path.dirname(path.dirname(python)))}`);
  const r = await runPy(python, [HARNESS, guards[name]!, 'loads', ...files], { cwd: SAMPLES, env: { PICKLEGATE_CANARY: canary, GUARD_TIMEOUT: '30' } });
  if (r.status !== 0) throw new Error(`guard harness failed (${python}):\n${r.stderr}`);
  const results = r.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as GuardResult);
  expect(results.map((x) => x.file)).toEqual(files);
  for (const x of results) if (x.status === 'harness-error') throw new Error(`${x.file}: ${x.message}`);
  return new Map(results.map((x) => [x.file, x]));
}

/**
 * Expected differences where the scanner rejects and the guard loads: checks only the static
 * scanner makes. Such a difference is explained when every finding above info is one of these.
 */
const SCANNER_ONLY: Record<string, string> = {
  'RESOURCE_HOSTILE/':
    'resource limits: the scanner refuses streams that are cheap to send and expensive to load (memo-expansion bombs, deep nesting, memo indexes of 10^8, frames of 2^62 bytes, 5 MiB lines) by counting; the guard is the unpickler and pays what CPython pays (the pure-Python unpickler keeps the memo in a dict and shares memoized objects, so some of these cost it little)',
  'LIMIT_EXCEEDED/': "the scanner's own analysis limits (a million open MARKs is more than maxNesting): past them it cannot verify the rest, so it refuses; the guard needs no such limit, it judges each global as it comes",
  'OPTIMIZER_BOUND/':
    'what the pickle builds: the MXNet policies require the result to be an optimizer (mxnet-optimizer) or a states dict (mxnet-states) with hyperparameters within bounds; the guard judges every import and call, not the object it returns (plain values, lists and dicts load)',
  'WIRE_RULE/leftover': 'objects left on the stack under the result: a shape rule of the scanner, which models the stack; the guard returns what STOP returns',
};

/** Expected differences where the scanner accepts and the guard refuses, by sample. */
const GUARD_ONLY: Record<string, string> = {
  'benign/torch_state_dict_data.pkl':
    "persistent ids (PyTorch storages): the default policy allows them, but only the loader can resolve them. Like pickle.loads, the guard's loads has no persistent_load and raises; torch.load-style callers subclass RestrictedUnpickler with theirs, and then it loads (checked below)",
};

function explain(rejectedBy: string[]): string | null {
  if (rejectedBy.length === 0) return null;
  const reasons = rejectedBy.map((rule) => Object.keys(SCANNER_ONLY).find((k) => (k.endsWith('/') ? rule.startsWith(k) : rule === k)));
  return reasons.every(Boolean) ? [...new Set(reasons)].join(', ') : null;
}

const scannerVerdicts = new Map<string, { accepted: boolean; rules: string[] }>();
function scanned(policy: string, file: string): { accepted: boolean; rules: string[] } {
  const key = `${policy}\0${file}`;
  let v = scannerVerdicts.get(key);
  if (!v) {
    const r = scan(fs.readFileSync(path.join(SAMPLES, file)), { policy });
    v = { accepted: r.accepted, rules: [...new Set(r.findings.filter((f) => f.severity !== 'info').map((f) => `${f.code}/${f.rule}`))].sort() };
    scannerVerdicts.set(key, v);
  }
  return v;
}

/** What must hold for every result of every interpreter. */
function checkSafety(name: string, results: Map<string, GuardResult>): void {
  const policy = policies[name]!;
  const acceptRank = policy.spec.accept === 'suspicious' ? 1 : 0;
  const ran = [...results.values()].filter((r) => r.canary).map((r) => r.file);
  expect({ policy: name, canaryWritten: ran }).toEqual({ policy: name, canaryWritten: [] });
  const maliciousLoaded = MANIFEST.filter((s) => s.category === 'malicious' && results.get(s.file)?.status === 'loaded').map((s) => s.file);
  expect({ policy: name, maliciousLoaded }).toEqual({ policy: name, maliciousLoaded: [] });
  const bad: string[] = [];
  for (const r of results.values()) {
    for (const [m, n, proto] of r.imported) {
      const d = policy.judge(m, n, proto).decision;
      if (!(d === 'allow' || (d === 'unlisted' && acceptRank === 1))) bad.push(`${r.file}: ${m} ${n} (${d})`);
    }
  }
  expect({ policy: name, importedWithoutPermission: bad }).toEqual({ policy: name, importedWithoutPermission: [] });
}

/** python3's results on the whole sample set, per policy (computed once). */
const mainResults = new Map<string, Promise<Map<string, GuardResult>>>();
function mainRun(name: string): Promise<Map<string, GuardResult>> {
  let p = mainResults.get(name);
  if (!p) mainResults.set(name, (p = runSamples(MAIN_PY!.python, name, MANIFEST.map((s) => s.file))));
  return p;
}

describe('samples under python3: the guard and the scanner agree', () => {
  const used = new Set<string>();
  const outcomes: Record<string, { agree: number; explained: number; refusedMalicious: number }> = {};

  test.each(BUILTINS)('%s', async (name) => {
    if (!MAIN_PY) return;
    const results = await mainRun(name);
    checkSafety(name, results);
    const unexplained: unknown[] = [];
    let agree = 0;
    let explained = 0;
    for (const s of MANIFEST) {
      const g = results.get(s.file)!;
      const v = scanned(name, s.file);
      const loaded = g.status === 'loaded';
      if (v.accepted === loaded) {
        agree++;
        continue;
      }
      const why = v.accepted ? (GUARD_ONLY[s.file] ? s.file : null) : explain(v.rules);
      if (why) {
        explained++;
        for (const k of why.split(', ')) used.add(k);
      } else unexplained.push({ file: s.file, scanner: v, guard: { status: g.status, rule: g.rule, error: g.error, message: g.message?.slice(0, 200) } });
    }
    expect(unexplained).toEqual([]);
    // benign samples the policy accepts all load
    const benignRefused = MANIFEST.filter((s) => s.category === 'benign' && scanned(name, s.file).accepted && results.get(s.file)!.status !== 'loaded' && !GUARD_ONLY[s.file]);
    expect(benignRefused).toEqual([]);
    outcomes[name] = { agree, explained, refusedMalicious: MANIFEST.filter((s) => s.category === 'malicious').length };
  });

  test('every expected difference is used (the tables stay honest)', () => {
    if (!MAIN_PY) return;
    expect([...Object.keys(SCANNER_ONLY), ...Object.keys(GUARD_ONLY)].filter((k) => !used.has(k))).toEqual([]);
    console.log(`Python guard vs scanner on ${MANIFEST.length} samples (python ${MAIN_PY.version}): ${JSON.stringify(outcomes)}`);
  });

  test('a torch.load-style persistent_load makes the torch data.pkl load', () => {
    if (!MAIN_PY) return;
    // torch is not installed here: the harness's stubs stand in for it, as in the sample runs
    const code = `
import sys
sys.path.insert(0, sys.argv[1])
sys.path.insert(0, sys.argv[3])
import guard_harness
import pg_default as g
class TorchLike(g.RestrictedUnpickler):
    def persistent_load(self, pid):
        return ('storage', pid[2] if isinstance(pid, tuple) else pid)
with open(sys.argv[2], 'rb') as f:
    obj = TorchLike(f).load()
print(type(obj).__name__, len(obj))`;
    const r = spawnSync(MAIN_PY.python, ['-c', code, tmp, path.join(SAMPLES, 'benign', 'torch_state_dict_data.pkl'), __dirname], { encoding: 'utf8', env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } });
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^OrderedDict \d+/);
  });
});

// ---- every interpreter --------------------------------------------------------------------------

/** The samples each interpreter loads: everything but hostile and malformed inputs (python3 runs those), and every 8th Python 3.11 wire body. */
const PER_VERSION = MANIFEST.filter((s, i) => s.category !== 'hostile' && s.category !== 'malformed' && (!s.file.startsWith('mxnet/wire-py311/') || i % 8 === 0)).map((s) => s.file);

describe.each(INTERPRETERS)('Python $version', ({ version, python }) => {
  const run = python ? test : test.skip;

  run('the behaviour checks pass', async () => {
    const r = await runPy(python!, [BEHAVIOUR, guards.default!, guards['mxnet-optimizer']!, guards['guard-test']!, guards.lenient!], { cwd: tmp });
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { python: string; passed: string[]; failed: { name: string; detail: string }[]; skipped: string[] };
    expect(out.failed).toEqual([]);
    expect(r.status).toBe(0);
    expect(out.python.startsWith(version)).toBe(true);
    expect(out.passed.length).toBeGreaterThanOrEqual(12);
  });

  run('the judge agrees with the TypeScript judge (default)', async () => {
    const r = await compareJudges(python!, 'default');
    expect(r.differences).toEqual([]);
  });

  run('the samples: same verdicts as under python3 but for protocols this interpreter cannot read; nothing unsafe', async () => {
    if (!MAIN_PY) return;
    const highest = Number(spawnSync(python!, ['-c', 'import pickle; print(pickle.HIGHEST_PROTOCOL)'], { encoding: 'utf8' }).stdout.trim());
    const results = await pool(BUILTINS.map((name) => async () => [name, await runSamples(python!, name, PER_VERSION), await mainRun(name)] as const));
    for (const [name, here, main] of results) {
      checkSafety(name, here);
      const differ: unknown[] = [];
      for (const file of PER_VERSION) {
        const a = here.get(file)!;
        const b = main.get(file)!;
        if ((a.status === 'loaded') === (b.status === 'loaded')) continue;
        const proto = /unsupported pickle protocol: (\d+)/.exec(a.message ?? '');
        if (b.status === 'loaded' && proto && Number(proto[1]) > highest) continue; // CPython itself cannot read it here
        differ.push({ file, here: a.status, main: b.status, message: a.message ?? b.message });
      }
      expect({ policy: name, differ }).toEqual({ policy: name, differ: [] });
    }
  });
});

/** Configuration: env and file, validation messages naming the setting, --help, exit code 2. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ConfigError, SETTINGS, helpText, loadConfig } from '../../server/config';
import { loadPolicies } from '../../server/policies';
import { DIST_MAIN, spawnNode } from './support';

const dir = mkdtempSync(path.join(tmpdir(), 'picklegate-config-'));
const file = (name: string, content: unknown): string => {
  const p = path.join(dir, name);
  writeFileSync(p, typeof content === 'string' ? content : JSON.stringify(content));
  return p;
};

describe('loadConfig', () => {
  test('defaults: 127.0.0.1:8080, mxnet-optimizer, 16 MiB cap, no upstream, no auth', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ host: '127.0.0.1', port: 8080, policy: 'mxnet-optimizer', maxBodyBytes: 16 * 1024 * 1024, upstream: undefined, tokens: [], forwardAllPaths: false });
    expect(c.workers).toBeGreaterThanOrEqual(1);
    expect(c.workers).toBeLessThanOrEqual(2);
  });

  test('environment variables are parsed by type', () => {
    const c = loadConfig({
      PICKLEGATE_PORT: '9090',
      PICKLEGATE_FORWARD_ALL_PATHS: 'yes',
      PICKLEGATE_UPSTREAM: 'http://10.0.0.1:9000/cmd',
      PICKLEGATE_TOKENS: ' aaaaaaaaaaaaaaaaaaaa , bbbbbbbbbbbbbbbbbbbb ',
      PICKLEGATE_METRICS: 'false',
    });
    expect(c).toMatchObject({ port: 9090, forwardAllPaths: true, upstream: 'http://10.0.0.1:9000/cmd', tokens: ['aaaaaaaaaaaaaaaaaaaa', 'bbbbbbbbbbbbbbbbbbbb'], metrics: false });
  });

  test.each([
    [{ PICKLEGATE_PORT: '70000' }, /^PICKLEGATE_PORT: must be at most 65535/],
    [{ PICKLEGATE_PORT: 'eighty' }, /^PICKLEGATE_PORT: must be an integer/],
    [{ PICKLEGATE_MAX_BODY_BYTES: '0' }, /^PICKLEGATE_MAX_BODY_BYTES: must be at least 1/],
    [{ PICKLEGATE_MAX_CONCURRENT_SCANS: '' }, /^PICKLEGATE_MAX_CONCURRENT_SCANS: must be an integer/],
    [{ PICKLEGATE_UPSTREAM: 'ftp://x' }, /^PICKLEGATE_UPSTREAM: must be an http/],
    [{ PICKLEGATE_FORWARD_ALL_PATHS: 'maybe' }, /^PICKLEGATE_FORWARD_ALL_PATHS: must be true\/false/],
    [{ PICKLEGATE_FORWARD_ALL_PATHS: 'true' }, /^PICKLEGATE_FORWARD_ALL_PATHS: needs PICKLEGATE_UPSTREAM/],
    [{ PICKLEGATE_TOKENS: 'short' }, /^PICKLEGATE_TOKENS: each token must have at least 16/],
    [{ PICKLEGATE_LOG_LEVEL: 'loud' }, /^PICKLEGATE_LOG_LEVEL: must be one of/],
    [{ PICKLEGATE_HEADERS_TIMEOUT_MS: '60000' }, /^PICKLEGATE_HEADERS_TIMEOUT_MS: must not exceed/],
    [{ PICKLEGATE_CONFIG: '/nonexistent/picklegate.json' }, /^PICKLEGATE_CONFIG: cannot read config file/],
  ])('%j → %s', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  test('a JSON config file sets values; the environment wins', () => {
    const cfg = file('ok.json', { port: 7000, maxBodyBytes: 1000, tokens: ['cccccccccccccccccccc'], limits: { maxOpcodes: 1000 } });
    expect(loadConfig({ PICKLEGATE_CONFIG: cfg })).toMatchObject({ port: 7000, maxBodyBytes: 1000, tokens: ['cccccccccccccccccccc'], limits: { maxOpcodes: 1000 } });
    expect(loadConfig({ PICKLEGATE_CONFIG: cfg, PICKLEGATE_PORT: '7001' }).port).toBe(7001);
  });

  test('config file errors name the key', () => {
    expect(() => loadConfig({ PICKLEGATE_CONFIG: file('bad1.json', { port: '80' }) })).toThrow(/"port": must be a number/);
    expect(() => loadConfig({ PICKLEGATE_CONFIG: file('bad2.json', { prot: 80 }) })).toThrow(/unknown setting "prot"/);
    expect(() => loadConfig({ PICKLEGATE_CONFIG: file('bad3.json', { limits: { maxOpcodes: -1 } }) })).toThrow(/"limits".*maxOpcodes/);
    expect(() => loadConfig({ PICKLEGATE_CONFIG: file('bad4.json', '{nope') })).toThrow(/not valid JSON/);
  });

  test('--help text names every setting and its environment variable', () => {
    const text = helpText();
    for (const s of SETTINGS) {
      expect(text).toContain(`key "${s.key}"`);
      if (s.env) expect(text).toContain(s.env);
    }
    expect(text).toContain('PICKLEGATE_CONFIG');
  });
});

describe('policies from config', () => {
  test('a custom policy file is preloaded and can be the default', () => {
    const p = file('policy.json', { name: 'my-policy', description: 'test', extends: 'mxnet-optimizer', rules: [{ module: 'mylib', names: ['Thing'], action: 'allow', reason: 'ours' }] });
    const set = loadPolicies('my-policy', [p]);
    expect(set.defaultPolicy.name).toBe('my-policy');
    expect(set.info.find((i) => i.name === 'my-policy')).toMatchObject({ source: 'file', rules: expect.any(Number) });
  });

  test('bad policy files and unknown default policies name the setting', () => {
    expect(() => loadPolicies('nope', [])).toThrow(/^PICKLEGATE_POLICY: unknown policy "nope"/);
    expect(() => loadPolicies('default', [file('p1.json', { name: 'x', rules: [{ module: 'os', names: '*', action: 'maybe', reason: 'r' }] })])).toThrow(/^PICKLEGATE_POLICY_FILES: policy file .*p1\.json/);
    expect(() => loadPolicies('default', [file('p2.json', { name: 'default' })])).toThrow(/already taken/);
  });
});

describe('the built service binary', () => {
  test('--help prints every setting and exits 0', async () => {
    const child = spawnNode([DIST_MAIN, '--help'], {});
    expect(await child.exited).toBe(0);
    for (const s of SETTINGS) if (s.env) expect(child.stdout()).toContain(s.env);
  });

  test.each([
    [{ PICKLEGATE_PORT: '-1' }, 'PICKLEGATE_PORT'],
    [{ PICKLEGATE_POLICY: 'no-such-policy' }, 'PICKLEGATE_POLICY'],
    [{ PICKLEGATE_MAX_BODY_BYTES: '1e9' }, 'PICKLEGATE_MAX_BODY_BYTES'],
  ])('bad setting %j → exit 2, message naming %s, no stack trace', async (env, name) => {
    const child = spawnNode([DIST_MAIN], { PICKLEGATE_PORT: '0', ...env });
    expect(await child.exited).toBe(2);
    expect(child.stderr()).toContain(name);
    expect(child.stderr()).not.toMatch(/\n\s+at /);
    expect(child.stdout()).toBe('');
  });
});

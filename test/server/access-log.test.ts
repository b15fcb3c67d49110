/**
 * The hand-written access line (server/access-log.ts) is the text pino writes for the same object and
 * message: compared byte for byte with pino's own output, for the same inputs and the same clock.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import { tracingChannel } from 'node:diagnostics_channel';
import pino from 'pino';
import type { Logger, LoggerOptions } from 'pino';
import { accessLine, accessLog, accessMessage, accessObject, plainLogger } from '../../server/access-log';
import type { AccessFields } from '../../server/access-log';
import type { BodyReport } from '../../server/scan-body';
import { ROOT } from './support';

/** A logger writing into `lines`, with a fixed clock (pino's and the hand-written line read the same one). */
function capture(options: LoggerOptions = {}): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(chunk.toString());
      cb();
    },
  });
  const logger = pino({ level: 'info', timestamp: () => ',"time":1700000000123', ...options }, sink);
  return { logger, lines };
}

function report(over: Partial<BodyReport> = {}): BodyReport {
  return {
    path: 'body.pkl',
    format: 'pickle',
    size: 405,
    verdict: 'dangerous',
    accepted: false,
    policy: 'mxnet-optimizer',
    findings: [
      { code: 'DENIED_GLOBAL', rule: 'denied', severity: 'dangerous', message: 'x', offset: 0, pickle: 0 },
      { code: 'WIRE_RULE', rule: 'opcode', severity: 'suspicious', message: 'y', offset: 1, pickle: 0 },
      { code: 'DENIED_GLOBAL', rule: 'denied', severity: 'dangerous', message: 'z', offset: 2, pickle: 0 },
    ],
    members: [],
    pickles: [],
    globals: [],
    calls: [],
    timeMs: 0.016,
    ...over,
  } as BodyReport;
}

const base: AccessFields = { id: '17c592dc-386f-4f56-9673-56aeb8cb1642', method: 'POST', url: '/v1/gate', remoteAddress: '127.0.0.1', statusCode: 200, responseTime: 3, report: undefined, finished: true };

const cases: [string, AccessFields][] = [
  ['no scan', base],
  ['a scan with findings (codes once each, in order)', { ...base, statusCode: 422, report: report() }],
  ['a scan without findings', { ...base, report: report({ verdict: 'safe', accepted: true, findings: [] }) }],
  ['aborted', { ...base, finished: false, report: report() }],
  ['no remote address', { ...base, remoteAddress: undefined }],
  ['strings that need escaping', { ...base, id: 'a"b\\c', url: '/v1/gate?name=%22"\u0001\u007f\u00e9\u2026\ud800x', method: 'P"OST', remoteAddress: '::ffff:127.0.0.1' }],
  ['a long url', { ...base, url: '/v1/scan?' + 'name='.repeat(200) + '"é' }],
  ['a policy name that needs escaping, a huge size, a NaN time', { ...base, report: report({ policy: 'my "policy"\n', size: 2 ** 53, timeMs: NaN }) }],
  ['a server error', { ...base, statusCode: 500, responseTime: 12345 }],
];

describe('access log line', () => {
  test.each(cases)('the same text as pino: %s', (_name, f) => {
    const options: LoggerOptions[] = [
      {},
      { base: { service: 'picklegate' } },
      { base: { service: 'picklegate', worker: 3 } },
      { name: 'svc' },
      { messageKey: 'message' },
      { formatters: { level: (label: string) => ({ severity: label.toUpperCase() }) } },
      { formatters: { bindings: () => ({ app: 'gate' }) } },
      { customLevels: { audit: 35 } },
    ];
    for (const o of options) {
      const { logger, lines } = capture(o);
      expect(plainLogger(logger)).toBe(true);
      for (const [level, num] of [['info', 30], ['warn', 40], ['error', 50]] as const) {
        logger[level](accessObject(f), accessMessage(f));
        expect(accessLine(logger, num, f)).toBe(lines.pop());
      }
      // a child logger's bindings are in its line too
      const child = logger.child({ reqId: 'r"1' });
      child.info(accessObject(f), accessMessage(f));
      expect(accessLine(child, 30, f)).toBe(lines.pop());
    }
  });

  test('accessLog writes the hand-made lines of a turn of the event loop through the logger\'s destination together; it tells which levels are enabled', async () => {
    const { logger, lines } = capture({ level: 'warn' });
    const log = accessLog(logger);
    expect([log.enabled('info'), log.enabled('warn'), log.enabled('error')]).toEqual([false, true, true]);
    const write = (level: 'warn' | 'error', f: AccessFields): void => (log.enabled(level) ? log.write(level, f) : undefined);
    write('warn', { ...base, statusCode: 404 });
    write('error', { ...base, statusCode: 503 });
    expect(lines).toEqual([]); // written at the end of the turn
    await new Promise((r) => setImmediate(r));
    expect(lines).toHaveLength(1);
    logger.warn(accessObject({ ...base, statusCode: 404 }), accessMessage(base));
    logger.error(accessObject({ ...base, statusCode: 503 }), accessMessage(base));
    expect(lines[0]).toBe(lines[1]! + lines[2]!);
    // a later line starts a new batch
    write('warn', { ...base, statusCode: 413 });
    await new Promise((r) => setImmediate(r));
    logger.warn(accessObject({ ...base, statusCode: 413 }), accessMessage(base));
    expect(lines[3]).toBe(lines[4]);
  });

  test('a batch of 16 K characters is written at once, without waiting for the end of the turn', () => {
    const { logger, lines } = capture();
    const log = accessLog(logger);
    const long = { ...base, url: '/v1/gate?name=' + 'x'.repeat(1000) };
    let n = 0;
    while (lines.length === 0 && n < 100) {
      log.write('info', long);
      n++;
    }
    expect(lines).toHaveLength(1);
    expect(lines[0]!.length).toBeGreaterThanOrEqual(16 * 1024);
    expect(lines[0]!.split('\n').filter(Boolean)).toHaveLength(n);
  });

  test('lines still waiting when the process exits are written (the service\'s own asynchronous destination)', () => {
    const app = path.join(ROOT, 'dist', 'server', 'app.js');
    if (!existsSync(app)) throw new Error('dist/server/app.js missing: run `npm run build` (pretest does)');
    const script = `
      const { createLogger } = require(${JSON.stringify(app)});
      const { accessLog } = require(${JSON.stringify(path.join(ROOT, 'dist', 'server', 'access-log.js'))});
      const log = accessLog(createLogger({ logLevel: 'info' }));
      for (let i = 0; i < 3; i++) log.write('info', { ...${JSON.stringify(base)}, responseTime: i });
      process.exit(0);
    `;
    const out = execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' });
    const entries = out.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { responseTime: number; msg: string; service: string });
    expect(entries.map((e) => [e.responseTime, e.msg, e.service])).toEqual([0, 1, 2].map((i) => [i, 'request completed', 'picklegate']));
  });

  test('loggers pino writes differently go through pino', () => {
    const odd: LoggerOptions[] = [
      { mixin: () => ({ extra: 1 }) },
      { formatters: { log: (o) => ({ ...o, wrapped: true }) } },
      { serializers: { req: () => 'hidden' } },
      { redact: ['req.remoteAddress'] },
      { nestedKey: 'payload' },
      { msgPrefix: '[svc] ' },
      { hooks: { streamWrite: (s) => s.replace('request', 'REQUEST') } },
    ];
    for (const options of odd) {
      const { logger, lines } = capture(options);
      expect(plainLogger(logger)).toBe(false);
      const f = { ...base, report: report() };
      accessLog(logger).write('info', f); // written at once, by pino
      logger.info(accessObject(f), accessMessage(f));
      expect(lines).toHaveLength(2);
      expect(lines[0]).toBe(lines[1]);
    }
  });

  test('a subscriber to pino\'s asJson diagnostics channel sees the access line too', () => {
    const { logger, lines } = capture();
    let seen = 0;
    const handlers = { start: () => void seen++, end: () => undefined, asyncStart: () => undefined, asyncEnd: () => undefined, error: () => undefined };
    const channel = tracingChannel('pino_asJson');
    channel.subscribe(handlers);
    try {
      accessLog(logger).write('info', base);
    } finally {
      channel.unsubscribe(handlers);
    }
    expect(seen).toBe(1);
    logger.info(accessObject(base), accessMessage(base));
    expect(lines[0]).toBe(lines[1]);
  });
});

'use strict';
/**
 * Fuzz worker thread: scans the cases it is sent and posts a compact result for each.
 * Before each case it writes the case index into the shared `progress` array so the main
 * thread's watchdog can tell which input hung.
 */
const { parentPort, workerData } = require('node:worker_threads');
const { scan } = require(workerData.dist);

const progress = new Int32Array(workerData.progress);

parentPort.on('message', (batch) => {
  const results = [];
  for (const c of batch.cases) {
    Atomics.store(progress, 0, c.id);
    const t0 = performance.now();
    try {
      const r = scan(c.bytes, { policy: c.policy });
      // scan() turns its own failures into an ANALYSIS_ERROR finding (fail closed): still a crash to fix
      const failure = r.findings.find((f) => f.code === 'ANALYSIS_ERROR');
      if (failure) throw new Error(failure.message);
      results.push({
        id: c.id,
        ms: performance.now() - t0,
        accepted: r.accepted,
        verdict: r.verdict,
        complete: r.pickles.length > 0 && r.pickles.every((p) => p.complete),
        opcodes: r.counts.opcodes,
        globals: r.globals.map((g) => [g.module, g.name, g.decision]),
        codes: [...new Set(r.findings.map((f) => f.code))],
      });
    } catch (e) {
      results.push({ id: c.id, ms: performance.now() - t0, error: String((e && e.stack) || e) });
    }
  }
  Atomics.store(progress, 0, -1);
  parentPort.postMessage({ batch: batch.id, results });
});

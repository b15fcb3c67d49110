/**
 * CPU time (user + system) this process has used, in milliseconds. Time bounds in the tests use it
 * instead of wall-clock time: it measures the work done, and does not grow when other processes load
 * the host (on a busy 2-core CI host wall time ran 2-5x over, and a 5 s bound failed at 5.007 s).
 */
export function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

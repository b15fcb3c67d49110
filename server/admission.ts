/**
 * Bound on requests being read or scanned at once. When it is reached, new requests get 503 with
 * Retry-After instead of queueing without limit (memory stays under `max × maxBodyBytes`).
 */
export class Admission {
  private current = 0;
  constructor(readonly max: number) {
    if (!(max >= 1)) throw new RangeError('Admission: max must be at least 1');
  }
  get inFlight(): number {
    return this.current;
  }
  tryAcquire(): boolean {
    if (this.current >= this.max) return false;
    this.current++;
    return true;
  }
  release(): void {
    if (this.current > 0) this.current--;
  }
}

/**
 * What a reviewed guard accepted, changed by the rest of the pickle (MachineState.watchAccepted): the
 * library keeps what it was given by reference (a dtype its fields dict, an lmfit model its hints, a
 * pint Quantity its magnitude array, a pendulum timezone its transitions), so a later SETITEM,
 * APPEND or BUILD on it reaches the library unchecked. The guard runs again at the end of the pickle
 * on the values as they were left; a container filled after the guard ran (an object graph with a
 * cycle, as real pickles have) is judged by its final content.
 */
import { DENIED, P, SAFE, judge } from '../catalogue/guard-support';

const EVIL = "__import__('os').system('id')";

/** `numpy.dtype(code, False, True)` and a BUILD of numpy's version 3 state. */
const dtype = (p: P, code: string, flags: number, struct?: (q: P) => P, elsize = -1) => {
  p.global('numpy', 'dtype').str(code).false().true().tuple3().reduce().mark().binint1(3).str(code.startsWith('V') ? '|' : '<').none();
  if (struct) struct(p);
  else p.none().none();
  return p.binint(elsize).binint(struct ? 1 : -1).binint(flags).tuple().build();
};

/** An array of the dtype at memo `at` rebuilt from 8 raw bytes. */
const arrayOf = (p: P, at: number) =>
  p.global('numpy.core.multiarray', '_reconstruct').global('numpy', 'ndarray').binint1(0).tuple1().bytes('b').tuple3().reduce().mark().binint1(1).binint1(1).tuple1().binget(at).false().bytes(new Uint8Array(8)).tuple().build();

describe('a value a reviewed guard accepted, changed afterwards', () => {
  test("a dtype's fields dict given an object field after the BUILD", () => {
    const p = new P().proto(2);
    // fields = {'a': (dtype('i8'), 0)} at memo 1; a V8 struct of it at memo 2, flags 16 (a struct without objects)
    p.emptyDict().binput(1).str('a');
    dtype(p, 'i8', 0).binint1(0).tuple2().setitem().pop();
    dtype(p, 'V8', 16, (q) => q.str('a').tuple1().binget(1), 8).binput(2).pop();
    const ok = p.done().slice();
    expect(judge(new P().raw(...ok).pipe((q) => arrayOf(q, 2)).stop().done())).toEqual(SAFE);
    // then fields['a'] = (dtype('O'), 0): numpy reads the 8 bytes as an object pointer
    p.binget(1).str('a');
    dtype(p, 'O8', 63).binint1(0).tuple2().setitem().pop();
    expect(judge(arrayOf(p, 2).stop().done())).toEqual(DENIED);
  });

  test('a field dtype given its state (with an object field) after the struct holding it', () => {
    const p = new P().proto(2);
    p.global('numpy', 'dtype').str('V8').false().true().tuple3().reduce().binput(1).pop(); // inner, no state yet
    dtype(p, 'V8', 16, (q) => q.str('a').tuple1().emptyDict().str('a').binget(1).binint1(0).tuple2().setitem(), 8).binput(2).pop();
    p.binget(1).mark().binint1(3).str('|').none().str('x').tuple1().emptyDict().str('x');
    dtype(p, 'O8', 63).binint1(0).tuple2().setitem().binint(8).binint(8).binint(63 | 16).tuple().build().pop();
    expect(judge(arrayOf(p, 2).stop().done())).toEqual(DENIED);
  });

  test("an lmfit model's parameter hint given an expression after the BUILD", () => {
    const model = (hint: (q: P) => P, after: (q: P) => P = (q) => q) =>
      after(hint(new P().proto(2).global('lmfit.models', 'GaussianModel').emptyTuple().newobj().binput(1).emptyDict().str('param_hints').emptyDict().str('amp')).setitem().setitem().build().pop())
        .binget(1)
        .stop()
        .done();
    expect(judge(model((q) => q.emptyDict().binput(5).str('expr').str('a+1').setitem()))).toEqual(SAFE);
    expect(judge(model((q) => q.emptyDict().str('expr').str(EVIL).setitem()))[0]).toBe('dangerous');
    expect(judge(model((q) => q.emptyDict().binput(5).str('expr').str('a+1').setitem(), (q) => q.binget(5).str('expr').str(EVIL).setitem().pop()))[0]).toBe('dangerous');
  });

  test("a pendulum timezone's transition list given a pint Quantity (whose __getattr__ the catalogue flags) after the BUILD", () => {
    const quantity = (q: P) =>
      q
        .global('pint', '_unpickle_quantity')
        .global('pint.quantity', 'Quantity')
        .float('1.0')
        .global('pint.util', 'UnitsContainer')
        .emptyTuple()
        .newobj()
        .global('pint.util', 'udict')
        .emptyTuple()
        .newobj()
        .str('meter')
        .binint1(1)
        .setitem()
        .binint1(1)
        .global('builtins', 'float')
        .tuple3()
        .build()
        .tuple3()
        .reduce();
    const zone = (transitions: (q: P) => P, after: (q: P) => P = (q) => q) =>
      after(
        transitions(new P().proto(2).global('pendulum.tz.timezone', 'Timezone').str('Europe/Paris').tuple1().reduce().binput(1).emptyDict().str('_name').str('Europe/Paris').setitem().str('_transitions'))
          .setitem()
          .str('_hint')
          .emptyDict()
          .true()
          .none()
          .setitem()
          .false()
          .none()
          .setitem()
          .setitem()
          .build()
          .pop(),
      )
        .binget(1)
        .stop()
        .done();
    expect(judge(zone((q) => q.emptyList().binput(2)))).toEqual(SAFE);
    expect(judge(zone((q) => quantity(q.emptyList()).append()))[0]).toBe('dangerous');
    expect(judge(zone((q) => q.emptyList().binput(2), (q) => quantity(q.binget(2)).append().pop()))[0]).toBe('dangerous');
  });

  test("a pint Quantity's magnitude array rebuilt as an object array after the call", () => {
    const p = new P().proto(2).global('pint', '_unpickle_quantity').global('pint.quantity', 'Quantity');
    p.global('numpy.core.multiarray', '_reconstruct').global('numpy', 'ndarray').binint1(0).tuple1().bytes('b').tuple3().reduce().binput(7);
    p.mark().binint1(1).binint1(1).tuple1();
    dtype(p, 'i8', 0).false().bytes(new Uint8Array(8)).tuple().build();
    p.global('pint.util', 'UnitsContainer').emptyTuple().newobj().global('pint.util', 'udict').emptyTuple().newobj().str('meter').binint1(1).setitem().binint1(1).global('builtins', 'float').tuple3().build();
    p.tuple3().reduce().binput(8).pop();
    const ok = p.done().slice();
    expect(judge(new P().raw(...ok).binget(8).stop().done())).toEqual(SAFE);
    p.binget(7).mark().binint1(1).binint1(1).tuple1();
    dtype(p, 'O8', 63).false().emptyList().str('meter*9**9**8').append().tuple().build().pop();
    expect(judge(p.binget(8).stop().done())[0]).toBe('dangerous');
  });
});

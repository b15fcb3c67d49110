/**
 * The policy file format. A policy is data: rules on imported globals, a default for everything
 * else, optional wire rules and optimizer bounds. Files are JSON, validated here.
 */
import { z } from 'zod';

const identifierPath = z
  .string()
  .min(1)
  .max(512)
  .regex(/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/, { error: 'must be a dotted Python identifier' });

export const RuleSchema = z.strictObject({
  /** Module as imported, e.g. `os` or `torch._utils`. */
  module: identifierPath,
  /**
   * Names in that module (dotted names allowed), or `*` for every name. `Cls.*` matches any one
   * attribute of `Cls` that is not a dunder (the members of an enum class).
   */
  names: z.union([z.literal('*'), z.array(z.string().min(1).max(512).regex(/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*(\.\*)?$/, { error: 'must be a dotted Python identifier, optionally ending in .*' })).min(1)]),
  action: z.enum(['allow', 'deny']),
  /** Why: shown in findings. Required so every entry is explained. */
  reason: z.string().min(1).max(1000),
  /** Also match every submodule (`os` matches `os.path`). Default false. */
  submodules: z.boolean().optional(),
  /**
   * What the rule is about. `any` (default): importing the global. On an allow rule, `reference`: the
   * global may be imported and stored (libraries pickle functions such as numpy ufuncs by name) but a
   * pickle that calls it while loading is not accepted. On a deny rule, `call`: only calling it is
   * denied (a class that is harmless as an argument, dangerous when called).
   */
  use: z.enum(['any', 'reference', 'call']).optional(),
  /** Qualified names (`module.name`) the rule does not cover, with everything below them (deny rules with `*`). */
  except: z.array(identifierPath).optional(),
});
export type PolicyRule = z.infer<typeof RuleSchema>;

const opcodeName = z.string().regex(/^[A-Z][A-Z0-9_]*$/, { error: 'must be an opcode name such as GLOBAL' });

export const WireSchema = z.strictObject({
  /** Allowed protocols (0 for streams without PROTO). */
  protocols: z.array(z.number().int().min(0).max(5)).optional(),
  /** Allowed opcodes by pickletools name; anything else is a WIRE_RULE finding. */
  opcodes: z.array(opcodeName).optional(),
  /** Every byte must be ASCII (< 0x80). */
  ascii: z.boolean().optional(),
  /** No NUL byte anywhere (MXNet's C layer cuts the body at the first NUL). */
  noNul: z.boolean().optional(),
  /** Exactly one pickle and nothing after its STOP. */
  singlePickle: z.boolean().optional(),
  /** Largest accepted input in bytes. */
  maxBytes: z.number().int().positive().optional(),
  /** REDUCE/BUILD shape of MXNet optimizers: REDUCE only as copy_reg._reconstructor(cls, object, None), BUILD only with a str-keyed dict on such an object. */
  mxnetObjectShape: z.boolean().optional(),
});

const boundValue = z.union([z.number(), z.string(), z.boolean(), z.null()]);
export const BoundSchema = z.strictObject({
  /** Inclusive or exclusive numeric limits. */
  min: z.number().optional(),
  max: z.number().optional(),
  exclusiveMin: z.number().optional(),
  exclusiveMax: z.number().optional(),
  /** Must be a finite number (not inf or nan). */
  finite: z.boolean().optional(),
  /** Allowed values (compared as JSON values). */
  oneOf: z.array(boundValue).optional(),
  /**
   * Allowed types: JSON types number (includes integer), integer, boolean, string, null, object, array;
   * or `ndarray`: an MXNet NDArray state object (2.x AdamW/AdaBelief `.states` keep rescale_grad as one),
   * whose numeric limits apply to its element when the header shows a one-element array.
   * A value that is neither (a call result such as a numpy scalar) never passes.
   */
  types: z.array(z.enum(['number', 'integer', 'boolean', 'string', 'null', 'object', 'array', 'ndarray'])).optional(),
});
export type Bound = z.infer<typeof BoundSchema>;

export const OptimizerBoundsSchema = z.strictObject({
  /** What the pickle must load: an optimizer object (kvstore wire) or a `.states` payload (states dict, or (states, optimizer)). */
  expect: z.enum(['optimizer', 'states']).optional(),
  /** Bounds per key, applied to every optimizer class. */
  all: z.record(z.string(), BoundSchema).optional(),
  /** Bounds per optimizer class name (e.g. `SGD`), applied on top of `all`. */
  classes: z.record(z.string(), z.record(z.string(), BoundSchema)).optional(),
  /** Keys that must be present. */
  required: z.array(z.string()).optional(),
  /** Keys that must be absent. */
  forbidden: z.array(z.string()).optional(),
  /** Bounds on the learning-rate scheduler's keys. */
  scheduler: z.record(z.string(), BoundSchema).optional(),
});
export type OptimizerBounds = z.infer<typeof OptimizerBoundsSchema>;

export const PolicySchema = z.strictObject({
  name: z.string().min(1).max(100),
  description: z.string().max(2000).optional(),
  /** A built-in policy whose rules come first; this policy's rules and settings are added on top. */
  extends: z.string().optional(),
  /** What a global matched by no rule is: `unlisted` (suspicious), `deny` (dangerous) or `allow` (safe). Default `unlisted`. */
  default: z.enum(['allow', 'unlisted', 'deny']).optional(),
  /** Worst verdict the policy still accepts. Default `safe`. */
  accept: z.enum(['safe', 'suspicious']).optional(),
  /** `resolved`: allow rules match names after `_compat_pickle` remapping; `raw`: only the stream's own spelling. */
  match: z.enum(['resolved', 'raw']).optional(),
  rules: z.array(RuleSchema).default([]),
  /** Extension registry (copyreg.add_extension): code → global. Unmapped EXT codes are UNREGISTERED_EXT. */
  extensions: z.record(z.string().regex(/^[0-9]+$/), z.strictObject({ module: identifierPath, name: identifierPath })).optional(),
  /** Persistent references (PyTorch storages use them): allowed or a PERSISTENT_ID finding. Default allow. */
  persistentIds: z.enum(['allow', 'reject']).optional(),
  /** Out-of-band buffers (protocol 5 NEXT_BUFFER). Default reject. */
  outOfBandBuffers: z.enum(['allow', 'reject']).optional(),
  wire: WireSchema.optional(),
  optimizer: OptimizerBoundsSchema.optional(),
});
export type PolicySpec = z.input<typeof PolicySchema>;
export type ParsedPolicySpec = z.output<typeof PolicySchema>;

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
  module: identifierPath.describe('Module as imported, e.g. `os` or `torch._utils`.'),
  /**
   * Names in that module (dotted names allowed), or `*` for every name. `Cls.*` matches any one
   * attribute of `Cls` that is not a dunder (the members of an enum class).
   */
  names: z
    .union([z.literal('*'), z.array(z.string().min(1).max(512).regex(/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*(\.\*)?$/, { error: 'must be a dotted Python identifier, optionally ending in .*' })).min(1)])
    .describe('Names in that module (dotted names allowed), or `*` for every name. `Cls.*` matches any one attribute of `Cls` that is not a dunder (the members of an enum class).'),
  /** `allow`: the import is safe; `deny`: it is dangerous (DENIED_GLOBAL). */
  action: z.enum(['allow', 'deny']).describe('`allow`: the import is safe; `deny`: it is dangerous (DENIED_GLOBAL).'),
  /** Why: shown in findings. Required so every entry is explained. */
  reason: z.string().min(1).max(1000).describe('Why: shown in findings. Required so every entry is explained.'),
  /** Also match every submodule (`os` matches `os.path`). Default false. */
  submodules: z.boolean().optional().describe('Also match every submodule (`os` matches `os.path`). Default false.'),
  /**
   * What the rule is about. `any` (default): importing the global. On an allow rule, `reference`: the
   * global may be imported and stored (libraries pickle functions such as numpy ufuncs by name) but a
   * pickle that calls it while loading is not accepted. On a deny rule, `call`: only calling it is
   * denied (a class that is harmless as an argument, dangerous when called).
   */
  use: z
    .enum(['any', 'reference', 'call'])
    .optional()
    .describe(
      'What the rule is about. `any` (default): importing the global. On an allow rule, `reference`: the global may be imported and stored (libraries pickle functions such as numpy ufuncs by name) but a pickle that calls it while loading is not accepted. On a deny rule, `call`: only calling it is denied (a class that is harmless as an argument, dangerous when called).',
    ),
  /**
   * On an allow rule: the argument positions (0-based) whose value the global calls, at once or later
   * (a sort key it keeps, a class it instantiates). Loading is accepted only when what is handed there
   * is plain data (not callable) or a global the policy lets the pickle call; a global allowed only as
   * a value, one whose call is denied, or an object the pickle built is a finding. Keyword arguments and
   * the state a BUILD gives an instance of such a class are checked the same way.
   */
  callsArguments: z
    .array(z.number().int().min(0).max(31))
    .optional()
    .describe(
      'On an allow rule: the argument positions (0-based) whose value the global calls, at once or later (a sort key it keeps, a class it instantiates). Loading is accepted only when what is handed there is plain data (not callable) or a global the policy lets the pickle call; a global allowed only as a value, one whose call is denied, or an object the pickle built is a finding. Keyword arguments and the state a BUILD gives an instance of such a class are checked the same way.',
    ),
  /** Qualified names (`module.name`) the rule does not cover, with everything below them (deny rules with `*`). */
  except: z.array(identifierPath).optional().describe('Qualified names (`module.name`) the rule does not cover, with everything below them (deny rules with `*`).'),
});
export type PolicyRule = z.infer<typeof RuleSchema>;

const opcodeName = z.string().regex(/^[A-Z][A-Z0-9_]*$/, { error: 'must be an opcode name such as GLOBAL' });

export const WireSchema = z.strictObject({
  /** Allowed protocols (0 for streams without PROTO). */
  protocols: z.array(z.number().int().min(0).max(5)).optional().describe('Allowed protocols (0 for streams without PROTO).'),
  /** Allowed opcodes by pickletools name; anything else is a WIRE_RULE finding. */
  opcodes: z.array(opcodeName).optional().describe('Allowed opcodes by pickletools name; anything else is a WIRE_RULE finding.'),
  /** Every byte must be ASCII (< 0x80). */
  ascii: z.boolean().optional().describe('Every byte must be ASCII (< 0x80).'),
  /** No NUL byte anywhere (MXNet's C layer cuts the body at the first NUL). */
  noNul: z.boolean().optional().describe("No NUL byte anywhere (MXNet's C layer cuts the body at the first NUL)."),
  /** Exactly one pickle and nothing after its STOP. */
  singlePickle: z.boolean().optional().describe('Exactly one pickle and nothing after its STOP.'),
  /** Largest accepted input in bytes. */
  maxBytes: z.number().int().positive().optional().describe('Largest accepted input in bytes.'),
  /** REDUCE/BUILD shape of MXNet optimizers: REDUCE only as copy_reg._reconstructor(cls, object, None), BUILD only with a str-keyed dict on such an object. */
  mxnetObjectShape: z.boolean().optional().describe('REDUCE/BUILD shape of MXNet optimizers: REDUCE only as copy_reg._reconstructor(cls, object, None), BUILD only with a str-keyed dict on such an object.'),
});

const boundValue = z.union([z.number(), z.string(), z.boolean(), z.null()]);
export const BoundSchema = z.strictObject({
  /** Inclusive lower limit. */
  min: z.number().optional().describe('Inclusive lower limit.'),
  /** Inclusive upper limit. */
  max: z.number().optional().describe('Inclusive upper limit.'),
  /** Exclusive lower limit. */
  exclusiveMin: z.number().optional().describe('Exclusive lower limit.'),
  /** Exclusive upper limit. */
  exclusiveMax: z.number().optional().describe('Exclusive upper limit.'),
  /** Must be a finite number (not inf or nan). */
  finite: z.boolean().optional().describe('Must be a finite number (not inf or nan).'),
  /** Allowed values (compared as JSON values). */
  oneOf: z.array(boundValue).optional().describe('Allowed values (compared as JSON values).'),
  /**
   * Allowed types: JSON types number (includes integer), integer, boolean, string, null, object, array;
   * or `ndarray`: an MXNet NDArray state object (2.x AdamW/AdaBelief `.states` keep rescale_grad as one),
   * whose numeric limits apply to its element when the header shows a one-element array.
   * A value that is neither (a call result such as a numpy scalar) never passes.
   */
  types: z
    .array(z.enum(['number', 'integer', 'boolean', 'string', 'null', 'object', 'array', 'ndarray']))
    .optional()
    .describe(
      'Allowed types: JSON types number (includes integer), integer, boolean, string, null, object, array; or `ndarray`: an MXNet NDArray state object (2.x AdamW/AdaBelief `.states` keep rescale_grad as one), whose numeric limits apply to its element when the header shows a one-element array. A value that is neither (a call result such as a numpy scalar) never passes.',
    ),
});
export type Bound = z.infer<typeof BoundSchema>;

export const OptimizerBoundsSchema = z.strictObject({
  /** What the pickle must load: an optimizer object (kvstore wire) or a `.states` payload (states dict, or (states, optimizer)). */
  expect: z.enum(['optimizer', 'states']).optional().describe('What the pickle must load: an optimizer object (kvstore wire) or a `.states` payload (states dict, or (states, optimizer)).'),
  /** Bounds per key, applied to every optimizer class. */
  all: z.record(z.string(), BoundSchema).optional().describe('Bounds per key, applied to every optimizer class.'),
  /** Bounds per optimizer class name (e.g. `SGD`), applied on top of `all`. */
  classes: z.record(z.string(), z.record(z.string(), BoundSchema)).optional().describe('Bounds per optimizer class name (e.g. `SGD`), applied on top of `all`.'),
  /** Keys that must be present. */
  required: z.array(z.string()).optional().describe('Keys that must be present.'),
  /** Keys that must be absent. */
  forbidden: z.array(z.string()).optional().describe('Keys that must be absent.'),
  /** Bounds on the learning-rate scheduler's keys. */
  scheduler: z.record(z.string(), BoundSchema).optional().describe("Bounds on the learning-rate scheduler's keys."),
});
export type OptimizerBounds = z.infer<typeof OptimizerBoundsSchema>;

export const PolicySchema = z.strictObject({
  /** The policy's name (reports carry it; the service selects policies by it). */
  name: z.string().min(1).max(100).describe("The policy's name (reports carry it; the service selects policies by it)."),
  /** One line for people (GET /v1/policies shows it). */
  description: z.string().max(2000).optional().describe('One line for people (GET /v1/policies shows it).'),
  /** A built-in policy whose rules come first; this policy's rules and settings are added on top. */
  extends: z.string().optional().describe("A built-in policy whose rules come first; this policy's rules and settings are added on top."),
  /** What a global matched by no rule is: `unlisted` (suspicious), `deny` (dangerous) or `allow` (safe). Default `unlisted`. */
  default: z.enum(['allow', 'unlisted', 'deny']).optional().describe('What a global matched by no rule is: `unlisted` (suspicious), `deny` (dangerous) or `allow` (safe). Default `unlisted`.'),
  /** Judge the globals no rule matches by the library catalogue: classes and functions whose reconstruction reaches no sink are allowed, gadgets are denied (dangerous), the rest of a catalogued library is suspicious. Also denies calling a gadget function that a wildcard allow rule admits. Default false; the built-in `default` policy sets it. */
  catalogue: z
    .boolean()
    .optional()
    .describe(
      'Judge the globals no rule matches by the library catalogue: classes and functions whose reconstruction reaches no sink are allowed, gadgets are denied (dangerous), the rest of a catalogued library is suspicious. Also denies calling a gadget function that a wildcard allow rule admits. Default false; the built-in `default` policy sets it.',
    ),
  /** With `catalogue`: the catalogued libraries whose entries may allow a global. A gadget of any catalogued library is still denied; a safe entry of a library not listed is unlisted (suspicious). Default: every catalogued library. */
  catalogueLibraries: z
    .array(z.string().min(1).max(100))
    .max(1000)
    .optional()
    .describe(
      'With `catalogue`: the catalogued libraries whose entries may allow a global. A gadget of any catalogued library is still denied; a safe entry of a library not listed is unlisted (suspicious). Default: every catalogued library.',
    ),
  /** Worst verdict the policy still accepts. Default `safe`. */
  accept: z.enum(['safe', 'suspicious']).optional().describe('Worst verdict the policy still accepts. Default `safe`.'),
  /** `resolved`: allow rules match names after `_compat_pickle` remapping; `raw`: only the stream's own spelling. */
  match: z.enum(['resolved', 'raw']).optional().describe("`resolved`: allow rules match names after `_compat_pickle` remapping; `raw`: only the stream's own spelling."),
  /** Rules on imported globals (appended to the base policy's with `extends`). Deny beats allow. */
  rules: z.array(RuleSchema).default([]).describe("Rules on imported globals (appended to the base policy's with `extends`). Deny beats allow."),
  /** Extension registry (copyreg.add_extension): code → global. Unmapped EXT codes are UNREGISTERED_EXT. */
  extensions: z.record(z.string().regex(/^[0-9]+$/), z.strictObject({ module: identifierPath, name: identifierPath })).optional().describe('Extension registry (copyreg.add_extension): code → global. Unmapped EXT codes are UNREGISTERED_EXT.'),
  /** Persistent references (PyTorch storages use them): allowed or a PERSISTENT_ID finding. Default allow. */
  persistentIds: z.enum(['allow', 'reject']).optional().describe('Persistent references (PyTorch storages use them): allowed or a PERSISTENT_ID finding. Default allow.'),
  /** Out-of-band buffers (protocol 5 NEXT_BUFFER). Default reject. */
  outOfBandBuffers: z.enum(['allow', 'reject']).optional().describe('Out-of-band buffers (protocol 5 NEXT_BUFFER). Default reject.'),
  /** Wire rules: what the transport carries (protocols, opcodes, bytes, shape). */
  wire: WireSchema.optional().describe('Wire rules: what the transport carries (protocols, opcodes, bytes, shape).'),
  /** Bounds on optimizer hyperparameters (MXNet); violations are OPTIMIZER_BOUND findings. */
  optimizer: OptimizerBoundsSchema.optional().describe('Bounds on optimizer hyperparameters (MXNet); violations are OPTIMIZER_BOUND findings.'),
});
export type PolicySpec = z.input<typeof PolicySchema>;
export type ParsedPolicySpec = z.output<typeof PolicySchema>;

/**
 * The JSON Schema of policy files (docs/schemas/policy.schema.json, written by `npm run schemas`): what
 * PolicySchema accepts, with its descriptions.
 */
export function policyJsonSchema(): Record<string, unknown> {
  const { $schema, ...body } = z.toJSONSchema(PolicySchema, {
    target: 'draft-07',
    io: 'input',
    unrepresentable: 'throw',
    override({ jsonSchema }) {
      // zod bounds every integer by ±(2^53 - 1): noise in a document people read
      if (jsonSchema.minimum === Number.MIN_SAFE_INTEGER) delete jsonSchema.minimum;
      if (jsonSchema.maximum === Number.MAX_SAFE_INTEGER) delete jsonSchema.maximum;
    },
  });
  return {
    $schema,
    title: 'picklegate policy file',
    description: 'A picklegate policy (docs/policies.md). Generated from src/policy/schema.ts by `npm run schemas`; do not edit.',
    ...body,
  };
}

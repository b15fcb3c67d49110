/**
 * Field descriptions are written twice, next to each other: as JSDoc (editors show it on the derived
 * types, e.g. `report.findings[0].offset`) and as `.describe()` (the JSON Schemas and the OpenAPI
 * document carry it). This keeps the two equal, so they cannot drift apart.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import ts from 'typescript';

const root = path.resolve(__dirname, '../..');
const FILES = ['findings', 'report', 'optimizer', 'files', 'cli', 'http'].map((f) => `src/report/schema/${f}.ts`).concat('src/policy/schema.ts');

/** The string given to the last `.describe(...)` of a property's initializer chain, if any (a literal, or a const of the file). */
function describedAs(expr: ts.Node, consts: ReadonlyMap<string, string>): string | undefined {
  let e: ts.Node = expr;
  // a getter: its return expression
  if (ts.isGetAccessorDeclaration(e)) {
    const ret = e.body?.statements.find(ts.isReturnStatement);
    if (!ret?.expression) return undefined;
    e = ret.expression;
  }
  while (ts.isCallExpression(e)) {
    const callee = e.expression;
    if (!ts.isPropertyAccessExpression(callee)) return undefined;
    if (callee.name.text === 'describe') {
      const arg = e.arguments[0];
      if (arg && ts.isStringLiteralLike(arg)) return arg.text;
      return (arg && ts.isIdentifier(arg) && consts.get(arg.text)) || '(not a string)';
    }
    e = callee.expression;
  }
  return undefined;
}

/** JSDoc text of a node, whitespace collapsed. */
function jsdocOf(node: ts.Node): string | undefined {
  const docs = (node as { jsDoc?: ts.JSDoc[] }).jsDoc;
  if (!docs?.length) return undefined;
  const c = docs[docs.length - 1]!.comment;
  const text = typeof c === 'string' ? c : c?.map((p) => p.text).join('');
  return text?.replace(/\s+/g, ' ').trim();
}

describe('JSDoc and .describe() of schema fields agree', () => {
  for (const rel of FILES) {
    test(rel, () => {
      const sf = ts.createSourceFile(rel, fs.readFileSync(path.join(root, rel), 'utf8'), ts.ScriptTarget.ES2022, true);
      const problems: string[] = [];
      const consts = new Map<string, string>();
      (function collect(node: ts.Node): void {
        if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.initializer && ts.isStringLiteralLike(node.initializer)) consts.set(node.name.text, node.initializer.text);
        ts.forEachChild(node, collect);
      })(sf);
      let fields = 0;
      (function visit(node: ts.Node): void {
        if (ts.isPropertyAssignment(node) || ts.isGetAccessorDeclaration(node)) {
          const described = describedAs(ts.isPropertyAssignment(node) ? node.initializer : node, consts);
          const doc = jsdocOf(node);
          const name = node.name.getText(sf);
          const line = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1;
          if (described !== undefined) {
            fields++;
            if (doc === undefined) problems.push(`${rel}:${line} ${name}: .describe() without JSDoc`);
            else if (doc !== described.replace(/\s+/g, ' ').trim()) problems.push(`${rel}:${line} ${name}: JSDoc "${doc}" ≠ describe "${described}"`);
          } else if (doc !== undefined) problems.push(`${rel}:${line} ${name}: JSDoc without .describe()`);
        }
        ts.forEachChild(node, visit);
      })(sf);
      expect(problems).toEqual([]);
      expect(fields).toBeGreaterThan(0);
    });
  }
});

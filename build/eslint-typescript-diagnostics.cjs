'use strict';
/**
 * The TypeScript compiler's own errors for each linted file, what `tsc --noEmit` reports
 * (syntactic and semantic diagnostics, and the program's global and option diagnostics once), as
 * an ESLint rule. It reads the program typescript-eslint already built for the type-aware rules,
 * so `npm run check` builds and checks one program instead of two: tsc's second one cost ~17 s
 * of CPU of the ~80 s the checks took (docs/testing-speed.md). `npm run typecheck` still runs tsc.
 */
const ts = require('typescript');

/** Programs whose file-independent diagnostics were reported already (one lint run, one program). */
const reportedGlobally = new WeakSet();

function location(file, diagnostic) {
  if (file === undefined || diagnostic.start === undefined) return { line: 1, column: 0 };
  const start = file.getLineAndCharacterOfPosition(diagnostic.start);
  const end = file.getLineAndCharacterOfPosition(diagnostic.start + (diagnostic.length ?? 0));
  return { start: { line: start.line + 1, column: start.character }, end: { line: end.line + 1, column: end.character } };
}

/** @type {import('eslint').Rule.RuleModule} */
module.exports = {
  meta: {
    type: 'problem',
    docs: { description: "Reports the TypeScript compiler's errors (as tsc --noEmit would) from typescript-eslint's program" },
    schema: [],
  },
  create(context) {
    const program = context.sourceCode.parserServices?.program;
    if (program === undefined || program === null) return {};
    const file = program.getSourceFile(context.physicalFilename);
    const diagnostics = file === undefined ? [] : [...program.getSyntacticDiagnostics(file), ...program.getSemanticDiagnostics(file)];
    if (!reportedGlobally.has(program)) {
      reportedGlobally.add(program);
      diagnostics.push(...program.getOptionsDiagnostics(), ...program.getGlobalDiagnostics());
    }
    for (const diagnostic of diagnostics) {
      if (diagnostic.category !== ts.DiagnosticCategory.Error) continue;
      const where = diagnostic.file !== undefined && diagnostic.file !== file ? `${diagnostic.file.fileName}: ` : '';
      context.report({
        loc: location(diagnostic.file === file ? file : undefined, diagnostic),
        message: `${where}TS${diagnostic.code}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')}`,
      });
    }
    return {};
  },
};

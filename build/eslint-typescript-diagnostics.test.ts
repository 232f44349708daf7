import ts from 'typescript';
// The rule is plain CommonJS so that eslint.config.mjs loads it without a TypeScript loader.
const rule = require('./eslint-typescript-diagnostics.cjs') as {
  create(context: unknown): Record<string, unknown>;
};

/** A program over in-memory files, as typescript-eslint hands it to the rule. */
function programOf(
  files: Record<string, string>,
  options: ts.CompilerOptions = { strict: true, noEmit: true, lib: ['lib.es2022.d.ts'] },
): ts.Program {
  const host = ts.createCompilerHost(options);
  const read = host.readFile.bind(host);
  host.fileExists = (name) => name in files || ts.sys.fileExists(name);
  host.directoryExists = (name) => Object.keys(files).some((file) => file.startsWith(`${name}/`)) || ts.sys.directoryExists(name);
  host.readFile = (name) => files[name] ?? read(name);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, version) =>
    name in files ? ts.createSourceFile(name, files[name]!, version, true) : getSourceFile(name, version);
  return ts.createProgram({ rootNames: Object.keys(files), options, host });
}

function reportsFor(program: ts.Program | undefined, file: string): { message: string; loc: unknown }[] {
  const reports: { message: string; loc: unknown }[] = [];
  rule.create({
    sourceCode: { parserServices: { program } },
    physicalFilename: file,
    report: (r: { message: string; loc: unknown }) => reports.push(r),
  });
  return reports;
}

// One program for every case: each new program parses TypeScript's lib files again (~1.5 s); the default
// options name ES2022's lib only, not the DOM's, which is most of that parse and nothing these cases need.
const program = programOf({
  '/p/a.ts': "export function greet(name: string): string {\n  return 'hi ' + name;\n}\n",
  '/p/b.ts': "import { greet } from './a';\nexport const n: number = greet('x');\nexport const m = greet(1);\n",
  '/p/c.ts': 'export const x = (1;\nexport function f(a) { return a; }\n',
});

describe('tsc/diagnostics (the type check inside npm run check)', () => {
  it("reports the compiler's errors where tsc puts them, those another file's types cause included", () => {
    expect(reportsFor(program, '/p/a.ts')).toEqual([]);
    const reports = reportsFor(program, '/p/b.ts');
    expect(reports.map((r) => r.message)).toEqual([
      "TS2322: Type 'string' is not assignable to type 'number'.",
      "TS2345: Argument of type 'number' is not assignable to parameter of type 'string'.",
    ]);
    expect(reports[0]!.loc).toEqual({ start: { line: 2, column: 13 }, end: { line: 2, column: 14 } });
  });

  it('reports syntax errors, and strict-mode errors as the tsconfig asks', () => {
    const messages = reportsFor(program, '/p/c.ts').map((r) => r.message);
    expect(messages).toContain("TS1005: ')' expected.");
    expect(messages.some((m) => m.startsWith("TS7006: Parameter 'a' implicitly has an 'any' type."))).toBe(true);
  });

  it('reports nothing for a file typescript-eslint gave no program (JavaScript)', () => {
    expect(reportsFor(undefined, '/p/d.js')).toEqual([]);
  });
});

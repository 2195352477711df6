/**
 * Entry point loaded by VS Code's extension host (`extensionTestsPath`): runs the mocha suites
 * inside the real editor and writes a plain result file the launcher prints and checks.
 */
import fs from 'node:fs';
import Mocha from 'mocha';

export function run(): Promise<void> {
  // MIGRATIONS_TEST_GREP runs only the tests whose full title matches (e.g. "Verify").
  const grep = process.env.MIGRATIONS_TEST_GREP;
  const mocha = new Mocha({ ui: 'bdd', timeout: 60_000, color: false, ...(grep ? { grep } : {}) });
  mocha.suite.emit('pre-require', globalThis, 'vscode-tests', mocha);
  // The launcher picks the suite that fits the workspace it opened.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  if (process.env.MIGRATIONS_TEST_SUITE === 'monorepo') require('./monorepo.test');
  else if (process.env.MIGRATIONS_TEST_SUITE === 'untrusted') {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require('./untrusted.test');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require('./verifyUntrusted.test');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require('./driftUntrusted.test');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require('./graphUntrusted.test');
  } else {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require('./extension.test');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require('./badInput.test');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require('./postgres.test');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require('./run.test');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require('./graph.test');
    // Last: it adds a second project to the workspace while it runs.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require('./verify.test');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require('./drift.test');
  }
  const lines: string[] = [];
  const resultsFile = process.env.MIGRATIONS_TEST_RESULTS;
  return new Promise((resolve, reject) => {
    const runner = mocha.run((failures) => {
      lines.push(`${runner.stats?.passes ?? 0} passed, ${failures} failed`);
      if (resultsFile) fs.writeFileSync(resultsFile, lines.join('\n') + '\n');
      if (failures) reject(new Error(`${failures} test(s) failed`));
      else resolve();
    });
    runner.on('pass', (t) => lines.push(`  ✔ ${t.fullTitle()}`));
    runner.on('fail', (t, err: Error) => lines.push(`  ✖ ${t.fullTitle()}\n      ${String(err.stack ?? err.message).split('\n').slice(0, 14).join('\n      ')}`));
  });
}

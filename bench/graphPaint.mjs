/* global document, requestAnimationFrame, performance, KeyboardEvent, window, PerformanceObserver */
// The revision graph's webview on a generated project of N revisions in a real VS Code
// (code-server + Chromium): "Migrations: Open Graph" to the first row on screen, then scrolling
// and zooming through it. Part of `npm run bench` (BENCH_PARTS=graph).
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { provision } from '../scripts/vscode/provision.mjs';
import { makeRunDir, openDevWindow, openPalette } from '../scripts/vscode/codeServer.mjs';
import { generateProject } from './generate.mjs';
import { findLog } from './vscode.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function measureGraphPaint(count) {
  const workspace = generateProject(path.join(repo, 'bench', '.work', `graph-${count}`), count);
  const run = makeRunDir('bench-graph');
  provision();
  const { server, browser, page } = await openDevWindow({ run, workspace, repo });
  try {
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    // A user opens the graph in a window that has started: the project and its database read, and
    // VS Code's own start-up (other extensions, language servers) given a few seconds to finish.
    for (const end = Date.now() + 120_000; !/ is at .*pending/.test(findLog(run));) {
      if (Date.now() > end) throw new Error('the extension did not read the project and its database within 120 s');
      await new Promise((r) => setTimeout(r, 200));
    }
    await new Promise((r) => setTimeout(r, 3000));
    await openPalette(page, 'Migrations: Open Graph');
    if (process.env.GRAPH_DEBUG) await page.evaluate(() => { window.__lt = []; new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__lt.push([Math.round(performance.timeOrigin + e.startTime), Math.round(e.duration), e.attribution?.[0]?.containerSrc?.slice(0, 60) ?? '', e.name]); }).observe({ type: 'longtask' }); });
    const load = os.loadavg()[0];
    const t = Date.now();
    await page.keyboard.press('Enter');
    const graph = page.frameLocator('iframe.webview:not([src*="purpose=webviewView"])').frameLocator('#active-frame');
    // The page stamps when its first frame with rows, and the whole graph's, were drawn.
    const firstStamp = graph.locator(count > 150 ? '.scroller[data-painted-first]' : '.scroller[data-painted-whole]');
    await firstStamp.waitFor({ timeout: 60_000 });
    const commandToRow = Number(await firstStamp.getAttribute(count > 150 ? 'data-painted-first' : 'data-painted-whole')) - t;
    const wholeStamp = graph.locator('.scroller[data-painted-whole]');
    await wholeStamp.waitFor({ timeout: 60_000 });
    const commandToAll = Number(await wholeStamp.getAttribute('data-painted-whole')) - t;
    let log = '';
    for (const end = Date.now() + 10_000; !new RegExp(`${count} revisions painted`).test(log) && Date.now() < end; await new Promise((r) => setTimeout(r, 100))) log = findLog(run);
    const laid = /Graph: \d+ revisions laid out in (\d+) ms \((\d+) KB[^)]*\), sent to the panel/.exec(log);
    const [sent, kb] = [Number(laid?.[1]), Number(laid?.[2])];
    const ready = Number(/Graph: page ready (\d+) ms after the panel was made/.exec(log)?.[1]);
    const painted = Number(new RegExp(`Graph: ${count} revisions painted (\\d+) ms after the data arrived \\(panel\\)`).exec(log)?.[1]);
    // Scrolling and zooming: each step's time until the next frame is drawn.
    const frame = page.frames().find((f) => f.url().includes('fake.html') && !f.parentFrame()?.url().includes('purpose=webviewView'));
    const steps = await frame.evaluate(async () => {
      const scroller = document.querySelector('.scroller');
      const next = () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
      const times = [];
      for (let i = 0; i < 40; i++) {
        const t0 = performance.now();
        scroller.scrollTop += scroller.clientHeight * 5;
        await next();
        times.push(performance.now() - t0);
      }
      const t0 = performance.now();
      scroller.scrollTop = scroller.scrollHeight;
      await next();
      const toEnd = performance.now() - t0;
      const last = document.querySelector('.row:last-child')?.dataset.index;
      const zooms = [];
      for (const key of ['=', '=', '-', '-', '-']) {
        const z0 = performance.now();
        scroller.dispatchEvent(new KeyboardEvent('keydown', { key, ctrlKey: true, bubbles: true }));
        await next();
        zooms.push(performance.now() - z0);
      }
      return { times, toEnd, last: Number(last), zooms };
    });
    if (process.env.GRAPH_DEBUG) console.log('long tasks (ms after Enter, duration):', JSON.stringify((await page.evaluate(() => window.__lt)).map(([at, d, src, n]) => [at - t, d, src, n])));
    // GRAPH_DEBUG=1: the extension's log tail, to see where a slow launch spent its time.
    if (process.env.GRAPH_DEBUG) console.log(findLog(run).split('\n').filter((l) => l.length < 300).slice(-25).join('\n'), '\nEnter at', new Date(t).toISOString());
    if (steps.last !== count - 1) throw new Error(`scrolled to the end, the last row drawn is ${steps.last}, not ${count - 1}`);
    return { count, load, commandToRow, commandToAll, ready, sent, kb, painted, scroll: median(steps.times), scrollMax: Math.max(...steps.times), toEnd: steps.toEnd, zoom: median(steps.zooms) };
  } finally {
    await browser.close().catch(() => undefined);
    server.stop();
  }
}

/** `runs` launches of the same project: the launch with the median first paint, and the range. */
export async function measureGraphPaintRuns(count, runs = Number(process.env.BENCH_GRAPH_RUNS ?? 3)) {
  const all = [];
  for (let i = 0; i < runs; i++) all.push(await measureGraphPaint(count));
  all.sort((a, b) => a.commandToRow - b.commandToRow);
  return { ...all[Math.floor(all.length / 2)], runs, firstMin: all[0].commandToRow, firstMax: all[all.length - 1].commandToRow };
}

export const graphPaintTable = (rows) => [
  `Measured ${new Date().toISOString().slice(0, 10)} in code-server 4.139.1 (VS Code 1.139.1) driven by headless Chromium, same machine; ${rows[0]?.runs ?? 3} launches per size, the launch with the median first paint shown (the range of first paints in brackets). Each launch: the project and its database read, then 3 s for VS Code's own start-up to finish, then "Migrations: Open Graph". The load average (of ${os.cpus().length} cores, other work included) when the command ran says how busy the machine was. "Open Graph to first row": from pressing Enter on the command to the frame that shows the first rows (the page stamps it; the first screen comes inside the page, so it paints as soon as its script runs); "to the whole graph": to the frame that shows the whole graph (sent once the page asks); "page ready": of that, VS Code's making of the webview until our page's script runs (the same for any webview); "laid out": the extension's side of the whole graph (layout, state, JSON), done while VS Code makes the page; "painted": in the page, from the whole graph's arrival to its first frame drawn. Scroll: 40 jumps of five screens each, the time until two frames later (33 ms = drawn in the next frame; median / worst); zoom: Ctrl+= / Ctrl+-, to the next frame.`,
  '',
  '| revisions | load average | Open Graph to first row | to the whole graph | page ready | laid out | data | painted | scroll step, median / worst | jump to the end | zoom step |',
  '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ...rows.map((r) => `| ${r.count.toLocaleString('en')} | ${r.load.toFixed(1)} | ${r.commandToRow} ms (${r.firstMin}–${r.firstMax}) | ${r.commandToAll} ms | ${r.ready} ms | ${r.sent} ms | ${r.kb} KB | ${r.painted} ms | ${r.scroll.toFixed(0)} / ${r.scrollMax.toFixed(0)} ms | ${r.toEnd.toFixed(0)} ms | ${r.zoom.toFixed(0)} ms |`),
].join('\n');

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const rows = [];
  for (const n of (process.env.BENCH_SIZES ?? '1000,10000').split(',').map(Number)) { const r = await measureGraphPaintRuns(n); console.log(r); rows.push(r); }
  console.log(graphPaintTable(rows));
}

/**
 * The upgrade order (oldest first) of a project's revisions, as the Testing view lists and runs
 * them, kept per read of the files. Walking it takes about 0.2 s at 10,000 revisions: it can be
 * walked in steps, and is carried over to a new read whose graph is the same.
 */
import { performance } from 'node:perf_hooks';
import { walkRevisions } from '../../engine/graph/iterate';
import { Script } from '../../engine/scripts/script';
import type { ScriptDirectory } from '../../engine/scripts/scriptDirectory';

export interface Order { list: Script[]; index: Map<string, number> }

const orderOf = (list: Script[]): Order => ({ list, index: new Map(list.map((s, i) => [s.revision, i])) });
export const pause = () => new Promise((resolve) => setImmediate(resolve));

export class RevisionOrder {
  private readonly orders = new WeakMap<ScriptDirectory, Order>();

  /** Only if already known. */
  known(dir: ScriptDirectory): Order | undefined { return this.orders.get(dir); }

  of(dir: ScriptDirectory): Order {
    let o = this.orders.get(dir);
    if (!o) {
      let list: Script[];
      try { list = [...walkRevisions(dir.map)].reverse(); } catch { list = [...dir.scripts]; }
      this.orders.set(dir, o = orderOf(list));
    }
    return o;
  }

  /** The same, pausing every 30 ms. */
  async ofCooperatively(dir: ScriptDirectory): Promise<Order> {
    if (this.orders.has(dir)) return this.orders.get(dir)!;
    let list: Script[] = [];
    try {
      let since = performance.now();
      for (const s of walkRevisions(dir.map)) {
        list.push(s);
        if (performance.now() - since > 30) { await pause(); since = performance.now(); }
      }
      list.reverse();
    } catch { list = [...dir.scripts]; }
    if (!this.orders.has(dir)) this.orders.set(dir, orderOf(list));
    return this.orders.get(dir)!;
  }

  /** Gives `dir` the order of `previous` if no file came, went, moved or changed its place in the graph (a saved edit of a body). */
  carry(previous: ScriptDirectory, dir: ScriptDirectory): void {
    const old = this.orders.get(previous);
    if (!old || this.orders.has(dir) || dir.scripts.length !== old.list.length) return;
    const list: Script[] = [];
    for (const o of old.list) {
      const s = dir.map.map.get(o.revision); // also keyed by branch labels
      if (s?.revision !== o.revision || s.path !== o.path || String(s.info.downRevision) !== String(o.info.downRevision)
        || s.info.dependsOn.join() !== o.info.dependsOn.join()) return;
      list.push(s);
    }
    this.orders.set(dir, orderOf(list));
  }
}

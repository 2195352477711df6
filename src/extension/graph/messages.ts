/**
 * The messages between the graph webview and the extension. A webview is a web page: whatever it
 * sends is checked here (its type, its shape, that the revisions it names exist) before anything
 * acts on it. Pure: no vscode, so that it can be tested alone.
 */

/** What the webview may ask. */
export type GraphRequest =
  /** `at`: when the page's script started (epoch ms), to tell VS Code's page set-up from message delay. */
  | { type: 'ready'; at?: number }
  | { type: 'open'; revision: string }
  | { type: 'hover'; revision: string }
  | { type: 'merge'; revisions: string[]; message?: string }
  | { type: 'fixParent'; revision: string }
  | { type: 'selectProject'; root: string }
  | { type: 'painted'; rows: number; ms: number };

export interface Known { revision(id: string): boolean; root(root: string): boolean }

const FIELDS: Record<GraphRequest['type'], readonly string[]> = {
  ready: ['at'], open: ['revision'], hover: ['revision'], merge: ['revisions', 'message'], fixParent: ['revision'],
  selectProject: ['root'], painted: ['rows', 'ms'],
};
const MAX_TEXT = 500;

const isText = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= MAX_TEXT;

/** The request, or why it is ignored (to log: never acted on). */
export function parseRequest(raw: unknown, known: Known): GraphRequest | { ignored: string } {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { ignored: `not an object (${raw === null ? 'null' : Array.isArray(raw) ? 'array' : typeof raw})` };
  const m = raw as Record<string, unknown>;
  const type = m.type;
  if (typeof type !== 'string' || !Object.prototype.hasOwnProperty.call(FIELDS, type)) return { ignored: `unknown type ${JSON.stringify(type)?.slice(0, 40)}` };
  const extra = Object.keys(m).filter((k) => k !== 'type' && !FIELDS[type as GraphRequest['type']].includes(k));
  if (extra.length) return { ignored: `${type}: unexpected field(s) ${extra.slice(0, 5).join(', ')}` };
  const revision = (v: unknown): string | { ignored: string } => {
    if (!isText(v)) return { ignored: `${type}: the revision is not a string` };
    return known.revision(v) ? v : { ignored: `${type}: no revision ${v.slice(0, 40)} in the project shown` };
  };
  switch (type) {
    case 'ready':
      if (m.at === undefined) return { type };
      return Number.isFinite(m.at) ? { type, at: m.at as number } : { ignored: 'ready: at is not a number' };
    case 'open': case 'hover': case 'fixParent': {
      const r = revision(m.revision);
      return typeof r === 'string' ? { type, revision: r } : r;
    }
    case 'merge': {
      if (!Array.isArray(m.revisions) || m.revisions.length < 2 || m.revisions.length > 64) return { ignored: 'merge: revisions is not a list of 2 to 64 revisions' };
      const revisions: string[] = [];
      for (const v of m.revisions) {
        const r = revision(v);
        if (typeof r !== 'string') return r;
        revisions.push(r);
      }
      if (new Set(revisions).size !== revisions.length) return { ignored: 'merge: a revision is listed twice' };
      if (m.message !== undefined && !isText(m.message)) return { ignored: 'merge: the message is not a string' };
      return { type, revisions, ...(m.message !== undefined ? { message: m.message as string } : {}) };
    }
    case 'selectProject':
      return isText(m.root) && known.root(m.root) ? { type, root: m.root } : { ignored: 'selectProject: not a project of this workspace' };
    case 'painted':
      return Number.isFinite(m.rows) && Number.isFinite(m.ms) ? { type, rows: m.rows as number, ms: m.ms as number } : { ignored: 'painted: rows and ms are not numbers' };
  }
  return { ignored: `unknown type ${type}` };
}

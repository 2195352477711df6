/**
 * Texts the extension shows and never saves (a revision's SQL, the history) as read-only documents
 * of its own scheme. Closing one asks nothing (an untitled document with content counts as unsaved
 * and asks), and each showing has an address of its own: an untitled document closed and another
 * opened at once can get the same name, and the extension host then still holds the closed one
 * and hands back its old text.
 */
import * as vscode from 'vscode';

export const SHOWN_SCHEME = 'alembic-migrations-shown';
/** Texts kept for reopening (Reopen Closed Editor, Go Back); older ones show empty. */
const KEPT = 50;

const texts = new Map<string, string>();
let shown = 0;

export function registerShownDocuments(): vscode.Disposable {
  return vscode.workspace.registerTextDocumentContentProvider(SHOWN_SCHEME, { provideTextDocumentContent: (uri) => texts.get(uri.toString()) ?? '' });
}

/** Opens `text` read-only in a preview editor titled `name` (with its extension, e.g. `abc upgrade.sql`). */
export async function showText(name: string, text: string, language: string): Promise<vscode.TextDocument> {
  const uri = vscode.Uri.from({ scheme: SHOWN_SCHEME, path: `/${name}`, query: String(++shown) });
  texts.set(uri.toString(), text);
  if (texts.size > KEPT) texts.delete(texts.keys().next().value!);
  let doc = await vscode.workspace.openTextDocument(uri);
  if (doc.languageId !== language) doc = await vscode.languages.setTextDocumentLanguage(doc, language);
  await vscode.window.showTextDocument(doc, { preview: true });
  return doc;
}

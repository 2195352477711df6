/** A verify result in the words the Test Explorer shows: one message per failed check, at its line. */
import * as vscode from 'vscode';
import { maskUrlText } from '../../engine/config/url';
import type { CheckFailure, RevisionResult } from '../../engine/verify/types';

/** The failure's sentence, each schema difference on its own line, and the statement that failed, if any. */
export function failureText(f: CheckFailure): string {
  const lines = [f.message];
  // The sentence names the first difference ("... (and 2 more)"): the list is for when there are more.
  if ((f.differences?.length ?? 0) > 1) for (const d of f.differences!) lines.push(`  • ${d}`);
  if (f.statement) lines.push('', `Statement: ${f.statement.trim()}`);
  return maskUrlText(lines.join('\n'));
}

/** The line a failure points at: the statement's when a step failed, else the revision's `def downgrade` (1-based). */
export const failureLine = (r: RevisionResult, f: CheckFailure): number => f.line ?? r.downgradeLine ?? 1;

export function failureMessages(r: RevisionResult): vscode.TestMessage[] {
  return r.failures.map((f) => {
    const m = new vscode.TestMessage(failureText(f));
    m.location = new vscode.Location(vscode.Uri.file(r.file), new vscode.Position(failureLine(r, f) - 1, 0));
    return m;
  });
}

/** Output lines for the run's terminal (CRLF, as TestRun.appendOutput wants). */
export const outputLine = (text: string): string => `${maskUrlText(text).replace(/\r?\n/g, '\r\n')}\r\n`;

/**
 * The "Drift" row of a project in the Migrations view and its children, one per difference
 * between the live database and what the migrations build. Shown once a check has run.
 */
import * as vscode from 'vscode';
import type { SchemaDifference } from '../../engine/schema/diff';
import type { DriftResult } from './driftChecks';

const KIND_ICONS: Record<SchemaDifference['kind'], vscode.ThemeIcon> = {
  extra: new vscode.ThemeIcon('diff-added', new vscode.ThemeColor('gitDecoration.addedResourceForeground')),
  missing: new vscode.ThemeIcon('diff-removed', new vscode.ThemeColor('gitDecoration.deletedResourceForeground')),
  changed: new vscode.ThemeIcon('diff-modified', new vscode.ThemeColor('gitDecoration.modifiedResourceForeground')),
};
const KIND_TEXT: Record<SchemaDifference['kind'], string> = {
  extra: 'in the database, not in the migrations',
  missing: 'in the migrations, not in the database',
  changed: 'different in the database',
};

const time = (d: Date) => d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });

/** The row itself: its label, icon and tooltip say the state; it expands when there are differences. */
export function driftItem(result: DriftResult, checking: boolean): vscode.TreeItem {
  const item = new vscode.TreeItem('Drift');
  item.contextValue = 'drift';
  if (result.status === 'checking') {
    item.description = 'checking...';
    item.iconPath = new vscode.ThemeIcon('sync~spin');
    item.tooltip = 'Comparing the database with the schema its migrations build...';
    return item;
  }
  if (result.status === 'error') {
    item.description = `not checked: ${result.message}`;
    item.iconPath = new vscode.ThemeIcon('circle-slash');
    item.tooltip = `${result.message}${result.hint ? `\n\n${result.hint}` : ''}\n\nChecked at ${time(result.at)}.`;
    return item;
  }
  const n = result.report.differences.length;
  item.contextValue = result.status === 'drift' ? 'drift.found' : 'drift.none';
  item.description = `${result.status === 'clean' ? 'none' : `${n} difference${n === 1 ? '' : 's'}`}${checking ? ' (checking again...)' : ''} · ${time(result.at)}`;
  item.iconPath = result.status === 'clean' ? new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed'))
    : new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground'));
  if (result.status === 'drift') item.collapsibleState = vscode.TreeItemCollapsibleState.Expanded;
  const md = new vscode.MarkdownString();
  md.appendMarkdown(result.status === 'clean'
    ? `**No drift**: the database matches what the migrations build at \`${result.heads.join(', ') || 'base'}\`.\n\n`
    : `**${n} difference${n === 1 ? '' : 's'}** between the database and what the migrations build at \`${result.heads.join(', ') || 'base'}\`: someone changed the database outside the migrations, or a migration did not do what it says.\n\n`);
  for (const note of result.report.notes) md.appendText(`${note}\n\n`);
  if (result.report.ignored.length) md.appendText(`Left out: ${result.report.ignored.join(', ')}\n\n`);
  md.appendText(`Checked at ${time(result.at)} (${result.report.database}).`);
  item.tooltip = md;
  return item;
}

/** One difference: the object as the label, what is wrong as the description. */
export function differenceItem(d: SchemaDifference): vscode.TreeItem {
  const item = new vscode.TreeItem(d.object);
  const rest = d.message.startsWith(d.object) ? d.message.slice(d.object.length).replace(/^[\s:]+/, '') : d.message;
  item.description = rest;
  item.iconPath = KIND_ICONS[d.kind];
  item.tooltip = `${d.message}\n\n(${KIND_TEXT[d.kind]})`;
  item.contextValue = 'driftDifference';
  return item;
}

/**
 * Where the CLI writes. Like Alembic's `util.msg`, messages (e.g. "FAILED: ...") are wrapped to
 * the terminal width with a two-space indent when stdout is a terminal, and printed as-is otherwise.
 */
// Command output is gathered and written at once: `history` on 10,000 revisions is 10,000 lines.
const pending: string[] = [];

export function writeOut(text: string): void {
  pending.push(text);
}

export function flush(): void {
  if (pending.length) process.stdout.write(pending.splice(0).join(''));
}

export function msg(text: string): void {
  flush();
  const width = process.stdout.isTTY ? process.stdout.columns : undefined;
  if (!width) { process.stdout.write(`${text}\n`); return; }
  process.stdout.write(wrap(text, width, '  ').join('\n') + '\n');
}

/** A greedy word wrap in the manner of Python's textwrap.wrap (whitespace collapsed to single spaces). */
export function wrap(text: string, width: number, indent: string): string[] {
  const words = text.replace(/\s+/g, ' ').trim().split(' ');
  const lines: string[] = [];
  let line = indent;
  for (let word of words) {
    while (indent.length + word.length > width) {
      // A word longer than a line is broken, as textwrap does with break_long_words.
      const room = width - line.length - (line.length > indent.length ? 1 : 0);
      if (room > 0) {
        line += (line.length > indent.length ? ' ' : '') + word.slice(0, room);
        word = word.slice(room);
      }
      lines.push(line);
      line = indent;
    }
    if (line.length > indent.length && line.length + 1 + word.length > width) { lines.push(line); line = indent; }
    line += (line.length > indent.length ? ' ' : '') + word;
  }
  if (line.length > indent.length || lines.length === 0) lines.push(line);
  return lines;
}

export function warn(text: string): void {
  process.stderr.write(`UserWarning: ${text}\n`);
}

export function hint(text: string): void {
  process.stderr.write(`  hint: ${text}\n`);
}

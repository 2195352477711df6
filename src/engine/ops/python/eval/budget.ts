/**
 * The step budget of the evaluator (interpreter.ts): every statement and expression is a step, large
 * values and errors cost more, and an evaluation past the budget stops with BudgetExceeded, so that
 * no loop in a migration file can hang the editor or the CLI.
 */
import type { SyntaxNode } from '@lezer/common';
import { line, snippet } from './tree';
import { BudgetExceeded } from './errors';
import { Unit, work } from './runtime';

/** Steps (expressions and statements evaluated) one evaluation may take before it is stopped. */
export const DEFAULT_BUDGET = 2_000_000;
/** Items an operator or a built-in may copy or compare for one step of the budget (runtime.ts `work`). */
const ITEMS_PER_STEP = 10;
/** Steps an error raised and caught costs (a JavaScript Error and its stack: measured 30-40 µs, where a step is about 1 µs). */
const ERROR_STEPS = 50;

export abstract class Budgeted {
  protected steps = 0;
  protected depth = 0;

  constructor(protected readonly budget = DEFAULT_BUDGET) {
    work.charge = (items, at) => {
      this.steps += Math.floor(items / ITEMS_PER_STEP);
      if (this.steps > this.budget) this.overBudget(at, `a value of ${items.toLocaleString('en')} items or characters`);
    };
  }

  protected tick(n: SyntaxNode, unit: Unit): void {
    if (++this.steps > this.budget) this.overBudget(line(unit, n), snippet(unit, n));
  }

  /** An error raised and caught (an `except`, a module statement not evaluated): building it costs far more than a step. */
  chargeError(at: number): void {
    this.steps += ERROR_STEPS;
    if (this.steps > this.budget) this.overBudget(at, 'an error raised and caught');
  }

  protected spend(steps: number, n: SyntaxNode, unit: Unit): void {
    this.steps += steps;
    if (this.steps > this.budget) this.overBudget(line(unit, n), snippet(unit, n));
  }

  protected overBudget(at: number, construct: string): never {
    throw new BudgetExceeded(at, construct, `the code runs too long to be evaluated (more than ${this.budget.toLocaleString('en')} steps): a loop that does not end?`);
  }
}

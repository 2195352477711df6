/** What a Python syntax node is, in words, for the message that says why the engine cannot run it. */
export function describeNode(name: string): string {
  const map: Record<string, string> = {
    ForStatement: 'a loop runs in Python', WhileStatement: 'a loop runs in Python',
    IfStatement: 'a condition is decided by Python', TryStatement: 'error handling runs in Python',
    FunctionDefinition: 'a nested function', ClassDefinition: 'a class definition',
    ImportStatement: 'an import inside the function', LambdaExpression: 'a lambda is Python code',
    ArrayComprehensionExpression: 'a comprehension is computed by Python',
    DictionaryComprehensionExpression: 'a comprehension is computed by Python',
    SetComprehensionExpression: 'a comprehension is computed by Python',
    ComprehensionExpression: 'a comprehension is computed by Python',
    ConditionalExpression: 'a condition is decided by Python', RaiseStatement: 'it raises a Python exception',
    AssertStatement: 'an assertion is checked by Python', GlobalStatement: 'a global statement',
    DeleteStatement: 'a del statement', WithStatement: 'a with block', UpdateStatement: 'an augmented assignment',
    PrintStatement: 'a print statement', ScopeStatement: 'a global/nonlocal statement',
    MatchStatement: 'a match statement', AwaitExpression: 'await needs Python',
  };
  return map[name] ?? `${name.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase()} is evaluated by Python`;
}

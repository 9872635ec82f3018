export { runCli, type Runtime } from './commands';
export { parseInvocation, usageText, type Command, type Invocation } from './arguments';
export { EXIT_CODES, exitCodeFor } from './exit-codes';

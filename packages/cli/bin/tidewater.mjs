#!/usr/bin/env node
// The package is TypeScript consumed as source: register tsx's loader in this process, then
// load the CLI. One process, so exit codes and signals (Ctrl-C in `status --watch`) are the CLI's own.
import { register } from 'tsx/esm/api';

register();
await import('../src/main.ts');

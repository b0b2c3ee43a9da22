#!/usr/bin/env -S node --no-node-snapshot
// The `hookline` command. The CLI is written in TypeScript and run by Node 24's type stripping.
import '../cli/main.ts';

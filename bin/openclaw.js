#!/usr/bin/env node
// Kept for service units and scripts written against the earlier launcher name; same CLI.
import '../dist/cli/main.cjs';

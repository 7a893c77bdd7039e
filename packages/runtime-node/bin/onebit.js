#!/usr/bin/env node
// The `onebit` command. A committed launcher (not dist/cli.js itself) so that installing the workspace
// before the first build links the bin without warnings.
import "../dist/cli.js";

#!/usr/bin/env node
import { runCli } from "../src/cli/main.js";

// Node 22 is patchctl's baseline and 20.19+ is still supported (README): the AWS SDK's notice that
// its releases after January 2027 need Node 22 is not for patchctl's users on every run.
// AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED is the SDK's own switch; a user who sets it keeps their value.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

process.exitCode = await runCli(process.argv.slice(2));

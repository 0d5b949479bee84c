#!/usr/bin/env node
import { runLocalSsmCommand } from "./cli.js";

process.exitCode = await runLocalSsmCommand(process.argv.slice(2));

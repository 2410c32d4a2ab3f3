// Runs the TypeScript example (compiled to bin/index.js next to this file) as an Automation API
// inline program: `node driver.js <pulumi arguments>`, in the project's folder, for the engine
// tests' harness (`Project.driver`). It takes the arguments the harness would give the CLI
// (`up --yes --skip-preview`, `preview --json`, `refresh ...`, `destroy ...`) and answers as the
// CLI would; `preview --json` prints `{"steps": [{"op", "urn"}, ...]}`.
"use strict";
const path = require("node:path");
const { LocalWorkspace, Stack } = require("@pulumi/pulumi/automation");

const FLAGS = new Set(["--yes", "--skip-preview", "--json", "--diff", "--expect-no-changes"]);

async function main(operation, flags) {
    for (const flag of flags) {
        if (!FLAGS.has(flag)) {
            throw new Error(`driver.js: no such flag here: ${flag}`);
        }
    }
    // The example's module, loaded inside the program: its exports are the stack's outputs.
    const program = async () => ({ ...require(path.join(__dirname, "bin", "index.js")) });
    const workspace = await LocalWorkspace.create({ workDir: process.cwd(), program });
    const current = await workspace.stack();
    if (current === undefined) {
        throw new Error("driver.js: no stack selected in this project");
    }
    const stack = await Stack.select(current.name, workspace);
    const onOutput = (text) => process.stdout.write(text);
    const diff = flags.includes("--diff");
    const expectNoChanges = flags.includes("--expect-no-changes");
    switch (operation) {
        case "up":
            await stack.up({ onOutput, diff, expectNoChanges });
            return;
        case "refresh":
            await stack.refresh({ onOutput, expectNoChanges });
            return;
        case "destroy":
            await stack.destroy({ onOutput });
            return;
        case "preview": {
            const steps = [];
            const onEvent = (event) => {
                const metadata = event.resourcePreEvent?.metadata;
                if (metadata !== undefined) {
                    steps.push({ op: metadata.op, urn: metadata.urn });
                }
            };
            const json = flags.includes("--json");
            await stack.preview({ onEvent, diff, expectNoChanges, onOutput: json ? undefined : onOutput });
            if (json) {
                process.stdout.write(JSON.stringify({ steps }));
            }
            return;
        }
        default:
            throw new Error(`driver.js: no such operation here: ${operation}`);
    }
}

main(process.argv[2], process.argv.slice(3)).catch((error) => {
    process.stderr.write(`${error.stack ?? error}\n`);
    process.exit(1);
});

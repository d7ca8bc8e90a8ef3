// Starts `flowdsl lsp` (stdio) for *.flow.yaml files. Install: `npm install` in this folder,
// then copy or symlink it into ~/.vscode/extensions/ (or run it with F5 from VS Code).
"use strict";

const vscode = require("vscode");
const { LanguageClient } = require("vscode-languageclient/node");

let client;

function activate(context) {
  const [command, ...args] = vscode.workspace.getConfiguration("flowdsl").get("command") || ["flowdsl", "lsp"];
  const server = { command, args };
  client = new LanguageClient(
    "flowdsl",
    "flowdsl",
    { run: server, debug: server },
    {
      documentSelector: [{ scheme: "file", pattern: "**/*.flow.yaml" }, { scheme: "untitled", language: "yaml" }],
      synchronize: {
        fileEvents: vscode.workspace.createFileSystemWatcher("**/{flowdsl.toml,pyproject.toml,flowdsl.lock}"),
      },
    }
  );
  context.subscriptions.push({ dispose: () => client && client.stop() });
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };

// The TypeScript SDK's `add` server over stdio, for `cargo bench -p mcp-runtime --bench stdio`:
//   (cd mcp-runtime/benches/stdio && npm install)
//   BENCH_TS_SERVER="node mcp-runtime/benches/stdio/ts-add.mjs" cargo bench -p mcp-runtime --bench stdio
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { z } from "zod";

const server = new McpServer({ name: "bench", version: "0" });
server.registerTool(
  "add",
  {
    description: "Add two integers.",
    inputSchema: { a: z.number().int(), b: z.number().int() },
    outputSchema: { result: z.number().int() },
  },
  async ({ a, b }) => {
    const output = { result: a + b };
    return { content: [{ type: "text", text: JSON.stringify(output) }], structuredContent: output };
  },
);
await server.connect(new StdioServerTransport());

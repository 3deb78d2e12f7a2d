// The official TypeScript client 2.x (@modelcontextprotocol/client) against the conformance
// fixture: lists (every page), a plain tool, elicitation and sampling (server-to-client requests
// on 2025-11-25, InputRequiredResult rounds on 2026-07-28, from the same tool code), a prompt
// and a resource. Run by .ci/ts-client, once per transport and protocol version:
//
//   node ts-client.mjs stdio <fixture binary> <2026-07-28|2025-11-25>
//   node ts-client.mjs http <url> <2026-07-28|2025-11-25> [stateless]
//
// Prints one line per check and exits non-zero if any failed.
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';

const [transportKind, target, version, mode] = process.argv.slice(2);
const stateless = mode === 'stateless';
const modern = version >= '2026-07-28';

const client = new Client(
    { name: 'mcp-runtime-ts-client-check', version: '1.0.0' },
    {
        capabilities: { sampling: {}, elicitation: { form: {} } },
        versionNegotiation: modern ? { mode: { pin: version } } : { mode: 'legacy' },
    },
);
client.setRequestHandler('sampling/createMessage', async request => ({
    model: 'check-model',
    role: 'assistant',
    content: { type: 'text', text: `echo: ${request.params.messages.at(-1).content.text}` },
}));
client.setRequestHandler('elicitation/create', async () => ({
    action: 'accept',
    content: { username: 'ada', email: 'ada@example.com' },
}));

const transport =
    transportKind === 'stdio'
        ? // The SDK passes the child only a few variables by default: give it ours (the
          // page size .ci/ts-client sets).
          new StdioClientTransport({
              command: target,
              args: ['serve'],
              stderr: 'ignore',
              env: { ...process.env },
          })
        : new StreamableHTTPClientTransport(new URL(target));

let failures = 0;
async function check(name, run) {
    try {
        const detail = await run();
        console.log(`ok   ${name}${detail ? `: ${detail}` : ''}`);
    } catch (error) {
        failures += 1;
        console.log(`FAIL ${name}: ${error?.stack ?? error}`);
    }
}
function expect(condition, message) {
    if (!condition) throw new Error(message);
}
const text = result => (result.content ?? []).map(block => block.text ?? '').join('\n');

await client.connect(transport);
const label = `${transportKind}${stateless ? ' (stateless)' : ''} ${version}`;
console.log(`--- TypeScript client 2.x over ${label}`);

await check('negotiated version', async () => {
    const negotiated = client.getNegotiatedProtocolVersion?.() ?? transport.protocolVersion;
    expect(!modern || negotiated === version, `negotiated ${negotiated}, pinned ${version}`);
    return negotiated;
});

await check('tools/list (every page)', async () => {
    // `listTools()` without a cursor walks every page itself; the raw request gives the first
    // page, and `listTools({ cursor })` each next one, as the server cut them.
    const all = (await client.listTools()).tools.map(tool => tool.name);
    const names = [];
    let page = await client.request({ method: 'tools/list', params: {} });
    let pages = 1;
    names.push(...page.tools.map(tool => tool.name));
    while (page.nextCursor) {
        page = await client.listTools({ cursor: page.nextCursor });
        names.push(...page.tools.map(tool => tool.name));
        pages += 1;
    }
    for (const name of ['test_simple_text', 'test_sampling', 'test_elicitation']) {
        expect(names.includes(name), `${name} missing from ${names}`);
    }
    expect(new Set(names).size === names.length, `a tool listed twice: ${names}`);
    expect(JSON.stringify(all) === JSON.stringify(names), `aggregated ${all} vs paged ${names}`);
    // .ci/ts-client serves pages of MCP_LISTS__PAGE_SIZE tools.
    const size = Number(process.env.MCP_LISTS__PAGE_SIZE ?? 0);
    if (size > 0) {
        expect(pages === Math.ceil(names.length / size), `${pages} pages of ${size}`);
    }
    return `${names.length} tools in ${pages} page(s)`;
});

await check('tools/call test_simple_text', async () => {
    const result = await client.callTool({ name: 'test_simple_text', arguments: {} });
    expect(!result.isError && text(result).includes('simple text'), JSON.stringify(result));
});

// Stateless HTTP on 2025-11-25 has no channel for a server-to-client request: the tool says so.
const canAsk = modern || !stateless;
await check('tools/call test_elicitation', async () => {
    const result = await client.callTool({
        name: 'test_elicitation',
        arguments: { message: 'Who are you?' },
    });
    if (canAsk) {
        expect(!result.isError, JSON.stringify(result));
        expect(text(result).includes('"username":"ada"'), text(result));
    } else {
        expect(result.isError && text(result).includes('stateless'), JSON.stringify(result));
    }
    return text(result);
});

await check('tools/call test_sampling', async () => {
    const result = await client.callTool({
        name: 'test_sampling',
        arguments: { prompt: 'What is 2+2?' },
    });
    if (canAsk) {
        expect(!result.isError, JSON.stringify(result));
        expect(text(result) === 'LLM response: echo: What is 2+2?', text(result));
    } else {
        expect(result.isError && text(result).includes('stateless'), JSON.stringify(result));
    }
    return text(result);
});

await check('prompts/get test_prompt_with_arguments', async () => {
    const prompt = await client.getPrompt({
        name: 'test_prompt_with_arguments',
        arguments: { arg1: 'a', arg2: 'b' },
    });
    const said = prompt.messages.map(message => message.content.text).join(' ');
    expect(said.includes('a') && said.includes('b'), said);
});

await check('resources/read test://static-text', async () => {
    const read = await client.readResource({ uri: 'test://static-text' });
    expect(read.contents[0]?.text?.length > 0, JSON.stringify(read));
});

await client.close();
console.log(failures ? `${failures} check(s) failed over ${label}` : `all checks passed over ${label}`);
process.exit(failures ? 1 : 0);

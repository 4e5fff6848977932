// Writes src/types/registry_api.json: the methods of the Mattermost web
// client's plugin registry (webapp/channels/src/plugins/registry.ts in
// mattermost/mattermost) with their parameters, read from that file.
//
//   node scripts/registry_api.mjs <registry.ts of the pinned version> [<registry.ts of an older version>]
//
// With an older version, methods it lacks are listed as "added_between":
// present in the newer file, not proven present in the pinned server's.
// Each method is one of:
//   name = reArg(['a', 'b'], ...)   positional arguments (or one object of them)
//   name = ({a, b}: ...) => ...     one object argument
//   name() { ... }                  no arguments
import {readFileSync, writeFileSync} from 'node:fs';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';

export function parseRegistry(source) {
    const body = source.slice(source.indexOf('export default class PluginRegistry'));
    const methods = {};
    const member = /^ {4}([a-zA-Z]+)(?: = (reArg\(\[|\(\{)|\(\) \{)/gm;
    let m;
    while ((m = member.exec(body)) !== null) {
        const [, name, form] = m;
        if (name === 'constructor') {
            continue;
        }
        if (!form) {
            methods[name] = {form: 'none', params: []};
            continue;
        }
        const close = form === 'reArg([' ? ']' : '}';
        const end = body.indexOf(close, m.index + m[0].length);
        const inner = body.slice(m.index + m[0].length, end);
        const params = form === 'reArg([' ?
            [...inner.matchAll(/'([^']+)'/g)].map((x) => x[1]) :
            inner.split(',').map((x) => x.trim()).filter(Boolean);
        methods[name] = {form: form === 'reArg([' ? 'args' : 'object', params};
    }
    return methods;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
    const [pinned, older] = process.argv.slice(2);
    if (!pinned) {
        process.stderr.write('usage: node scripts/registry_api.mjs <registry.ts> [<older registry.ts>]\n');
        process.exit(2);
    }
    const methods = parseRegistry(readFileSync(pinned, 'utf8'));
    const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'types', 'registry_api.json');
    const previous = JSON.parse(readFileSync(out, 'utf8'));
    const doc = {...previous, methods};
    if (older) {
        const old = parseRegistry(readFileSync(older, 'utf8'));
        doc.added_between = Object.keys(methods).filter((name) => !old[name]).sort();
    }
    writeFileSync(out, JSON.stringify(doc, null, 2) + '\n');
    process.stdout.write(`${Object.keys(methods).length} registry methods written to ${out}\n`);
}

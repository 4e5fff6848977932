// Shared launcher: Debian's Chromium, headless, with the flags this
// machine's closed network needs. A missing browser is a loud failure.
import {existsSync} from 'node:fs';
import {chromium} from 'playwright-core';

export const executablePath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

export async function launch() {
    if (!existsSync(executablePath)) {
        throw new Error(`Chromium not found at ${executablePath}: install it with "apt-get install -y chromium" (make deps does)`);
    }
    return chromium.launch({
        executablePath,
        headless: true,
        args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
            '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
}

export function parseArgs(argv) {
    const out = {};
    for (let i = 0; i < argv.length; i++) {
        if (argv[i].startsWith('--')) {
            out[argv[i].slice(2)] = argv[i + 1];
            i++;
        }
    }
    return out;
}

// Drives the plugin's signup page like a person: opens the invitation link,
// fills the form (new account or existing sign-in), submits, and waits to
// land in the channel. Prints one JSON line: {url, title, status, cookies,
// problem}. Exit code 0 even when the page shows a problem (the Go test
// decides); non-zero only when the browser itself fails.
//
//   node signup.mjs --url LINK --mode new|existing|open --username U --password P
//                   [--first F --last L] [--screenshot FILE]
import {launch, parseArgs} from './browser.mjs';

const args = parseArgs(process.argv.slice(2));
const browser = await launch();
const result = {};
try {
    const context = await browser.newContext();
    const page = await context.newPage();
    const resp = await page.goto(args.url, {waitUntil: 'load'});
    result.status = resp.status();
    result.title = await page.title();
    const problem = await page.$('#problem');
    if (problem) {
        result.problem = (await problem.textContent()).trim();
    } else {
        result.existingFormVisible = await page.isVisible('#form-existing');
        result.newFormVisible = await page.isVisible('#form-new');
    }
    if (!problem && (args.mode === 'new' || args.mode === 'existing')) {
        if (args.mode === 'new') {
            await page.fill('#first_name', args.first || '');
            await page.fill('#last_name', args.last || '');
            await page.fill('#username', args.username);
            await page.fill('#password', args.password);
            await page.fill('#password2', args.password);
            if (args.screenshot) {
                await page.screenshot({path: args.screenshot, fullPage: true});
            }
            await page.click('#form-new button[type="submit"]');
        } else {
            await page.click('#tab-existing');
            await page.fill('#login_id', args.username);
            await page.fill('#login_password', args.password);
            await page.click('#form-existing button[type="submit"]');
        }
        try {
            await page.waitForURL((u) => u.pathname.includes('/channels/'), {timeout: 20000});
        } catch (e) {
            result.statusText = await page.textContent('#status');
        }
    }
    result.url = page.url();
    result.cookies = Object.fromEntries((await context.cookies()).map((c) => [c.name, c.value]));
    if (args.screenshot && args.mode !== 'new') {
        await page.screenshot({path: args.screenshot, fullPage: true});
    }
} finally {
    await browser.close();
}
process.stdout.write(JSON.stringify(result) + '\n');

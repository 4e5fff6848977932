// Drives the plugin's UI in the stand-in client (webapp/standin, served by the
// real server from its client folder; it loads the plugin bundle the server
// has installed, as the web client does) and uses it as an admin would,
// against the real plugin API:
//
//   1. team menu → "Invite guests": an address, a channel from the picker, sent;
//   2. the channel's members: the "Guest" badge in the guest's profile popover;
//   3. the channel header: the guests indicator and the dialog it opens;
//   4. System Console: the guest dashboard with the guest; the guest's MFA set
//      to "Required"; the automatic rules previewed and applied to one account;
//   5. "Create a guest" with its fields; the same again, refused in words;
//   6. "Make a member a guest" through the user search;
//   7. the language switched to German: dashboard, invite modal, channel header
//      and badge in German (screenshots de-*.png).
//
// Screenshots go to --out. Prints one JSON line with what it saw. Exit code 0
// when the page misbehaves (the Go test decides); non-zero only when the
// browser or a step itself fails (then the JSON has "failed" and the step).
//
//   node webapp.mjs --url http://127.0.0.1:PORT --page /static/ga-standin/standin.html
//        --login USER --password PW --team TEAM_NAME --email ADDRESS --channel CHANNEL_NAME
//        --guest-id ID --guest-username NAME --outsider NAME --new-guest NAME --member NAME --out DIR
import {mkdirSync} from 'node:fs';
import {join} from 'node:path';

import {launch, parseArgs} from './browser.mjs';

const args = parseArgs(process.argv.slice(2));
for (const k of ['url', 'page', 'login', 'password', 'team', 'email', 'channel', 'guest-id', 'guest-username', 'outsider', 'new-guest', 'member', 'out']) {
    if (!args[k]) {
        process.stderr.write(`webapp.mjs: --${k} is required\n`);
        process.exit(2);
    }
}
mkdirSync(args.out, {recursive: true});
const shot = (name) => join(args.out, name);
const T = 20000;

const result = {screenshots: {}, consoleErrors: [], pageErrors: [], httpErrors: [], pluginRequests: [], channelSearches: [], userSearches: []};
let step = 'launch';
const browser = await launch();
let failed = null;
let page = null;
const text = async (loc) => ((await loc.textContent()) || '').replace(/\s+/g, ' ').trim();
const rowTexts = (loc) => loc.evaluateAll((rows) => rows.map((r) => Array.from(r.children).map((td) => td.innerText.replace(/\s+/g, ' ').trim())));
try {
    const context = await browser.newContext({viewport: {width: 1280, height: 900}, deviceScaleFactor: 1});
    page = await context.newPage();
    page.on('console', (m) => {
        if (m.type() === 'error') {
            result.consoleErrors.push(m.text());
        }
    });
    page.on('pageerror', (e) => result.pageErrors.push(String(e)));
    page.on('requestfailed', (r) => {
        if (!r.url().includes('/api/v4/websocket')) {
            result.httpErrors.push(`${r.method()} ${r.url()}: ${r.failure()?.errorText}`);
        }
    });
    page.on('response', (r) => {
        const u = new URL(r.url());
        if (u.pathname.startsWith('/plugins/guest-accounts/')) {
            result.pluginRequests.push(`${r.request().method()} ${u.pathname} ${r.status()}`);
        }
        if (u.pathname.endsWith('/channels/search_autocomplete')) {
            result.channelSearches.push(`${r.status()} ${u.searchParams.get('name')}`);
        }
        if (u.pathname === '/api/v4/users/autocomplete') {
            result.userSearches.push(`${r.status()} ${u.searchParams.get('name')}`);
        }
        // 4xx the test provokes on purpose are checked where they happen; dev-login.json exists only under `make run`.
        const expected = (r.request().method() === 'POST' && u.pathname.endsWith('/api/v1/guests')) || u.pathname.endsWith('/dev-login.json');
        if (r.status() >= 400 && !expected) {
            result.httpErrors.push(`${r.status()} ${r.request().method()} ${u.pathname}`);
        }
    });

    // ---- sign in through the stand-in's form, as a person would
    step = 'sign in';
    const resp = await page.goto(`${args.url}${args.page}?team=${encodeURIComponent(args.team)}&channel=${encodeURIComponent(args.channel)}`, {waitUntil: 'load'});
    result.pageStatus = resp.status();
    await page.getByLabel('Email or username').fill(args.login);
    await page.getByLabel('Password').fill(args.password);
    await page.getByRole('button', {name: 'Sign in'}).click();
    await page.waitForFunction(() => window.standin && window.standin.ready, null, {timeout: T});
    // Before signing in, the page's check for a session is answered 401 (and
    // the browser logs each as an error): only what follows counts.
    result.beforeSignIn = {consoleErrors: result.consoleErrors.splice(0), httpErrors: result.httpErrors.splice(0)};
    result.cookies = (await context.cookies()).map((c) => c.name).sort();
    result.plugins = await page.evaluate(() => window.standin.plugins);
    result.channelName = await text(page.locator('#channel-header h2'));

    // ---- 1. the invite modal, opened from the registered main-menu action
    step = 'invite modal';
    await page.locator('.sx-team__button').click();
    const menuItem = page.locator('#main-menu button[role="menuitem"]', {hasText: 'Invite guests'});
    await menuItem.waitFor({timeout: T}); // registered once GET /me says can_invite
    result.mainMenuItems = await page.locator('#main-menu button[role="menuitem"]').allInnerTexts();
    await menuItem.click();
    const modal = page.locator('[role="dialog"].ga-invite-modal');
    await modal.waitFor({timeout: T});
    result.modalTitle = await text(modal.locator('h2'));
    const emailInput = modal.locator('.ga-chips__input');
    await emailInput.pressSequentially(args.email, {delay: 10});
    await emailInput.press('Enter');
    await modal.locator('[data-testid="email-chip"]', {hasText: args.email}).waitFor({timeout: T});
    await modal.locator('.ga-channel-list').waitFor({timeout: T}); // the channels listed before typing
    result.channelOptionsBefore = await modal.locator('.ga-channel-option').count();
    await modal.locator('input[type="search"]').pressSequentially(args.channel, {delay: 10});
    // The picker searches the server once typing pauses; wait for its answer.
    await modal.locator('[data-testid="channel-search-status"]').waitFor({state: 'detached', timeout: T});
    const option = modal.locator('.ga-channel-option', {hasText: args.channel});
    await option.first().waitFor({timeout: T});
    result.channelOptionsShown = await modal.locator('.ga-channel-option').count();
    await option.first().locator('input[type="checkbox"]').check();
    await modal.locator('[data-testid="channel-chip"]').first().waitFor({timeout: T});
    result.channelChips = await modal.locator('[data-testid="channel-chip"]').allInnerTexts();
    await modal.locator('textarea').fill('Welcome! This invitation was sent by the browser test.');
    await modal.locator('button[type="submit"]').click();
    const resultRow = modal.locator('[data-testid="invite-result"]');
    await resultRow.first().waitFor({timeout: 30000});
    result.invite = {
        summary: await text(modal.locator('.ga-results [role="status"]')),
        rows: await resultRow.evaluateAll((rows) => rows.map((r) => ({
            email: r.querySelector('.ga-result__email')?.textContent || '',
            status: r.querySelector('.ga-result__status')?.textContent || '',
            ok: r.classList.contains('ga-result--ok'),
        }))),
    };
    await page.screenshot({path: shot('invite-modal.png')});
    await modal.getByRole('button', {name: 'Done'}).click();
    await modal.waitFor({state: 'detached', timeout: T});

    // ---- 2. the Guest badge in the profile popover of the guest, not of the admin
    step = 'badge';
    const popover = page.locator('.sx-popover');
    await page.locator(`.sx-members button[data-user-id="${args['guest-id']}"]`).click();
    await popover.locator('[data-testid="guest-badge"]').waitFor({timeout: T});
    result.badge = {
        text: await text(popover.locator('[data-testid="guest-badge"]')),
        title: await popover.locator('[data-testid="guest-badge"]').getAttribute('title'),
    };
    await popover.screenshot({path: shot('guest-badge.png')});
    await page.locator(`.sx-members button:text-is("@${args.login}")`).click();
    await page.locator(`.sx-popover:has-text("@${args.login}")`).waitFor({timeout: T});
    await page.waitForTimeout(500); // a badge would appear after one lookup round trip
    result.badge.adminBadges = await popover.locator('[data-testid="guest-badge"]').count();
    await popover.getByRole('button', {name: 'Close'}).click();

    // ---- 3. the channel header: guests indicator of the current channel
    step = 'indicator';
    const indicator = page.locator('#channel-header [data-testid="channel-guests-indicator"].ga-channel-guests--active');
    await indicator.waitFor({timeout: T});
    result.indicator = {
        label: await indicator.getAttribute('aria-label'),
        count: await text(indicator.locator('.ga-channel-guests__count')),
        headerButtons: await page.locator('#channel-header .sx-header__buttons > button').count(),
    };
    await page.locator('#channel-header').screenshot({path: shot('channel-indicator.png')});
    await page.locator('#channel-header button:has([data-testid="channel-guests-indicator"])').click();
    const guestsDialog = page.locator('[role="dialog"]', {hasText: `@${args['guest-username']}`});
    await guestsDialog.waitFor({timeout: T});
    result.indicator.dialog = (await guestsDialog.locator('.ga-dialog__body').innerText()).trim();
    await page.keyboard.press('Escape');
    await guestsDialog.waitFor({state: 'detached', timeout: T});

    // ---- 4. System Console: the guest dashboard
    step = 'dashboard';
    await page.getByRole('button', {name: 'System Console'}).click();
    const dashboard = page.locator('#admin-console [data-testid="guest-dashboard"]');
    await dashboard.waitFor({timeout: T});
    const search = dashboard.getByLabel('Search', {exact: true});
    await search.fill(args['guest-username']);
    const guestRow = dashboard.locator('[data-testid="guest-row"]', {hasText: `@${args['guest-username']}`});
    await guestRow.waitFor({timeout: T});
    await dashboard.locator('[data-testid="invite-row"]', {hasText: args.email}).waitFor({timeout: T});
    result.dashboard = {
        title: await text(page.locator('#admin-console .sx-setting__title')),
        rows: await rowTexts(dashboard.locator('[data-testid="guest-row"]')),
        pendingInvites: await dashboard.locator('[data-testid="invite-row"]').evaluateAll((rows) => rows.map((r) => r.innerText.replace(/\s+/g, ' ').trim())),
        sections: await dashboard.locator('h3').allInnerTexts(),
    };

    step = 'dashboard: guest details';
    await guestRow.getByRole('button', {name: 'Manage'}).click();
    const details = dashboard.getByRole('group', {name: `Settings for @${args['guest-username']}`});
    await details.waitFor({timeout: T});
    const mfaSelect = details.getByLabel('Require MFA');
    result.guestDetails = {mfaBefore: await mfaSelect.inputValue()};
    const patchDone = page.waitForResponse((r) => r.request().method() === 'PATCH' && r.url().includes(`/guests/${args['guest-id']}`), {timeout: T});
    await mfaSelect.selectOption('required');
    result.guestDetails.patchStatus = (await patchDone).status();
    await page.waitForFunction((id) => {
        const el = document.getElementById(id);
        return el && el.value === 'required' && !el.disabled;
    }, await mfaSelect.getAttribute('id'), {timeout: T});
    result.guestDetails.mfaAfter = await mfaSelect.inputValue();
    result.guestDetails.mfaStatusAfter = await text(details.locator('[data-testid="mfa-status"]'));
    await search.fill('');

    step = 'dashboard: rules';
    const rules = dashboard.getByRole('region', {name: 'Automatic guest rules'});
    await rules.getByRole('button', {name: 'Preview existing accounts'}).click();
    const outsiderRow = rules.locator('[data-testid="rule-candidate"]', {hasText: `@${args.outsider}`});
    await outsiderRow.waitFor({timeout: 30000});
    result.rules = {config: (await rules.locator('[data-testid="rules-config"]').innerText()).replace(/\s+/g, ' ').trim()};
    await page.locator('#admin-console').screenshot({path: shot('dashboard.png')});
    await rules.getByRole('button', {name: 'Select none'}).click();
    await outsiderRow.getByRole('checkbox').check();
    await rules.getByRole('checkbox', {name: 'Keep their current channels'}).uncheck();
    await rules.getByRole('button', {name: 'Make 1 account a guest'}).click();
    await rules.getByRole('button', {name: 'Confirm'}).click();
    const ruleResults = rules.locator('[data-testid="rule-results"]');
    await ruleResults.waitFor({timeout: 30000});
    result.rules.summary = await text(ruleResults.getByRole('status'));
    await rules.screenshot({path: shot('rules-applied.png')});

    // ---- 5. create a guest, then the same again: refused, in words
    step = 'create guest';
    const create = dashboard.locator('[data-testid="create-guest"]');
    await create.getByRole('button', {name: 'Create a guest…'}).click();
    const newGuest = args['new-guest'];
    for (const [label, value] of [['Email *', `${newGuest}@guest.example.com`], ['Username *', newGuest], ['First name', 'Nadia'],
        ['Last name', 'Newcomer'], ['Nickname', 'Nad'], ['Position', 'Consultant'], ['Status message', 'Here for the audit']]) {
        await create.getByLabel(label, {exact: true}).fill(value);
    }
    await create.getByLabel('Make a random password and send it by email').uncheck();
    await create.getByLabel('Password', {exact: true}).fill('Guest-Passw0rd!');
    await create.getByLabel('Send a welcome email').uncheck();
    await create.locator('.ga-channel-list').waitFor({timeout: T});
    await create.locator('input[type="search"]').pressSequentially(args.channel, {delay: 10});
    await create.locator('[data-testid="channel-search-status"]').waitFor({state: 'detached', timeout: T});
    await create.locator('.ga-channel-option', {hasText: args.channel}).first().locator('input[type="checkbox"]').check();
    await create.screenshot({path: shot('create-guest.png')});
    await create.getByRole('button', {name: 'Create guest'}).click();
    await create.getByRole('status').filter({hasText: `@${newGuest}`}).waitFor({timeout: T});
    result.create = {done: await text(create.getByRole('status'))};
    await create.getByLabel('Email *', {exact: true}).fill(`${newGuest}@guest.example.com`);
    await create.getByLabel('Username *', {exact: true}).fill(newGuest);
    await create.getByLabel('Password', {exact: true}).fill('Guest-Passw0rd!');
    const consoleBefore = result.consoleErrors.length;
    await create.getByRole('button', {name: 'Create guest'}).click();
    await create.getByRole('alert').waitFor({timeout: T});
    result.create.refused = await text(create.getByRole('alert'));
    // The browser logs the refused request itself; the Go test checks it is only that.
    result.create.consoleErrors = result.consoleErrors.splice(consoleBefore);

    // ---- 6. make a member a guest, found with the user search
    step = 'demote member';
    const demote = dashboard.locator('[data-testid="demote-member"]');
    await demote.getByLabel('Find a member').pressSequentially(args.member, {delay: 10});
    const candidate = demote.getByRole('radio', {name: new RegExp(`@${args.member}\\b`)});
    await candidate.waitFor({timeout: T});
    result.demote = {candidates: await demote.locator('[data-testid="demote-candidate"]').allInnerTexts()};
    await candidate.check();
    await demote.getByRole('button', {name: `Make @${args.member} a guest`}).click();
    await demote.screenshot({path: shot('demote-member.png')});
    await demote.getByRole('button', {name: 'Confirm'}).click();
    await demote.getByRole('status').filter({hasText: `@${args.member}`}).waitFor({timeout: T});
    result.demote.done = await text(demote.getByRole('status').filter({hasText: `@${args.member}`}));

    // ---- 7. the same UI in German (the user's language, saved on the server)
    step = 'german';
    await page.getByLabel('Language').selectOption('de');
    await dashboard.locator('h3', {hasText: 'Gästeliste'}).waitFor({timeout: T});
    result.german = {sections: await dashboard.locator('h3').allInnerTexts()};
    await page.locator('#admin-console').screenshot({path: shot('de-dashboard.png')});
    await page.getByRole('button', {name: 'Channels'}).click();
    const deIndicator = page.locator('#channel-header [data-testid="channel-guests-indicator"]');
    await deIndicator.waitFor({timeout: T});
    result.german.indicator = await deIndicator.getAttribute('aria-label');
    await page.locator('#channel-header').screenshot({path: shot('de-channel-header.png')});
    await page.locator(`.sx-members button[data-user-id="${args['guest-id']}"]`).click();
    await popover.locator('[data-testid="guest-badge"]').waitFor({timeout: T});
    result.german.badge = await text(popover.locator('[data-testid="guest-badge"]'));
    await popover.screenshot({path: shot('de-guest-badge.png')});
    await page.locator('.sx-team__button').click();
    result.german.menu = await page.locator('#main-menu button[role="menuitem"]').allInnerTexts();
    await page.locator('#main-menu button[role="menuitem"]').first().click();
    await modal.waitFor({timeout: T});
    result.german.modalTitle = await text(modal.locator('h2'));
    result.german.modalLabels = await modal.locator('label.ga-label').allInnerTexts();
    await modal.locator('.ga-channel-list').waitFor({timeout: T});
    await page.screenshot({path: shot('de-invite-modal.png')});
    await page.keyboard.press('Escape');

    step = 'registry';
    result.registryCalls = await page.evaluate(() => window.standin.calls.map((c) => c.method));
    result.standinErrors = await page.evaluate(() => window.standin.errors);
    result.crashes = await page.locator('[data-sx-error]').allInnerTexts();
    result.screenshots = Object.fromEntries(['invite-modal', 'guest-badge', 'channel-indicator', 'dashboard', 'rules-applied', 'create-guest',
        'demote-member', 'de-dashboard', 'de-channel-header', 'de-guest-badge', 'de-invite-modal'].map((n) => [n, shot(`${n}.png`)]));
} catch (e) {
    failed = e;
    result.failed = `${step}: ${e && e.message ? e.message : e}`;
    if (page) {
        await page.screenshot({path: shot('webapp-failure.png'), fullPage: true}).catch(() => undefined);
        result.screenshots.failure = shot('webapp-failure.png');
    }
} finally {
    await browser.close();
}
process.stdout.write(JSON.stringify(result) + '\n');
if (failed) {
    process.stderr.write(`webapp.mjs failed at "${step}": ${failed.stack || failed}\n`);
    process.exit(1);
}

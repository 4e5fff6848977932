// Drives the plugin's webapp bundle in the harness page (e2e/harness/, served
// by the real server from its client folder so it is same-origin with the
// API): logs in through the page, then uses what the bundle registered as a
// person would in the client, against the real plugin API:
//
//   1. main menu → "Invite guests": types an address, picks a channel in the
//      picker, sends, waits for the per-address result;
//   2. profile popovers of a guest and of a member: the "Guest" badge;
//   3. channel header of a channel with guests: the guests indicator (and the
//      dialog it opens);
//   4. System Console custom setting: the guest dashboard listing the guest;
//      the guest's details opened, MFA set to "Required" through the select;
//      the automatic guest rules previewed (the --outsider account listed),
//      then applied to that account alone without its channels.
//
// Screenshots go to --out. Prints one JSON line with what it saw. Exit code 0
// when the page misbehaves (the Go test decides); non-zero only when the
// browser or a step itself fails (then the JSON has "failed" and the step).
//
//   node webapp.mjs --url http://127.0.0.1:PORT --harness /static/ga-harness/harness.html
//        --login USER --password PW --email ADDRESS --channel CHANNEL_NAME
//        --channel-id ID --guest-id ID --guest-username NAME --outsider NAME --out DIR
import {mkdirSync} from 'node:fs';
import {join} from 'node:path';

import {launch, parseArgs} from './browser.mjs';

const args = parseArgs(process.argv.slice(2));
for (const k of ['url', 'harness', 'login', 'password', 'email', 'channel', 'channel-id', 'guest-id', 'guest-username', 'outsider', 'out']) {
    if (!args[k]) {
        process.stderr.write(`webapp.mjs: --${k} is required\n`);
        process.exit(2);
    }
}
mkdirSync(args.out, {recursive: true});
const shot = (name) => join(args.out, name);
const T = 20000;

const result = {screenshots: {}, consoleErrors: [], pageErrors: [], httpErrors: [], pluginRequests: [], channelSearches: []};
let step = 'launch';
const browser = await launch();
let failed = null;
let page = null;
try {
    const context = await browser.newContext({viewport: {width: 1280, height: 900}, deviceScaleFactor: 1});
    page = await context.newPage();
    page.on('console', (m) => {
        if (m.type() === 'error') {
            result.consoleErrors.push(m.text());
        }
    });
    page.on('pageerror', (e) => result.pageErrors.push(String(e)));
    page.on('requestfailed', (r) => result.httpErrors.push(`${r.method()} ${r.url()}: ${r.failure()?.errorText}`));
    page.on('response', (r) => {
        const u = new URL(r.url());
        if (u.pathname.startsWith('/plugins/guest-accounts/')) {
            result.pluginRequests.push(`${r.request().method()} ${u.pathname} ${r.status()}`);
        }
        if (u.pathname.endsWith('/channels/search_autocomplete')) {
            result.channelSearches.push(`${r.status()} ${u.searchParams.get('name')}`);
        }
        if (r.status() >= 400) {
            result.httpErrors.push(`${r.status()} ${r.request().method()} ${u.pathname}`);
        }
    });

    // ---- log in through the page (same origin): the server sets the cookies
    step = 'login';
    await page.goto(`${args.url}/api/v4/system/ping`);
    result.login = await page.evaluate(async ({login, password}) => {
        const res = await fetch('/api/v4/users/login', {
            method: 'POST',
            headers: {'Content-Type': 'application/json', 'X-Requested-With': 'XMLHttpRequest'},
            body: JSON.stringify({login_id: login, password}),
        });
        const body = await res.json().catch(() => ({}));
        return {status: res.status, userId: body.id || '', csrfCookie: document.cookie.includes('MMCSRF=')};
    }, {login: args.login, password: args.password});
    if (result.login.status !== 200) {
        throw new Error(`login answered ${result.login.status}`);
    }
    result.cookies = (await context.cookies()).map((c) => c.name).sort();

    // ---- the harness page loads React, ReactDOM and the bundle
    step = 'harness';
    const resp = await page.goto(args.url + args.harness, {waitUntil: 'load'});
    result.harnessStatus = resp.status();
    await page.waitForFunction(() => window.harness && (window.harness.initialized || window.harness.error), null, {timeout: T});
    const harnessError = await page.evaluate(() => window.harness.error);
    if (harnessError) {
        throw new Error(`the harness could not initialise the plugin: ${harnessError}`);
    }
    await page.evaluate((id) => window.harness.setCurrentUser(id, 'en'), result.login.userId);
    result.pluginId = await page.evaluate(() => window.harness.pluginId);

    // ---- 1. the invite modal, opened from the registered main-menu action
    step = 'invite modal';
    const menuItem = page.locator('#main-menu button[role="menuitem"]', {hasText: 'Invite guests'});
    await menuItem.waitFor({timeout: T}); // registered once GET /me says can_invite
    await menuItem.click();
    const modal = page.locator('[role="dialog"].ga-invite-modal');
    await modal.waitFor({timeout: T});
    result.modalTitle = (await modal.locator('h2').textContent()).trim();
    const emailInput = modal.locator('.ga-chips__input');
    await emailInput.pressSequentially(args.email, {delay: 10});
    await emailInput.press('Enter');
    await modal.locator('[data-testid="email-chip"]', {hasText: args.email}).waitFor({timeout: T});
    result.emailChips = await modal.locator('[data-testid="email-chip"]').allInnerTexts();
    await modal.locator('.ga-channel-list').waitFor({timeout: T}); // the channels listed before typing
    result.channelOptionsBefore = await modal.locator('.ga-channel-option').count();
    const channelSearch = modal.locator('input[type="search"]');
    await channelSearch.pressSequentially(args.channel, {delay: 10});
    // The picker searches the server once typing pauses; wait for its answer.
    await modal.locator('[data-testid="channel-search-status"]').waitFor({state: 'detached', timeout: T});
    const option = modal.locator('.ga-channel-option', {hasText: args.channel});
    await option.first().waitFor({timeout: T});
    result.channelOptionsShown = await modal.locator('.ga-channel-option').count();
    await option.first().locator('input[type="checkbox"]').check();
    await modal.locator('[data-testid="channel-chip"]').first().waitFor({timeout: T});
    result.channelChips = await modal.locator('[data-testid="channel-chip"]').allInnerTexts();
    await modal.locator('textarea').fill('Welcome! This invitation was sent by the browser test.');
    await page.screenshot({path: shot('invite-modal-form.png')});
    result.screenshots.inviteForm = shot('invite-modal-form.png');
    await modal.locator('button[type="submit"]').click();
    const resultRow = modal.locator('[data-testid="invite-result"]');
    await resultRow.first().waitFor({timeout: 30000});
    result.invite = {
        summary: (await modal.locator('.ga-results [role="status"]').textContent()).trim(),
        rows: await resultRow.evaluateAll((rows) => rows.map((r) => ({
            email: r.querySelector('.ga-result__email')?.textContent || '',
            status: r.querySelector('.ga-result__status')?.textContent || '',
            message: r.querySelector('.ga-result__message')?.textContent || '',
            ok: r.classList.contains('ga-result--ok'),
        }))),
    };
    await page.screenshot({path: shot('invite-modal.png')});
    result.screenshots.invite = shot('invite-modal.png');
    await modal.getByRole('button', {name: 'Done'}).click();
    await modal.waitFor({state: 'detached', timeout: T});

    // ---- 2. the Guest badge in the profile popover (guest and a member)
    step = 'badge';
    const users = await page.evaluate(async (ids) => {
        const csrf = (document.cookie.match(/(?:^|;\s*)MMCSRF=([^;]+)/) || [])[1] || '';
        const res = await fetch('/api/v4/users/ids', {
            method: 'POST',
            headers: {'Content-Type': 'application/json', 'X-Requested-With': 'XMLHttpRequest', 'X-CSRF-Token': csrf},
            body: JSON.stringify(ids),
        });
        return res.json();
    }, [args['guest-id'], result.login.userId]);
    const byId = Object.fromEntries(users.map((u) => [u.id, u]));
    const lookupsBefore = result.pluginRequests.filter((r) => r.includes('/guests/lookup')).length;
    await page.evaluate((list) => window.harness.showPopover(list), [byId[args['guest-id']], byId[result.login.userId]]);
    const guestCard = page.locator(`.hx-popover[data-user-id="${args['guest-id']}"]`);
    const memberCard = page.locator(`.hx-popover[data-user-id="${result.login.userId}"]`);
    await guestCard.locator('[data-testid="guest-badge"]').waitFor({timeout: T});
    // The badge appears once the batched lookup answered for both cards.
    result.badge = {
        guestRoles: byId[args['guest-id']].roles,
        text: (await guestCard.locator('[data-testid="guest-badge"]').textContent()).trim(),
        title: await guestCard.locator('[data-testid="guest-badge"]').getAttribute('title'),
        memberBadges: await memberCard.locator('[data-testid="guest-badge"]').count(),
        lookupRequests: result.pluginRequests.filter((r) => r.includes('/guests/lookup')).length - lookupsBefore,
    };
    await page.locator('#popover').screenshot({path: shot('guest-badge.png')});
    result.screenshots.badge = shot('guest-badge.png');

    // ---- 3. the channel header: guests indicator of the current channel
    step = 'indicator';
    await page.evaluate((ch) => window.harness.setChannel(ch), {id: args['channel-id'], name: args.channel, display_name: args['channel-display'] || args.channel});
    const indicator = page.locator('#channel-header [data-testid="channel-guests-indicator"].ga-channel-guests--active');
    await indicator.waitFor({timeout: T});
    result.indicator = {
        label: await indicator.getAttribute('aria-label'),
        count: ((await indicator.locator('.ga-channel-guests__count').textContent()) || '').trim(),
        headerButtons: await page.locator('#channel-header .hx-header__buttons > button').count(),
    };
    await page.locator('#channel-header').screenshot({path: shot('channel-indicator.png')});
    result.screenshots.indicator = shot('channel-indicator.png');
    // Clicking it opens the list of the channel's guests.
    await page.locator('#channel-header button:has([data-testid="channel-guests-indicator"])').click();
    const guestsDialog = page.locator('[role="dialog"]', {hasText: `@${args['guest-username']}`});
    await guestsDialog.waitFor({timeout: T});
    result.indicator.dialog = (await guestsDialog.locator('.ga-dialog__body').innerText()).trim();
    await page.screenshot({path: shot('channel-guests-dialog.png')});
    result.screenshots.channelDialog = shot('channel-guests-dialog.png');
    await page.keyboard.press('Escape');
    await guestsDialog.waitFor({state: 'detached', timeout: T});

    // ---- 4. the System Console custom setting: the guest dashboard
    step = 'dashboard';
    // The console titles a custom setting with its settings_schema entry.
    const schema = await page.evaluate(async (pluginId) => {
        const res = await fetch('/api/v4/plugins', {headers: {'X-Requested-With': 'XMLHttpRequest'}});
        const all = await res.json();
        const manifest = [...(all.active || []), ...(all.inactive || [])].find((m) => m.id === pluginId);
        const settings = manifest?.settings_schema?.settings || [];
        return Object.fromEntries(settings.map((s) => [s.key, {display_name: s.display_name, help_text: s.help_text}]));
    }, result.pluginId);
    await page.evaluate((s) => window.harness.showAdminConsole(s), schema);
    const dashboard = page.locator('#admin-console [data-testid="guest-dashboard"]');
    await dashboard.waitFor({timeout: T});
    const guestRow = dashboard.locator('[data-testid="guest-row"]', {hasText: `@${args['guest-username']}`});
    try {
        await guestRow.waitFor({timeout: 8000});
    } catch {
        // Not on the first page (other tests' guests): search as an admin would.
        result.dashboardSearched = true;
        await dashboard.locator('input[type="search"]').first().fill(args['guest-username']);
        await guestRow.waitFor({timeout: T});
    }
    const inviteRow = dashboard.locator('[data-testid="invite-row"]', {hasText: args.email});
    await inviteRow.waitFor({timeout: T}).catch(() => undefined);
    await dashboard.locator('.ga-stats, [aria-labelledby="ga-stats-title"]').first().waitFor({timeout: T}).catch(() => undefined);
    result.dashboard = {
        rows: await dashboard.locator('[data-testid="guest-row"]').evaluateAll((rows) => rows.map((r) => Array.from(r.children).map((td) => td.innerText.replace(/\s+/g, ' ').trim()))),
        pendingInvites: await dashboard.locator('[data-testid="invite-row"]').evaluateAll((rows) => rows.map((r) => r.innerText.replace(/\s+/g, ' ').trim())),
        title: ((await page.locator('#admin-console .hx-setting__title').textContent().catch(() => '')) || '').trim(),
        sections: await dashboard.locator('h3').allInnerTexts(),
        stats: ((await dashboard.locator('[aria-labelledby="ga-stats-title"]').first().innerText().catch(() => '')) || '').replace(/\s+/g, ' ').trim(),
    };

    // The guest's details: set MFA to "Required" through the select.
    step = 'dashboard: guest details';
    await guestRow.getByRole('button', {name: 'Manage'}).click();
    const details = dashboard.getByRole('group', {name: `Settings for @${args['guest-username']}`});
    await details.waitFor({timeout: T});
    const mfaSelect = details.getByLabel('Require MFA');
    const mfaStatus = details.locator('[data-testid="mfa-status"]');
    result.guestDetails = {
        mfaBefore: await mfaSelect.inputValue(),
        mfaDefaultOption: ((await mfaSelect.locator('option[value="default"]').textContent()) || '').trim(),
        mfaStatusBefore: ((await mfaStatus.textContent()) || '').trim(),
        singleChannel: await details.getByRole('checkbox', {name: 'Single-channel guest'}).isChecked(),
    };
    const patchDone = page.waitForResponse((r) => r.request().method() === 'PATCH' && r.url().includes(`/guests/${args['guest-id']}`), {timeout: T});
    const statsDone = page.waitForResponse((r) => r.request().method() === 'GET' && new URL(r.url()).pathname.endsWith('/api/v1/stats'), {timeout: T});
    await mfaSelect.selectOption('required');
    result.guestDetails.patchStatus = (await patchDone).status();
    await statsDone; // the dashboard refreshes its counts after a change
    await page.waitForFunction((id) => {
        const el = document.getElementById(id);
        return el && el.value === 'required' && !el.disabled;
    }, await mfaSelect.getAttribute('id'), {timeout: T});
    result.guestDetails.mfaAfter = await mfaSelect.inputValue();
    result.guestDetails.mfaStatusAfter = ((await mfaStatus.textContent()) || '').trim();
    result.guestDetails.alerts = await details.getByRole('alert').allInnerTexts();

    // The automatic guest rules: a dry-run preview that lists the outsider.
    step = 'dashboard: rules preview';
    const rules = dashboard.getByRole('region', {name: 'Automatic guest rules'});
    await rules.getByRole('button', {name: 'Preview existing accounts'}).click();
    const outsiderRow = rules.locator('[data-testid="rule-candidate"]', {hasText: `@${args.outsider}`});
    await outsiderRow.waitFor({timeout: 30000});
    const rowTexts = (loc) => loc.evaluateAll((rows) => rows.map((r) => Array.from(r.children).map((td) => td.innerText.replace(/\s+/g, ' ').trim())));
    result.rules = {
        config: ((await rules.locator('[data-testid="rules-config"]').innerText()) || '').replace(/\s+/g, ' ').trim(),
        candidates: await rowTexts(rules.locator('[data-testid="rule-candidate"]')),
        checked: await rules.locator('[data-testid="rule-candidate"] input[type="checkbox"]:checked').count(),
        keepChannels: await rules.getByRole('checkbox', {name: 'Keep their current channels'}).isChecked(),
        applyLabel: ((await rules.getByRole('button', {name: /^Make \d+ account/}).textContent()) || '').trim(),
    };
    // After the MFA change: the warning when the server has MFA turned off.
    const mfaWarning = dashboard.locator('[data-testid="mfa-warning"]');
    await mfaWarning.waitFor({timeout: 5000}).catch(() => undefined);
    result.dashboard.mfaWarning = (await mfaWarning.count()) ? ((await mfaWarning.textContent()) || '').trim() : '';
    await page.locator('#admin-console').screenshot({path: shot('dashboard.png')});
    result.screenshots.dashboard = shot('dashboard.png');

    // Apply to the outsider only, without their channels, after confirming.
    step = 'dashboard: rules apply';
    await rules.getByRole('button', {name: 'Select none'}).click();
    await outsiderRow.getByRole('checkbox').check();
    await rules.getByRole('checkbox', {name: 'Keep their current channels'}).uncheck();
    await rules.getByRole('button', {name: 'Make 1 account a guest'}).click();
    await rules.getByRole('button', {name: 'Confirm'}).click();
    const results = rules.locator('[data-testid="rule-results"]');
    await results.waitFor({timeout: 30000});
    result.rules.summary = ((await results.getByRole('status').textContent()) || '').trim();
    result.rules.results = await results.locator('[data-testid="rule-result"]').evaluateAll((rows) => rows.map((r) => ({
        who: r.querySelector('.ga-result__email')?.textContent || '',
        status: r.querySelector('.ga-result__status')?.textContent || '',
        ok: r.classList.contains('ga-result--ok'),
    })));
    result.rules.alerts = await rules.getByRole('alert').allInnerTexts();
    result.rules.candidatesAfter = await rowTexts(rules.locator('[data-testid="rule-candidate"]'));
    await rules.screenshot({path: shot('rules-applied.png')});
    result.screenshots.rulesApplied = shot('rules-applied.png');

    step = 'registry';
    result.registryCalls = await page.evaluate(() => window.harness.calls.map((c) => ({method: c.method, args: c.args, unknown: Boolean(c.unknown)})));
    result.mainMenuItems = await page.locator('#main-menu button[role="menuitem"]').allInnerTexts();
    result.errorBoundaries = await page.locator('[data-hx-error]').allInnerTexts();
    result.translationSample = await page.evaluate(() => window.harness.translate('guest-accounts.plugin.menu_invite'));
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

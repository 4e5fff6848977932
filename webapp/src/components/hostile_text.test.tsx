/// <reference types="node" />
// Text from users and the server (names, emails, channel names, audit
// details, invitation results, translations) rendered with markup in it: it
// must show as text, and no element may come out of it.
import fs from 'fs';
import path from 'path';

import {act, render, screen, waitFor, within} from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import React from 'react';

import {IntlProvider} from 'react-intl';
import {Provider} from 'react-redux';

import {API, makeStore, me, mockFetch, renderWithPlugin} from '../../tests/helpers';
import type {Handler} from '../../tests/helpers';
import {PREFIX} from '../i18n';

import {GuestDashboard} from './admin_console';
import {AuditLog} from './admin_console/audit_log';
import {GuestDetails} from './admin_console/guest_details';
import {ChannelGuestsDialog} from './channel_guests_indicator';
import {GuestBadge, PopoverGuestBadge} from './guest_badge';
import {InviteModal} from './invite_modal';
import {InviteResults} from './invite_modal/invite_results';

const IMG = '<img src=x onerror=alert(1)>';
const SCRIPT = '<script>alert(2)</script>';
const SVG = '"><svg onload=alert(3)>';
const IFRAME = "'><iframe src=javascript:alert(4)></iframe>";
const PLACEHOLDER = '{username}{count}'; // must not be filled in as a message placeholder

/** Elements markup in the text could have made (the plugin's own icons excepted). */
function injected(root: ParentNode = document.body): Element[] {
    return Array.from(root.querySelectorAll('img, script, iframe, object, embed, svg, b, a'))
        .filter((el) => !el.classList.contains('ga-icon'));
}

/** No element anywhere carries an event-handler attribute. */
function handlerAttributes(root: ParentNode = document.body): string[] {
    return Array.from(root.querySelectorAll('*')).flatMap((el) => Array.from(el.attributes)
        .filter((a) => a.name.toLowerCase().startsWith('on'))
        .map((a) => `${el.tagName}[${a.name}]`));
}

function expectInert() {
    expect(injected()).toEqual([]);
    expect(handlerAttributes()).toEqual([]);
    expect(window.alert).not.toHaveBeenCalled();
}

/** The whole text of the page, as a user reads it. */
const pageText = () => document.body.textContent ?? '';

beforeEach(() => {
    window.alert = jest.fn();
});

const allAllowed = {upload_files: true, download_files: true, edit_own_posts: true, react: true, create_private_channels: false, direct_messages: true};

const hostileGuest = {
    user_id: 'g1', username: `eve${IMG}`, email: `${SCRIPT}@example.com`, first_name: SVG, last_name: IFRAME,
    nickname: IMG, position: SCRIPT, status: 'deactivated', deactivated_reason: 'admin', invited_by: 'admin1',
    created_at: 1, expires_at: 0, last_activity_at: 0, single_channel: false, channel_ids: ['c1'],
    restrictions: allAllowed, restriction_overrides: {}, require_mfa: false, require_mfa_override: null, mfa_active: false,
    rule: '', reminder_sent_at: 0,
};

function dashboardRoutes(extra: Record<string, Handler> = {}) {
    return mockFetch({
        [`GET ${API}/stats`]: {body: {
            active_guests: 1, deactivated_guests: 1, pending_invitations: 1, max_active_guests: 0, max_channels_per_guest: 0,
            guest_accounts_enabled: true, edition: 'unlicensed', configuration_error: IMG, mfa_warning: SCRIPT,
            edition_limits: [{capability: SVG, enforced: false, note: IMG}, {capability: 'list_users', enforced: false, note: SCRIPT}],
        }},
        [`GET ${API}/guests`]: {body: {guests: [hostileGuest], total: 1}},
        [`GET ${API}/invites`]: {body: {invites: [{
            id: 'inv1', email: `${IFRAME}@example.com`, channel_ids: ['c1'], team_ids: ['t1'], inviter_id: 'admin1', message: SCRIPT,
            created_at: 1, expires_at: 2, guest_expires_at: 0, single_channel: false, status: 'pending',
        }]}},
        [`GET ${API}/audit`]: {body: {entries: [
            {id: 'a1', at: 3, actor_id: 'admin1', action: IMG, target_id: 'g1', result: `refused: ${SCRIPT}`, details: SVG},
            {id: 'a2', at: 2, actor_id: 'admin1', action: 'invite', target_id: `${IMG}@example.com`, result: SVG, details: IFRAME},
            {id: 'a3', at: 1, actor_id: '', action: 'deactivate', target_id: 'g1', result: `failed: ${IMG}`, details: PLACEHOLDER},
        ]}},
        [`GET ${API}/rules/preview`]: {body: {
            enabled: true, member_email_domains: [IMG], guest_sign_in_methods: [SVG], scanned: 1, total: 1, truncated: false,
            candidates: [{user_id: 'u1', username: SCRIPT, email: `${IMG}@outside.example`, sign_in_method: SVG, rule: 'member_domains', warnings: []}],
        }},
        'POST /api/v4/users/ids': (req) => ({body: (req.body as string[]).filter((id) => id === 'admin1' || id === 'g1')
            .map((id) => ({id, username: id === 'admin1' ? `admin${SVG}` : `eve${IMG}`}))}),
        ...extra,
    });
}

describe('hostile text', () => {
    it('shows guest names, nicknames and emails in the guest list, row and details as text', async () => {
        dashboardRoutes({
            [`POST ${API}/guests/g1/activate`]: {status: 409, body: {error_id: 'guest_accounts.x', message: `refused ${IMG}`}},
        });
        const user = userEvent.setup({delay: null});
        renderWithPlugin(<GuestDashboard/>);
        const row = await screen.findByTestId('guest-row');
        expect(row).toHaveTextContent(`@eve${IMG}`);
        expect(row).toHaveTextContent(`${SVG} ${IFRAME} · ${SCRIPT}@example.com`);

        await user.click(within(row).getByRole('button', {name: 'Manage'}));
        expect(screen.getByRole('group', {name: `Settings for @eve${IMG}`})).toBeInTheDocument();
        await user.click(within(row).getByRole('button', {name: 'Promote to member'}));
        expect(row).toHaveTextContent(`Make @eve${IMG} a full member?`);
        await user.click(within(row).getByRole('button', {name: 'Cancel'}));
        await user.click(within(row).getByRole('button', {name: 'Activate'}));
        expect(await within(row).findByRole('alert')).toHaveTextContent(`refused ${IMG} (guest_accounts.x)`);
        expectInert();
    });

    it('shows the guest details of a hostile guest as text', () => {
        renderWithPlugin(
            <GuestDetails
                guest={{...hostileGuest, status: 'active', deactivated_reason: ''} as never}
                busy={false}
                error={new Error(SCRIPT)}
                onPatch={jest.fn()}
            />,
        );
        expect(screen.getByRole('group', {name: `Settings for @eve${IMG}`})).toHaveTextContent(`Something went wrong: ${SCRIPT}`);
        expectInert();
    });

    it('shows audit actions, results, details, actors and targets as text', async () => {
        dashboardRoutes();
        renderWithPlugin(<AuditLog refresh={0}/>);
        await waitFor(() => expect(screen.getAllByTestId('audit-row')[0]).toHaveTextContent(`@admin${SVG}`));
        const rows = screen.getAllByTestId('audit-row');
        expect(rows[0]).toHaveTextContent(`@admin${SVG}${IMG}@eve${IMG}Refused: ${SCRIPT}${SVG}`);
        expect(rows[1]).toHaveTextContent(`Guest invited${IMG}@example.com${SVG}${IFRAME}`);
        expect(rows[2]).toHaveTextContent(`SystemGuest deactivated@eve${IMG}Failed: ${IMG}${PLACEHOLDER}`);
        expectInert();
    });

    it('shows the rest of the dashboard (stats, edition limits, invitations, rules) as text', async () => {
        dashboardRoutes();
        const user = userEvent.setup({delay: null});
        renderWithPlugin(<GuestDashboard/>);
        await screen.findByTestId('guest-row');
        await waitFor(() => expect(screen.getByTestId('invite-row')).toHaveTextContent(`@admin${SVG}`));
        expect(screen.getByTestId('invite-row')).toHaveTextContent(`${IFRAME}@example.com`);
        expect(pageText()).toContain(`The plugin settings have a problem: ${IMG}`);
        const limits = screen.getAllByTestId('edition-limit');
        expect(limits[0]).toHaveTextContent(`${SVG}No${IMG}`);
        expect(limits[1]).toHaveTextContent(SCRIPT);

        const rules = screen.getByRole('region', {name: 'Automatic guest rules'});
        await user.click(within(rules).getByRole('button', {name: 'Preview existing accounts'}));
        expect(await within(rules).findByText(`@${SCRIPT}`)).toBeInTheDocument();
        expect(rules).toHaveTextContent(`${IMG}@outside.example`);
        expect(rules).toHaveTextContent(IMG);
        expect(rules).toHaveTextContent(SVG);
        expectInert();
    });

    it('shows invitation results (addresses and the server\'s messages) as text', () => {
        renderWithPlugin(
            <InviteResults
                results={[
                    {email: `${IMG}@example.com`, status: 'sent', invite_id: 'i1'},
                    {email: SCRIPT, status: 'invalid_address', message: SVG},
                    {email: 'x@example.com', status: 'bogus' as never, message: IFRAME},
                ]}
            />,
        );
        const rows = screen.getAllByTestId('invite-result').map((r) => r.textContent);
        expect(rows).toEqual([
            `${IMG}@example.comInvitation sent`,
            `${SCRIPT}Not a valid email address${SVG}`,
            `x@example.comNot sent: an error occurred${IFRAME}`,
        ]);
        expectInert();
    });

    it('shows channel and team names in the invite modal, typed addresses and search terms as text', async () => {
        mockFetch({
            [`GET ${API}/me`]: {body: me({allowed_domains: [IMG]})},
            'GET /api/v4/users/me/teams': {body: [
                {id: 't1', name: 'acme', display_name: `Acme${SVG}`, delete_at: 0},
                {id: 't2', name: 'two', display_name: 'Two', delete_at: 0},
            ]},
            'GET /api/v4/users/me/teams/members': {body: ['t1', 't2'].map((t) => ({team_id: t, user_id: 'me1', roles: 'team_user', delete_at: 0}))},
            'GET /api/v4/users/me/channels': {body: [{id: 'c1', team_id: 't1', name: 'x', display_name: `proj${IMG}`, type: 'P', delete_at: 0}]},
            'GET /api/v4/users/me1/channel_members': {body: [{channel_id: 'c1', user_id: 'me1', roles: 'channel_user'}]},
            'POST /api/v4/roles/names': {body: []},
            'GET /api/v4/teams/t1/channels/search_autocomplete': {body: [{id: 'c2', team_id: 't1', name: 'y', display_name: `proj${SCRIPT}`, type: 'O', delete_at: 0}]},
            'GET /api/v4/teams/t2/channels/search_autocomplete': {status: 500, body: {id: 'x', message: IFRAME}},
        });
        const user = userEvent.setup({delay: null});
        renderWithPlugin(<InviteModal onClose={jest.fn()}/>);
        const option = await screen.findByRole('checkbox', {name: `proj${IMG} (Acme${SVG})`});
        await user.click(option);
        expect(screen.getByTestId('channel-chip')).toHaveTextContent(`proj${IMG} (Acme${SVG})`);
        expect(screen.getByRole('button', {name: `Remove proj${IMG}`})).toBeInTheDocument();

        const address = '"><svg/onload=alert(5)>@example.com'; // no space: one chip
        await user.type(screen.getByLabelText('Email addresses'), `${address} `);
        expect(screen.getByTestId('email-chip')).toHaveTextContent(address);
        expect(pageText()).toContain(`Guests may come from: ${IMG}`);

        await user.type(screen.getByLabelText('Channels'), SCRIPT);
        expect(await screen.findByRole('alert')).toHaveTextContent(`Searching your channels for “${SCRIPT}” failed. ${IFRAME}`);
        expectInert();
    });

    it('shows the guests of a channel as text', async () => {
        mockFetch({[`GET ${API}/channels/c1/guests`]: {body: {channel_id: 'c1', guest_count: 2, guests: [
            {user_id: 'g1', username: IMG}, {user_id: 'g2', username: SVG},
        ]}}});
        renderWithPlugin(
            <ChannelGuestsDialog
                channelId='c1'
                onClose={jest.fn()}
            />,
        );
        expect(await screen.findByText(`@${IMG}`)).toBeInTheDocument();
        expect(screen.getByText(`@${SVG}`)).toBeInTheDocument();
        expectInert();
    });

    it('keeps the badge text-only, whatever the ids, roles and translations hold', async () => {
        const http = mockFetch({[`POST ${API}/guests/lookup`]: (req) => ({body: {guest_ids: (req.body as {user_ids: string[]}).user_ids}})});
        // react-intl reads markup in a message as tags: what is not valid ICU
        // falls back to the English default, and nothing becomes an element.
        const messages = {[`${PREFIX}guest_badge.label`]: IMG, [`${PREFIX}guest_badge.tooltip`]: SVG};
        render(
            <Provider store={makeStore()}>
                <IntlProvider
                    locale='en'
                    messages={messages}
                    onError={() => undefined}
                >
                    <GuestBadge userId={SCRIPT}/>
                    <PopoverGuestBadge user={{id: 'u1', roles: `system_guest ${IMG}`}}/>
                </IntlProvider>
            </Provider>,
        );
        await waitFor(() => expect(screen.getAllByTestId('guest-badge')).toHaveLength(2));
        for (const badge of screen.getAllByTestId('guest-badge')) {
            expect([IMG, 'Guest']).toContain(badge.textContent);
            expect([SVG, 'Guest account: can only see the channels they were added to']).toContain(badge.getAttribute('title'));
            expect(badge.children).toHaveLength(0);
        }
        await act(async () => undefined);
        expect(http.to('POST', `${API}/guests/lookup`)[0].body).toEqual({user_ids: [SCRIPT]});
        expectInert();
    });

    it('has no component that sets HTML itself', () => {
        const files = (dir: string): string[] => fs.readdirSync(dir, {withFileTypes: true}).flatMap((e) => {
            const full = path.join(dir, e.name);
            if (e.isDirectory()) {
                return files(full);
            }
            return /\.tsx?$/.test(e.name) && !/\.test\.tsx?$/.test(e.name) ? [full] : [];
        });
        const src = path.resolve(__dirname, '..');
        const offenders = files(src).filter((f) => /dangerouslySetInnerHTML|\.innerHTML|\.outerHTML|insertAdjacentHTML|document\.write/.test(fs.readFileSync(f, 'utf8')));
        expect(offenders.map((f) => path.relative(src, f))).toEqual([]);
    });
});

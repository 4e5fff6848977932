import {screen, waitFor, within} from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import React from 'react';

import {API, deferred, mockFetch, renderWithPlugin} from '../../../tests/helpers';
import type {Handler} from '../../../tests/helpers';

import {RulesPanel} from './rules_panel';

const candidate = (id: string, username: string, over: Record<string, unknown> = {}) => ({
    user_id: id, username, email: `${username}@outside.example`, sign_in_method: 'email', rule: 'member_domains', warnings: [] as string[], ...over,
});

const preview = (over: Record<string, unknown> = {}) => ({
    enabled: true, member_email_domains: ['example.com', '*.example.com'], guest_sign_in_methods: ['gitlab'],
    scanned: 40, total: 3, truncated: false,
    candidates: [
        candidate('u1', 'ann'),
        candidate('u2', 'ben', {sign_in_method: 'gitlab', rule: 'sign_in_method', email: 'ben@example.com', warnings: ['domain_not_allowed', 'guest_accounts_off']}),
        candidate('u3', 'cid'),
    ],
    ...over,
});

const guestView = (id: string, username: string, over: Record<string, unknown> = {}) => ({user_id: id, username, status: 'active', deactivated_reason: '', ...over});

function renderPanel(routes: Record<string, Handler>) {
    const http = mockFetch(routes);
    const user = userEvent.setup({delay: null});
    const onChanged = jest.fn();
    renderWithPlugin(<RulesPanel onChanged={onChanged}/>);
    const panel = screen.getByRole('region', {name: 'Automatic guest rules'});
    return {http, user, onChanged, panel};
}

const rows = () => screen.getAllByTestId('rule-candidate');
const rowOf = (username: string) => rows().find((r) => r.textContent?.includes(`@${username}`))!;

describe('RulesPanel', () => {
    it('changes nothing until asked, then lists the configured rules and the candidates with their warnings', async () => {
        const hold = deferred();
        const {http, user, panel} = renderPanel({
            [`GET ${API}/rules/preview`]: async () => {
                await hold.promise;
                return {body: preview()};
            },
        });
        expect(http.calls).toHaveLength(0);
        await user.click(within(panel).getByRole('button', {name: 'Preview existing accounts'}));
        expect(within(panel).getByRole('status')).toHaveTextContent('Checking existing accounts…');
        expect(within(panel).getByRole('button', {name: 'Preview existing accounts'})).toBeDisabled();
        expect(panel).toHaveAttribute('aria-busy', 'true');
        hold.resolve();

        await screen.findAllByTestId('rule-candidate');
        expect(http.to('GET', `${API}/rules/preview`)).toHaveLength(1);
        expect(within(panel).getByTestId('rules-config')).toHaveTextContent('Member email domainsexample.com, *.example.comSign-in methods that create guestsGitLab');
        expect(panel).toHaveTextContent('Active accounts checked: 40. Would become guests: 3.');
        expect(rows()).toHaveLength(3);
        expect(rowOf('ann')).toHaveTextContent('ann@outside.example');
        expect(rowOf('ann')).toHaveTextContent('Email and password');
        expect(rowOf('ann')).toHaveTextContent('email domain outside the member domains');
        expect(rowOf('ben')).toHaveTextContent('GitLab');
        expect(rowOf('ben')).toHaveTextContent('sign-in method');
        expect(rowOf('ben')).toHaveTextContent('Outside "Allowed guest email domains": as a guest they will not be able to log in until the domain is allowed.');
        expect(rowOf('ben')).toHaveTextContent('Guest accounts are switched off: they would become a deactivated guest.');
        expect(within(rowOf('ann')).queryByRole('listitem')).toBeNull();

        // All selected, channels kept, by default.
        for (const name of ['ann', 'ben', 'cid']) {
            expect(within(panel).getByRole('checkbox', {name: `Make @${name} a guest`})).toBeChecked();
        }
        expect(within(panel).getByRole('checkbox', {name: 'Keep their current channels'})).toBeChecked();
        expect(within(panel).getByRole('button', {name: 'Make 3 accounts guests'})).toBeEnabled();
        expect(within(panel).getByRole('button', {name: 'Preview again'})).toBeEnabled();
    });

    it('says how to turn the rules on when none is set', async () => {
        const {user, panel} = renderPanel({
            [`GET ${API}/rules/preview`]: {body: preview({enabled: false, member_email_domains: [], guest_sign_in_methods: [], scanned: 0, total: 0, candidates: []})},
        });
        await user.click(within(panel).getByRole('button', {name: 'Preview existing accounts'}));
        expect(await within(panel).findByTestId('rules-disabled')).toHaveTextContent(
            'No automatic guest rule is set. To turn the rules on, fill in "Member email domains (automatic guest rule)" or "Sign-in methods that create guests (automatic guest rule)"',
        );
        expect(within(panel).getByTestId('rules-config')).toHaveTextContent('Member email domainsNot setSign-in methods that create guestsNot set');
        expect(within(panel).queryByRole('button', {name: /accounts guests/})).toBeNull();
        expect(within(panel).queryByText(/Active accounts checked/)).toBeNull();
    });

    it('says so when no existing account matches, and when the list is cut short', async () => {
        let answer = preview({candidates: [], total: 0});
        const {user, panel} = renderPanel({[`GET ${API}/rules/preview`]: () => ({body: answer})});
        await user.click(within(panel).getByRole('button', {name: 'Preview existing accounts'}));
        expect(await within(panel).findByText('No existing account matches the rules.')).toBeInTheDocument();

        answer = preview({total: 1200, truncated: true});
        await user.click(within(panel).getByRole('button', {name: 'Preview again'}));
        expect(await within(panel).findByText('Only the first 3 of 1200 are listed: apply these, then preview again for the rest.')).toBeInTheDocument();
    });

    it('applies to the selected accounts only, without channels when asked, after confirmation, and shows each outcome', async () => {
        const {http, user, panel, onChanged} = renderPanel({
            [`GET ${API}/rules/preview`]: {body: preview()},
            [`POST ${API}/rules/apply`]: {body: {results: [
                {user_id: 'u1', status: 'converted', guest: guestView('u1', 'ann')},
                {user_id: 'u2', status: 'converted', guest: guestView('u2', 'ben', {status: 'deactivated', deactivated_reason: 'cap'})},
            ]}},
        });
        await user.click(within(panel).getByRole('button', {name: 'Preview existing accounts'}));
        await screen.findAllByTestId('rule-candidate');

        await user.click(within(panel).getByRole('checkbox', {name: 'Make @cid a guest'}));
        await user.click(within(panel).getByRole('checkbox', {name: 'Make @ben a guest'}));
        expect(within(panel).getByRole('button', {name: 'Make 1 account a guest'})).toBeEnabled();
        await user.click(within(panel).getByRole('checkbox', {name: 'Make @ben a guest'}));
        expect(within(panel).getByText('2 of 3 selected')).toBeInTheDocument();
        const keep = within(panel).getByRole('checkbox', {name: 'Keep their current channels'});
        await user.click(keep);
        expect(keep).not.toBeChecked();
        expect(keep).toHaveAccessibleDescription('They are removed from every channel, as a new account made a guest by the rules.');

        await user.click(within(panel).getByRole('button', {name: 'Make 2 accounts guests'}));
        expect(http.to('POST', `${API}/rules/apply`)).toHaveLength(0);
        expect(within(panel).getByRole('group', {name: /Make 2 accounts guests now\?/})).toBeInTheDocument();
        await user.click(within(panel).getByRole('button', {name: 'Confirm'}));

        await screen.findAllByTestId('rule-result');
        expect(http.to('POST', `${API}/rules/apply`).map((c) => c.body)).toEqual([{user_ids: ['u1', 'u2'], keep_channels: false}]);
        const results = within(panel).getByTestId('rule-results');
        expect(within(results).getByRole('status')).toHaveTextContent('Made guests: 2 of 2.');
        const [ann, ben] = within(results).getAllByTestId('rule-result');
        expect(ann).toHaveTextContent('@annNow a guest');
        expect(ben).toHaveTextContent('@benNow a guest, deactivated: made a guest by an automatic rule while the maximum of active guests was reached');
        expect(onChanged).toHaveBeenCalledTimes(1);

        // The converted accounts leave the preview; the one left out stays, unselected.
        expect(rows()).toHaveLength(1);
        expect(within(panel).getByRole('checkbox', {name: 'Make @cid a guest'})).not.toBeChecked();
        expect(within(panel).getByRole('button', {name: 'Make 0 accounts guests'})).toBeDisabled();
        expect(panel).toHaveTextContent('Active accounts checked: 40. Would become guests: 1.');
    });

    it('reports accounts the server did not convert with its message', async () => {
        const {user, panel} = renderPanel({
            [`GET ${API}/rules/preview`]: {body: preview()},
            [`POST ${API}/rules/apply`]: {body: {results: [
                {user_id: 'u1', status: 'not_matched', message: '@ann matches no automatic guest rule now; left unchanged.'},
                {user_id: 'u2', status: 'exempt', reason: 'system_admin', message: '@ben is never converted by the rules (system admin).'},
                {user_id: 'u3', status: 'failed', reason: 'too_many_channels', message: '@cid is in 9 channels and a guest may be in at most 5.'},
            ]}},
        });
        await user.click(within(panel).getByRole('button', {name: 'Preview existing accounts'}));
        await screen.findAllByTestId('rule-candidate');
        await user.click(within(panel).getByRole('button', {name: 'Make 3 accounts guests'}));
        await user.click(within(panel).getByRole('button', {name: 'Confirm'}));

        const results = await within(panel).findByTestId('rule-results');
        expect(within(results).getByRole('status')).toHaveTextContent('Made guests: 0 of 3.');
        const [ann, ben, cid] = within(results).getAllByTestId('rule-result');
        expect(ann).toHaveTextContent('@annNo rule matches now: unchanged@ann matches no automatic guest rule now; left unchanged.');
        expect(ben).toHaveTextContent('@benNever converted by the rules@ben is never converted by the rules (system admin).');
        expect(cid).toHaveTextContent('@cidFailed@cid is in 9 channels and a guest may be in at most 5.');
        expect(ann).toHaveClass('ga-result--problem');
        expect(rows()).toHaveLength(3);
    });

    it('keeps channels by default and sends at most 500 accounts per request', async () => {
        const many = Array.from({length: 501}, (_, i) => candidate(`u${i}`, `user${i}`));
        const applied: Array<{user_ids: string[]; keep_channels: boolean}> = [];
        const {user, panel} = renderPanel({
            [`GET ${API}/rules/preview`]: {body: preview({candidates: many, total: 501})},
            [`POST ${API}/rules/apply`]: (req) => {
                const body = req.body as {user_ids: string[]; keep_channels: boolean};
                applied.push(body);
                return {body: {results: body.user_ids.map((id) => ({user_id: id, status: 'converted', guest: guestView(id, id)}))}};
            },
        });
        await user.click(within(panel).getByRole('button', {name: 'Preview existing accounts'}));
        await within(panel).findByRole('button', {name: 'Make 501 accounts guests'});
        await user.click(within(panel).getByRole('button', {name: 'Select none'}));
        expect(within(panel).getByRole('button', {name: 'Make 0 accounts guests'})).toBeDisabled();
        await user.click(within(panel).getByRole('button', {name: 'Select all'}));
        await user.click(within(panel).getByRole('button', {name: 'Make 501 accounts guests'}));
        await user.click(within(panel).getByRole('button', {name: 'Confirm'}));

        expect(await within(panel).findByText('Made guests: 501 of 501.')).toBeInTheDocument();
        expect(applied.map((b) => b.user_ids.length)).toEqual([500, 1]);
        expect(applied.every((b) => b.keep_channels)).toBe(true);
        expect(applied.flatMap((b) => b.user_ids)).toEqual(many.map((c) => c.user_id));
    });

    it('shows API errors from the preview and from applying', async () => {
        let previewFails = true;
        const {user, panel, onChanged} = renderPanel({
            [`GET ${API}/rules/preview`]: () => (previewFails ?
                {status: 403, body: {error_id: 'guest_accounts.api.admin_only', message: 'System admins only.'}} :
                {body: preview()}),
            [`POST ${API}/rules/apply`]: {status: 409, body: {error_id: 'guest_accounts.app.rules_off', message: 'No automatic guest rule is set: fill in "Member email domains" or "Sign-in methods that create guests" first.'}},
        });
        await user.click(within(panel).getByRole('button', {name: 'Preview existing accounts'}));
        expect(await within(panel).findByRole('alert')).toHaveTextContent('You do not have permission to do this: System admins only. (guest_accounts.api.admin_only)');
        expect(within(panel).queryByTestId('rules-config')).toBeNull();

        previewFails = false;
        await user.click(within(panel).getByRole('button', {name: 'Preview existing accounts'}));
        await screen.findAllByTestId('rule-candidate');
        expect(within(panel).queryByRole('alert')).toBeNull();
        await user.click(within(panel).getByRole('button', {name: 'Make 3 accounts guests'}));
        await user.click(within(panel).getByRole('button', {name: 'Confirm'}));
        expect(await within(panel).findByRole('alert')).toHaveTextContent('No automatic guest rule is set: fill in "Member email domains" or "Sign-in methods that create guests" first. (guest_accounts.app.rules_off)');
        expect(rows()).toHaveLength(3);
        expect(onChanged).not.toHaveBeenCalled();
        await waitFor(() => expect(within(panel).getByRole('button', {name: 'Make 3 accounts guests'})).toBeEnabled());
    });
});

/// <reference types="node" />
// Reads server/app (and its packages) to check the labels keep up with the ids the server sends.
import fs from 'fs';
import path from 'path';

import {createIntl} from 'react-intl';

import {PREFIX, registeredTranslations} from '../../i18n';
import type {MessageId, Values} from '../../i18n';

import {AUDIT_ACTION_LABEL, EDITION_LIMIT_LABEL, auditActionText, auditResultText, editionLimitText} from './labels';

const intl = createIntl({locale: 'en', messages: registeredTranslations('en')});
const t = (id: MessageId, values?: Values) => intl.formatMessage({id: PREFIX + id}, values);

const serverApp = path.resolve(__dirname, '../../../../server/app');
const serverSource = () => (fs.readdirSync(serverApp, {recursive: true}) as string[])
    .filter((f) => f.endsWith('.go') && !f.endsWith('_test.go'))
    .map((f) => fs.readFileSync(path.join(serverApp, f), 'utf8'))
    .join('\n');
const ids = (text: string, re: RegExp) => [...new Set([...text.matchAll(re)].map((m) => m[1]))].sort();

describe('dashboard labels', () => {
    it('name every audit action and edition limit the server sends', () => {
        // The server code sits beside the webapp in the repository: missing, it fails.
        expect(fs.existsSync(serverApp)).toBe(true);
        const src = serverSource();
        const actions = [
            ...ids(src, /\.Audit\([^,]+,\s*"([a-z_]+)"/g),
            ...ids(src, /\bruleDemote\([^\n]*"([a-z_]+)"\)/g),
        ];
        expect(actions.length).toBeGreaterThan(20);
        expect(actions.filter((a) => !(a in AUDIT_ACTION_LABEL))).toEqual([]);

        const capabilities = ids(src, /Capability:\s*"([a-z_]+)"/g);
        expect(capabilities).toEqual(expect.arrayContaining(['list_users', 'create_direct_channel']));
        expect(capabilities.filter((c) => !(c in EDITION_LIMIT_LABEL))).toEqual([]);
    });

    it('turns ids into sentences and shows unknown ids as they are', () => {
        expect(editionLimitText(t, 'list_users')).toBe('Guests see only the people they share a channel with in the user directory.');
        expect(editionLimitText(t, 'create_direct_channel')).toBe('Guests can open direct messages only with people they share a channel with.');
        expect(editionLimitText(t, 'upload_limits')).toBe('upload_limits');
        expect(editionLimitText(t, 'constructor')).toBe('constructor');

        expect(auditActionText(t, 'rule_apply')).toBe('Existing account made a guest by the automatic rules');
        expect(auditActionText(t, 'guest_channel_join')).toBe('Guest added to a channel');
        expect(auditActionText(t, 'guest_channel_leave')).toBe('Guest left or was removed from a channel');
        expect(auditActionText(t, 'some_future_action')).toBe('some_future_action');
        expect(auditActionText(t, 'toString')).toBe('toString');
    });

    it.each([
        ['success', 'Done'],
        ['kept', 'Kept as it was'],
        ['converted to a guest membership', 'Converted to a guest membership'],
        ['cap_reached', 'Guest limit reached'],
        ['sent', 'Invitation sent'],
        ['refused: self_service', 'Refused: guests cannot join by themselves'],
        ['refused: adder_not_allowed', 'Refused: the person adding them may not give guests access there'],
        ['refused: channel_cap', 'Refused: the guest already has the maximum number of channels'],
        ['refused: channel cap', 'Refused: the guest already has the maximum number of channels'],
        ['refused: guest_no_shared_channel', 'Refused: the guest shares no channel with everyone in the conversation'],
        ['refused: The guest limit of 10 is reached.', 'Refused: The guest limit of 10 is reached.'],
        ['failed: store: timeout\nretry later', 'Failed: store: timeout\nretry later'],
        ['half-done', 'half-done'],
        ['', ''],
    ])('shows the result %j as %j', (result, text) => {
        expect(auditResultText(t, result)).toBe(text);
    });
});

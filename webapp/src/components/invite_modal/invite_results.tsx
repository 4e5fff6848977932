// The per-address outcome of an invitation request.
import React from 'react';

import type {InviteResult, InviteResultStatus} from '../../types/api';
import {useT} from '../../i18n';
import type {MessageId} from '../../i18n';

/** The text of each per-address status (also how the audit log names them). */
export const INVITE_STATUS_TEXT: Record<InviteResultStatus, MessageId> = {
    sent: 'invite.result.sent',
    invalid_address: 'invite.result.invalid_address',
    domain_not_allowed: 'invite.result.domain_not_allowed',
    already_member: 'invite.result.already_member',
    added_to_channels: 'invite.result.added_to_channels',
    cap_reached: 'invite.result.cap_reached',
    error: 'invite.result.error',
};

const OK: InviteResultStatus[] = ['sent', 'added_to_channels'];

export function InviteResults({results}: {results: InviteResult[]}) {
    const t = useT();
    const ok = results.filter((r) => OK.includes(r.status)).length;
    return (
        <div className='ga-results'>
            <p role='status'>{t('invite.result.summary', {ok, total: results.length})}</p>
            <ul
                className='ga-plain-list'
                aria-label={t('invite.result.list_label')}
            >
                {results.map((r) => (
                    <li
                        key={r.email}
                        className={`ga-result ga-result--${OK.includes(r.status) ? 'ok' : 'problem'}`}
                        data-testid='invite-result'
                    >
                        <span className='ga-result__email'>{r.email}</span>
                        <span className='ga-result__status'>{t(INVITE_STATUS_TEXT[r.status] ?? 'invite.result.error')}</span>
                        {r.message && <span className='ga-result__message'>{r.message}</span>}
                    </li>
                ))}
            </ul>
        </div>
    );
}

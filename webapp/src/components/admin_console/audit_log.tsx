// The most recent audit entries.
import React, {useEffect, useState} from 'react';

import type {AuditEntry, Client} from '../../client';
import {useLocale, useT} from '../../i18n';
import {ErrorMessage} from '../common/error_message';

import {formatDateTime, useUsernames} from './format';
import {auditActionText, auditResultText} from './labels';

export const AUDIT_PAGE_SIZE = 20;

export function AuditLog({client, refresh}: {client: Client; refresh: number}) {
    const t = useT();
    const locale = useLocale();
    const [entries, setEntries] = useState<AuditEntry[] | null>(null);
    const [error, setError] = useState<unknown>(null);
    const [attempt, setAttempt] = useState(0);
    const names = useUsernames(client, (entries ?? []).flatMap((e) => [e.actor_id, e.target_id]));

    useEffect(() => {
        let live = true;
        setError(null);
        client.getAudit({page: 0, per_page: AUDIT_PAGE_SIZE}).then(
            (list) => live && setEntries(list),
            (err: unknown) => live && setError(err),
        );
        return () => {
            live = false;
        };
    }, [client, attempt, refresh]);

    const who = (id: string) => (id ? (names.has(id) ? `@${names.get(id)}` : id) : t('dashboard.audit.system'));

    return (
        <section
            className='ga-section'
            aria-labelledby='ga-audit-title'
        >
            <h3 id='ga-audit-title'>{t('dashboard.audit.title')}</h3>
            <ErrorMessage
                error={error}
                onRetry={() => setAttempt((n) => n + 1)}
            />
            {!error && entries === null && <p role='status'>{t('common.loading')}</p>}
            {entries !== null && entries.length === 0 && <p>{t('dashboard.audit.none')}</p>}
            {entries !== null && entries.length > 0 && (
                <table className='ga-table'>
                    <thead>
                        <tr>
                            <th scope='col'>{t('dashboard.audit.col_time')}</th>
                            <th scope='col'>{t('dashboard.audit.col_actor')}</th>
                            <th scope='col'>{t('dashboard.audit.col_action')}</th>
                            <th scope='col'>{t('dashboard.audit.col_target')}</th>
                            <th scope='col'>{t('dashboard.audit.col_result')}</th>
                        </tr>
                    </thead>
                    <tbody>
                        {entries.map((e) => (
                            <tr
                                key={e.id}
                                data-testid='audit-row'
                            >
                                <td>{formatDateTime(e.at, locale)}</td>
                                <td>{who(e.actor_id)}</td>
                                <td title={e.action}>{auditActionText(t, e.action)}</td>
                                <td>{e.target_id ? who(e.target_id) : ''}</td>
                                <td title={e.result}>
                                    {auditResultText(t, e.result)}
                                    {e.details && <div className='ga-hint'>{e.details}</div>}
                                </td>
                            </tr>
                        ))}
                    </tbody>
                </table>
            )}
        </section>
    );
}

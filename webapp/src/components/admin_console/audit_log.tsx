// The most recent audit entries, searched as you type.
import React, {useId, useState} from 'react';

import {useT} from '../../i18n';
import {ErrorMessage} from '../common/error_message';

import {useFormatDate} from './format';
import {auditActionText, auditResultText} from './labels';
import {AUDIT_PAGE_SIZE, useAuditLog, useSearchQuery, useUsernames} from './lists';
import {Pager} from './pager';

export function AuditLog({refresh}: {refresh: number}) {
    const t = useT();
    const fmt = useFormatDate();
    const searchId = useId();
    const [page, setPage] = useState(0);
    const {search, setSearch, query} = useSearchQuery(() => setPage(0));
    const {data, error, retry} = useAuditLog(query, page, refresh);
    const entries = data?.entries ?? null;
    const names = useUsernames((entries ?? []).flatMap((e) => [e.actor_id, e.target_id]));

    const who = (id: string) => (id ? (names.has(id) ? `@${names.get(id)}` : id) : t('dashboard.audit.system'));

    return (
        <section
            className='ga-section'
            aria-labelledby='ga-audit-title'
        >
            <h3 id='ga-audit-title'>{t('dashboard.audit.title')}</h3>
            <div className='ga-toolbar'>
                <label htmlFor={searchId}>{t('dashboard.audit.search')}</label>
                <input
                    id={searchId}
                    type='search'
                    className='ga-input ga-input--inline'
                    value={search}
                    placeholder={t('dashboard.audit.search_placeholder')}
                    onChange={(e) => setSearch(e.target.value)}
                />
            </div>
            <ErrorMessage
                error={error}
                onRetry={retry}
            />
            {!error && entries === null && <p role='status'>{t('common.loading')}</p>}
            {entries !== null && entries.length === 0 && <p>{query ? t('dashboard.audit.no_match') : t('dashboard.audit.none')}</p>}
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
                                <td>{fmt.dateTime(e.at)}</td>
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
            <Pager
                page={page}
                perPage={AUDIT_PAGE_SIZE}
                total={data?.total ?? 0}
                labelId='dashboard.audit.page'
                capped={data?.total_capped}
                cappedLabelId='dashboard.audit.page_capped'
                onPage={setPage}
            />
        </section>
    );
}

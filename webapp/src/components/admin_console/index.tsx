// The guest dashboard, a custom setting on the plugin's System Console page:
// counts against the caps, edition limits, the guest list, pending
// invitations, the automatic guest rules and the audit log. It saves
// nothing itself; every action is an immediate API call.
import React, {useEffect, useState} from 'react';

import type {Stats} from '../../client';
import {useT} from '../../i18n';
import {useServices} from '../../services/context';
import type {AdminConsoleSettingProps} from '../../types/registry';
import {ErrorMessage} from '../common/error_message';

import {AuditLog} from './audit_log';
import {GuestList} from './guest_list';
import {PendingInvites} from './pending_invites';
import {RulesPanel} from './rules_panel';
import {EditionLimits, StatsPanel} from './stats_panel';

export function GuestDashboard(_props: AdminConsoleSettingProps) {
    const t = useT();
    const {client} = useServices();
    const [stats, setStats] = useState<Stats | null>(null);
    const [error, setError] = useState<unknown>(null);
    const [refresh, setRefresh] = useState(0);

    useEffect(() => {
        let live = true;
        client.getStats().then(
            (s) => {
                if (live) {
                    setStats(s);
                    setError(null);
                }
            },
            (err: unknown) => live && setError(err),
        );
        return () => {
            live = false;
        };
    }, [client, refresh]);

    const changed = () => setRefresh((n) => n + 1);

    return (
        <div
            className='ga-dashboard'
            data-testid='guest-dashboard'
        >
            <div className='ga-toolbar'>
                <button
                    type='button'
                    className='ga-button ga-button--small ga-button--secondary'
                    onClick={changed}
                >
                    {t('dashboard.refresh')}
                </button>
            </div>
            <ErrorMessage
                error={error}
                onRetry={changed}
            />
            {!error && !stats && <p role='status'>{t('common.loading')}</p>}
            {stats && <StatsPanel stats={stats}/>}
            <GuestList
                client={client}
                refresh={refresh}
                onChanged={changed}
            />
            <PendingInvites
                client={client}
                refresh={refresh}
                onChanged={changed}
            />
            <RulesPanel
                client={client}
                onChanged={changed}
            />
            <AuditLog
                client={client}
                refresh={refresh}
            />
            {stats && <EditionLimits stats={stats}/>}
        </div>
    );
}

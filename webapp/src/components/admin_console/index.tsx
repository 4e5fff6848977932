// The guest dashboard, a custom setting on the plugin's System Console page:
// counts against the caps, creating a guest, making a member a guest, the
// guest list, pending invitations, the automatic guest rules, the audit log
// and the edition limits. It saves nothing itself; every action is an
// immediate API call, after which the counts and lists load again.
import React, {useEffect, useState} from 'react';

import {Client} from '../../client';
import {useT} from '../../i18n';
import type {Stats} from '../../types/api';
import type {AdminConsoleSettingProps} from '../../types/registry';
import {ErrorMessage} from '../common/error_message';

import {AuditLog} from './audit_log';
import {CreateGuestForm} from './create_guest';
import {DemoteMember} from './demote_member';
import {GuestList} from './guest_list';
import {PendingInvites} from './pending_invites';
import {RulesPanel} from './rules_panel';
import {EditionLimits, StatsPanel} from './stats_panel';

export function GuestDashboard(_props: AdminConsoleSettingProps) {
    const t = useT();
    const [stats, setStats] = useState<Stats | null>(null);
    const [error, setError] = useState<unknown>(null);
    const [refresh, setRefresh] = useState(0);

    useEffect(() => {
        let live = true;
        Client.getStats().then(
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
    }, [refresh]);

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
            <CreateGuestForm onCreated={changed}/>
            <DemoteMember onDemoted={changed}/>
            <GuestList
                refresh={refresh}
                onChanged={changed}
            />
            <PendingInvites
                refresh={refresh}
                onChanged={changed}
            />
            <RulesPanel onChanged={changed}/>
            <AuditLog refresh={refresh}/>
            {stats && <EditionLimits stats={stats}/>}
        </div>
    );
}

// Labels for server enums and ids shown in the dashboard. Ids the server
// may send that this version does not know are shown as they are.
import type {DeactivatedReason, GuestRule} from '../../types/api';
import type {MessageId, Translate} from '../../i18n';
import {INVITE_STATUS_TEXT} from '../invite_modal/invite_results';

export const REASON_LABEL: Record<Exclude<DeactivatedReason, ''>, MessageId> = {
    admin: 'guest.reason.admin',
    switch: 'guest.reason.switch',
    plugin_disabled: 'guest.reason.plugin_disabled',
    expired: 'guest.reason.expired',
    domain: 'guest.reason.domain',
    cap: 'guest.reason.cap',
};

export const RULE_LABEL: Record<Exclude<GuestRule, ''>, MessageId> = {
    member_domains: 'rule.member_domains',
    sign_in_method: 'rule.sign_in_method',
};

/** Names of the sign-in methods the "Sign-in methods that create guests" setting takes. */
export const SIGN_IN_METHOD_LABEL: Record<string, MessageId> = {
    email: 'rules.method.email',
    gitlab: 'rules.method.gitlab',
    openid: 'rules.method.openid',
    google: 'rules.method.google',
    office365: 'rules.method.office365',
    saml: 'rules.method.saml',
    ldap: 'rules.method.ldap',
};

function lookup(map: Readonly<Record<string, MessageId>>, id: string): MessageId | undefined {
    // Own keys only: an id such as "constructor" must not find Object's.
    return Object.prototype.hasOwnProperty.call(map, id) ? map[id] : undefined;
}

/** What each edition-limit capability from GET /stats guarantees (server/app/stats.go). */
export const EDITION_LIMIT_LABEL: Record<string, MessageId> = {
    list_users: 'dashboard.limits.capability.list_users',
    create_direct_channel: 'dashboard.limits.capability.create_direct_channel',
    download_files: 'dashboard.limits.capability.download_files',
};

/** The capability as a sentence; an id this version does not know is shown as it is. */
export function editionLimitText(t: Translate, capability: string): string {
    const id = lookup(EDITION_LIMIT_LABEL, capability);
    return id ? t(id) : capability;
}

/** Every audit action the server records (a.Audit in server/app). */
export const AUDIT_ACTION_LABEL: Record<string, MessageId> = {
    accept_invite: 'dashboard.audit.action.accept_invite',
    activate: 'dashboard.audit.action.activate',
    create_guest: 'dashboard.audit.action.create_guest',
    deactivate: 'dashboard.audit.action.deactivate',
    deactivated_outside_plugin: 'dashboard.audit.action.deactivated_outside_plugin',
    demote: 'dashboard.audit.action.demote',
    dm_refused: 'dashboard.audit.action.dm_refused',
    expire: 'dashboard.audit.action.expire',
    expiry_reminder: 'dashboard.audit.action.expiry_reminder',
    guest_channel_join: 'dashboard.audit.action.guest_channel_join',
    guest_channel_leave: 'dashboard.audit.action.guest_channel_leave',
    guest_team_join: 'dashboard.audit.action.guest_team_join',
    invite: 'dashboard.audit.action.invite',
    private_channel_archived: 'dashboard.audit.action.private_channel_archived',
    promote: 'dashboard.audit.action.promote',
    reaction_removed: 'dashboard.audit.action.reaction_removed',
    repair_role: 'dashboard.audit.action.repair_role',
    resend_invite: 'dashboard.audit.action.resend_invite',
    revoke_invite: 'dashboard.audit.action.revoke_invite',
    rule_apply: 'dashboard.audit.action.rule_apply',
    rule_new_account: 'dashboard.audit.action.rule_new_account',
    switch_off: 'dashboard.audit.action.switch_off',
    switch_on: 'dashboard.audit.action.switch_on',
    update_guest: 'dashboard.audit.action.update_guest',
};

export function auditActionText(t: Translate, action: string): string {
    const id = lookup(AUDIT_ACTION_LABEL, action);
    return id ? t(id) : action;
}

/** Whole results: result() and joinResult() in server/app, and the invitation statuses. */
export const AUDIT_RESULT_LABEL: Record<string, MessageId> = {
    success: 'dashboard.audit.result.success',
    kept: 'dashboard.audit.result.kept',
    'converted to a guest membership': 'dashboard.audit.result.converted',
    ...INVITE_STATUS_TEXT,
};

/** The ids after "refused: ": join refusals (policy.JoinReason) and DM refusals (policy.DMReason). */
export const AUDIT_REASON_LABEL: Record<string, MessageId> = {
    self_service: 'dashboard.audit.reason.self_service',
    adder_not_allowed: 'dashboard.audit.reason.adder_not_allowed',
    single_channel: 'dashboard.audit.reason.single_channel',
    channel_cap: 'dashboard.audit.reason.channel_cap',
    'channel cap': 'dashboard.audit.reason.channel_cap',
    guest_direct_messages_disabled: 'dashboard.audit.reason.guest_direct_messages_disabled',
    recipient_direct_messages_disabled: 'dashboard.audit.reason.recipient_direct_messages_disabled',
    guest_no_shared_channel: 'dashboard.audit.reason.guest_no_shared_channel',
    member_no_shared_channel_with_guest: 'dashboard.audit.reason.member_no_shared_channel_with_guest',
};

/**
 * An audit result in words: known results translated; "refused: X" and
 * "failed: X" as "Refused: …"/"Failed: …" with X translated when it is a
 * known reason id (else the server's message as it is); anything else as it is.
 */
export function auditResultText(t: Translate, result: string): string {
    const whole = lookup(AUDIT_RESULT_LABEL, result);
    if (whole) {
        return t(whole);
    }
    const m = /^(refused|failed): ([\s\S]*)$/.exec(result);
    if (!m) {
        return result;
    }
    const reasonId = lookup(AUDIT_REASON_LABEL, m[2]);
    const reason = reasonId ? t(reasonId) : m[2];
    return t(m[1] === 'refused' ? 'dashboard.audit.result.refused' : 'dashboard.audit.result.failed', {reason});
}

// Labels for server enums shown in several dashboard sections.
import type {DeactivatedReason, GuestRule} from '../../client';
import type {MessageId} from '../../i18n';

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

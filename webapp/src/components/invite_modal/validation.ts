// Client-side address checks for the invite form. They mirror the server's
// rules closely enough to catch mistakes while typing; the server decides.
// Addresses are parsed, never split on the last '@' only: quotes, spaces,
// control characters, brackets and a second '@' are refused.

export type EmailProblem = '' | 'invalid' | 'domain_not_allowed';

export interface ParsedAddress {
    local: string;

    /** Lower-cased ASCII (punycode) form, used for matching. */
    domain: string;

    /** What to send: local part and the lower-cased domain as typed. */
    email: string;
}

const LOCAL_ATOM = /^[\p{L}\p{N}!#$%&'*+/=?^_`{|}~-]+$/u;
const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

// eslint-disable-next-line no-control-regex
const FORBIDDEN = /[\u0000-\u001f\u007f\s"(),:;<>[\\\]]/;

/** The ASCII (IDNA) form of a domain, or null when it is not a host name. */
export function asciiDomain(domain: string): string | null {
    const lower = domain.trim().toLowerCase().replace(/\.$/, '');
    if (!lower || lower.length > 253 || /[/?#@:%\s]/.test(lower)) {
        return null;
    }
    let host: string;
    try {
        host = new URL(`http://${lower}/`).hostname;
    } catch {
        return null;
    }
    const labels = host.split('.');
    if (labels.length < 2 || !labels.every((l) => LABEL.test(l))) {
        return null;
    }
    const tld = labels[labels.length - 1];
    if (/^\d+$/.test(tld)) {
        return null; // an IP address, not a mail domain
    }
    return host;
}

/** Pulls `addr` out of `Name <addr>` (as pasted from a mail client); otherwise returns the input trimmed. */
export function stripDisplayName(raw: string): string {
    const match = /^[^<>]*<([^<>]+)>\s*$/.exec(raw.trim());
    return (match ? match[1] : raw).trim();
}

export function parseAddress(raw: string): ParsedAddress | null {
    const text = raw.trim();
    if (!text || text.length > 254 || FORBIDDEN.test(text)) {
        return null;
    }
    const parts = text.split('@');
    if (parts.length !== 2) {
        return null;
    }
    const [local, domainPart] = parts;
    if (!local || local.length > 64 || !local.split('.').every((atom) => LOCAL_ATOM.test(atom))) {
        return null;
    }
    const domain = asciiDomain(domainPart);
    if (!domain) {
        return null;
    }
    return {local, domain, email: `${local}@${domainPart.toLowerCase()}`};
}

export interface AllowEntry {
    domain: string;
    subdomains: boolean;
}

/** Parses allowed_domains entries: `example.com` exactly, `*.example.com` its sub-domains. */
export function parseAllowList(entries: string[]): AllowEntry[] {
    const out: AllowEntry[] = [];
    for (const raw of entries) {
        const entry = raw.trim();
        const subdomains = entry.startsWith('*.');
        const domain = asciiDomain(subdomains ? entry.slice(2) : entry);
        if (domain) {
            out.push({domain, subdomains});
        }
    }
    return out;
}

/** True when the list is empty or matches the (ASCII, lower-case) domain. */
export function domainAllowed(domain: string, allow: AllowEntry[]): boolean {
    if (allow.length === 0) {
        return true;
    }
    return allow.some((a) => (a.subdomains ? domain.endsWith(`.${a.domain}`) : domain === a.domain));
}

export interface EmailCheck {
    input: string;
    email: string;
    domain: string;
    problem: EmailProblem;
}

export function checkEmail(input: string, allow: AllowEntry[]): EmailCheck {
    const stripped = stripDisplayName(input);
    const parsed = parseAddress(stripped);
    if (!parsed) {
        return {input, email: stripped, domain: '', problem: 'invalid'};
    }
    const problem = domainAllowed(parsed.domain, allow) ? '' : 'domain_not_allowed';
    return {input, email: parsed.email, domain: parsed.domain, problem};
}

/**
 * Splits typed or pasted text into finished entries and the unfinished rest.
 * Commas, semicolons and line breaks always separate; spaces separate too,
 * except inside `Name <address>` pasted as one piece.
 */
export function splitEntries(text: string, pasted = false): {entries: string[]; rest: string} {
    const pieces = text.split(/[,;\n\r]+/);
    const entries: string[] = [];
    let rest = '';
    pieces.forEach((piece, i) => {
        const last = i === pieces.length - 1;
        if (pasted && /<[^<>]+>/.test(piece)) {
            entries.push(piece.trim());
            return;
        }
        const words = piece.split(/[\s]+/);
        words.forEach((word, j) => {
            const unfinished = last && !pasted && j === words.length - 1;
            if (unfinished) {
                rest = word;
            } else if (word) {
                entries.push(word);
            }
        });
    });
    return {entries: entries.filter((e) => e.trim() !== ''), rest};
}

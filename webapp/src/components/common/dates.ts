// Date input helpers (local time), shared by the invite modal and the dashboard.

function pad(n: number): string {
    return n < 10 ? `0${n}` : String(n);
}

/** A date input's value (`YYYY-MM-DD`) for `d`, in local time. */
export function dateInputValue(d: Date): string {
    return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** The last millisecond of a `YYYY-MM-DD` day in local time, or NaN. */
export function endOfDay(value: string): number {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
    if (!m) {
        return NaN;
    }
    return new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]), 23, 59, 59, 999).getTime();
}

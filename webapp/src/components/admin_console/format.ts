// Dates in the user's language, through the client's react-intl.
import {useIntl} from 'react-intl';

export function useFormatDate() {
    const intl = useIntl();
    return {
        date: (ms: number) => intl.formatDate(ms, {year: 'numeric', month: 'short', day: 'numeric'}),
        dateTime: (ms: number) => intl.formatDate(ms, {year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit'}),
    };
}

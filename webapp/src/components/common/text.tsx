// A translated string as an element, for labels the registry renders inside
// the client's own components (menu items, tooltips).
import React from 'react';

import {useT} from '../../i18n';
import type {MessageId} from '../../i18n';

export function Text({id}: {id: MessageId}) {
    const t = useT();
    return <>{t(id)}</>;
}

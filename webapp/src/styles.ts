// The plugin's CSS, injected once. Colours come from the client's theme
// variables so the components follow the user's theme; the fallbacks are for
// pages without them (the harness).
export const STYLE_ELEMENT_ID = 'guest-accounts-styles';

const css = `
.ga-visually-hidden{position:absolute!important;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
.ga-guest-badge{display:inline-block;padding:0 6px;border-radius:4px;font-size:10px;font-weight:600;line-height:16px;text-transform:uppercase;letter-spacing:.02em;background:rgba(var(--center-channel-color-rgb,63,67,80),.16);color:var(--center-channel-color,#3f4350);vertical-align:middle}
.ga-popover-attribute{margin:4px 0}
.ga-icon{vertical-align:middle}
.ga-channel-guests{display:inline-flex;align-items:center;gap:4px;font-size:12px;color:rgba(var(--center-channel-color-rgb,63,67,80),.64)}
.ga-channel-guests--active{color:var(--away-indicator,#c37d00)}
.ga-channel-guests__count{font-weight:600}
.ga-overlay{position:fixed;inset:0;z-index:10000;display:flex;align-items:flex-start;justify-content:center;overflow-y:auto;padding:64px 16px;background:rgba(0,0,0,.5)}
.ga-dialog{width:100%;max-width:600px;border-radius:8px;background:var(--center-channel-bg,#fff);color:var(--center-channel-color,#3f4350);box-shadow:0 20px 32px rgba(0,0,0,.12);outline:none}
.ga-dialog__header{display:flex;align-items:center;justify-content:space-between;padding:20px 24px 8px}
.ga-dialog__header h2{margin:0;font-size:20px;font-weight:600}
.ga-dialog__body{padding:8px 24px 16px}
.ga-dialog__footer{display:flex;justify-content:flex-end;gap:8px;padding:16px 24px;border-top:1px solid rgba(var(--center-channel-color-rgb,63,67,80),.12)}
.ga-icon-button{border:0;background:none;font-size:24px;line-height:1;cursor:pointer;color:inherit;opacity:.64}
.ga-label{display:block;margin:16px 0 4px;font-weight:600}
.ga-field{margin-bottom:4px}
.ga-input{box-sizing:border-box;width:100%;padding:6px 10px;border:1px solid rgba(var(--center-channel-color-rgb,63,67,80),.24);border-radius:4px;background:var(--center-channel-bg,#fff);color:inherit;font:inherit}
.ga-input--inline{width:auto;margin:0 8px 0 4px}
.ga-hint{margin-top:4px;font-size:12px;color:rgba(var(--center-channel-color-rgb,63,67,80),.72)}
.ga-hint--error,.ga-error{color:var(--error-text,#d24b4e)}
.ga-error{margin:8px 0}
.ga-error__id{opacity:.7;font-size:11px}
.ga-warning{color:var(--away-indicator,#c37d00);font-weight:600}
.ga-ok{color:var(--online-indicator,#06d6a0)}
.ga-chips{display:flex;flex-wrap:wrap;gap:4px;padding:4px 6px;border:1px solid rgba(var(--center-channel-color-rgb,63,67,80),.24);border-radius:4px;cursor:text}
.ga-chips--disabled{opacity:.6}
.ga-chips__list{display:contents;list-style:none;margin:0;padding:0}
.ga-dialog .ga-field>.ga-chips__list{display:flex;flex-wrap:wrap;gap:4px;margin-bottom:6px}
.ga-chips__input{flex:1;min-width:160px;border:0;outline:none;padding:4px;background:transparent;color:inherit;font:inherit}
.ga-chip{display:inline-flex;align-items:center;gap:4px;padding:2px 4px 2px 8px;border-radius:12px;background:rgba(var(--center-channel-color-rgb,63,67,80),.08)}
.ga-chip--error{background:rgba(210,75,78,.12);color:var(--error-text,#d24b4e);text-decoration:underline wavy}
.ga-chip__remove{border:0;background:none;cursor:pointer;color:inherit;font-size:14px;line-height:1}
.ga-channel-list{max-height:200px;overflow-y:auto;margin-top:4px;border:1px solid rgba(var(--center-channel-color-rgb,63,67,80),.12);border-radius:4px}
.ga-channel-option{display:flex;align-items:center;gap:6px;padding:4px 8px;cursor:pointer;font-weight:normal}
.ga-channel-option:hover,.ga-channel-option:focus-within{background:rgba(var(--button-bg-rgb,28,88,217),.08)}
.ga-channel-option__icon{width:16px;text-align:center;opacity:.64}
.ga-button{padding:8px 16px;border:0;border-radius:4px;font-weight:600;cursor:pointer;background:rgba(var(--button-bg-rgb,28,88,217),.08);color:var(--button-bg,#1c58d9)}
.ga-button:disabled{opacity:.5;cursor:not-allowed}
.ga-button--primary{background:var(--button-bg,#1c58d9);color:var(--button-color,#fff)}
.ga-button--secondary{background:transparent;border:1px solid rgba(var(--button-bg-rgb,28,88,217),.4)}
.ga-button--danger{background:var(--error-text,#d24b4e);color:#fff}
.ga-button--small{padding:4px 10px;font-size:12px;margin:2px}
.ga-link-button{border:0;background:none;color:var(--link-color,#1c58d9);cursor:pointer;text-decoration:underline;margin-left:6px}
.ga-plain-list{list-style:none;margin:0;padding:0}
.ga-result{display:flex;flex-wrap:wrap;gap:8px;padding:6px 0;border-bottom:1px solid rgba(var(--center-channel-color-rgb,63,67,80),.08)}
.ga-result__email{font-weight:600;flex:1}
.ga-result--ok .ga-result__status{color:var(--online-indicator,#06d6a0)}
.ga-result--problem .ga-result__status{color:var(--error-text,#d24b4e)}
.ga-result__message{width:100%;font-size:12px;opacity:.72}
.ga-fullscreen{position:fixed;inset:0;z-index:10000;display:flex;align-items:center;justify-content:center;padding:24px;background:var(--center-channel-bg,#fff);color:var(--center-channel-color,#3f4350)}
.ga-fullscreen__panel{max-width:520px;text-align:center}
.ga-fullscreen__panel h1{font-size:24px;margin-bottom:16px}
.ga-fullscreen__actions{display:flex;justify-content:center;gap:8px;margin-top:24px}
.ga-dashboard{max-width:1100px}
.ga-section{margin:16px 0 24px}
.ga-section h3{font-size:16px;font-weight:600;margin:0 0 8px}
.ga-meters{display:flex;flex-wrap:wrap;gap:16px}
.ga-meter{min-width:180px;padding:12px;border:1px solid rgba(var(--center-channel-color-rgb,63,67,80),.12);border-radius:4px}
.ga-meter__label{font-size:12px;opacity:.72}
.ga-meter__value{font-size:20px;font-weight:600}
.ga-meter__bar{height:6px;margin-top:6px;border-radius:3px;background:rgba(var(--center-channel-color-rgb,63,67,80),.12);overflow:hidden}
.ga-meter__bar>div{height:100%;background:var(--online-indicator,#06d6a0)}
.ga-meter__bar--high>div{background:var(--away-indicator,#c37d00)}
.ga-meter__bar--full>div{background:var(--error-text,#d24b4e)}
.ga-toolbar{display:flex;flex-wrap:wrap;align-items:center;gap:4px;margin-bottom:8px}
.ga-table{width:100%;border-collapse:collapse;font-size:13px}
.ga-table th,.ga-table td{text-align:left;vertical-align:top;padding:6px 8px;border-bottom:1px solid rgba(var(--center-channel-color-rgb,63,67,80),.08)}
.ga-strong{font-weight:600}
.ga-actions{white-space:normal}
.ga-confirm{display:inline-flex;flex-wrap:wrap;align-items:center;gap:4px}
.ga-pager{display:flex;align-items:center;gap:8px;margin-top:8px}
.ga-guest-details{padding:8px 0}
.ga-fieldset{border:0;padding:0;margin:12px 0 0}
.ga-form__grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(240px,1fr));gap:0 16px}
.ga-fieldset>label{display:block;margin:2px 0}
.ga-user-option{padding:2px 0}
.ga-fieldset legend{font-weight:600;margin-bottom:4px}
.ga-rules-config{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px;margin:8px 0}
.ga-rules-config dt{font-weight:600}
.ga-rules-config dd{margin:0}
.ga-restriction{display:flex;align-items:center;justify-content:space-between;max-width:520px;padding:2px 0}
`;

/** Adds the stylesheet to the document once. */
export function ensureStyles(doc: Document = document): void {
    if (doc.getElementById(STYLE_ELEMENT_ID)) {
        return;
    }
    const style = doc.createElement('style');
    style.id = STYLE_ELEMENT_ID;
    style.textContent = css;
    doc.head.appendChild(style);
}

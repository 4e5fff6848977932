// The guest signup page: creates the guest account through the plugin, then
// signs in through Mattermost's own login API (which sets the session
// cookies) and goes to the first invited channel. An existing guest signs
// in first and then accepts with their session.
(function () {
  'use strict';
  var root = document.getElementById('signup');
  if (!root) { return; }
  var token = root.getAttribute('data-token');
  var csrf = root.getAttribute('data-csrf');
  // The page's messages in the visitor's language, from data-msg-* attributes.
  var msg = root.dataset;
  var base = '/plugins/guest-accounts/api/v1/invite/' + encodeURIComponent(token) + '/accept';
  var statusEl = document.getElementById('status');
  var formNew = document.getElementById('form-new');
  var formExisting = document.getElementById('form-existing');
  var tabNew = document.getElementById('tab-new');
  var tabExisting = document.getElementById('tab-existing');

  function show(which) {
    var isNew = which === 'new';
    formNew.hidden = !isNew;
    formExisting.hidden = isNew;
    tabNew.setAttribute('aria-selected', String(isNew));
    tabExisting.setAttribute('aria-selected', String(!isNew));
    setStatus('', '');
  }
  tabNew.addEventListener('click', function () { show('new'); });
  tabExisting.addEventListener('click', function () { show('existing'); });

  function setStatus(text, kind) {
    statusEl.textContent = text;
    statusEl.className = kind || '';
  }

  function cookie(name) {
    var parts = document.cookie.split('; ');
    for (var i = 0; i < parts.length; i++) {
      var kv = parts[i].split('=');
      if (kv[0] === name) { return decodeURIComponent(kv.slice(1).join('=')); }
    }
    return '';
  }

  function request(url, body, withSession) {
    var headers = {'Content-Type': 'application/json', 'X-Requested-With': 'XMLHttpRequest'};
    if (url === base) { headers['X-GA-CSRF'] = csrf; }
    if (withSession) { headers['X-CSRF-Token'] = cookie('MMCSRF'); }
    return fetch(url, {method: 'POST', credentials: 'same-origin', headers: headers, body: JSON.stringify(body)})
      .then(function (resp) {
        return resp.text().then(function (text) {
          var data = {};
          try { data = text ? JSON.parse(text) : {}; } catch (e) { data = {message: msg.msgUnexpected}; }
          if (!resp.ok) { throw new Error(data.message || msg.msgStatus.replace('%s', String(resp.status))); }
          return data;
        });
      });
  }

  function login(loginId, password) {
    return request('/api/v4/users/login', {login_id: loginId, password: password}, false);
  }

  function busy(form, on) {
    var b = form.querySelector('button[type="submit"]');
    b.disabled = on;
  }

  formNew.addEventListener('submit', function (ev) {
    ev.preventDefault();
    var f = formNew.elements;
    if (!formNew.checkValidity()) { setStatus(msg.msgFillIn, 'error'); return; }
    if (f.password.value !== f.password2.value) { setStatus(msg.msgMismatch, 'error'); return; }
    busy(formNew, true);
    setStatus(msg.msgCreating, '');
    var password = f.password.value;
    request(base, {username: f.username.value, password: password, first_name: f.first_name.value, last_name: f.last_name.value}, false)
      .then(function (res) {
        setStatus(msg.msgCreated, 'ok');
        return login(res.username, password).then(function () { window.location.assign(res.redirect); });
      })
      .catch(function (err) { setStatus(err.message, 'error'); busy(formNew, false); });
  });

  formExisting.addEventListener('submit', function (ev) {
    ev.preventDefault();
    var f = formExisting.elements;
    busy(formExisting, true);
    setStatus(msg.msgSigningIn, '');
    login(f.login_id.value, f.login_password.value)
      .then(function () { return request(base, {}, true); })
      .then(function (res) { setStatus(msg.msgDone, 'ok'); window.location.assign(res.redirect); })
      .catch(function (err) { setStatus(err.message, 'error'); busy(formExisting, false); });
  });
}());

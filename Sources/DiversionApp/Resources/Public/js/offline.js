/*
 * Offline capture for police officers. Enhances /contacts/offline: the form works without a network,
 * shows the eligibility and screening score computed here by DiversionRules (the server's rules), and
 * keeps each capture in IndexedDB with an idempotency key until the server has recorded it.
 *
 * Sync is safe: every capture is sent with its own Idempotency-Key, so a retry after a lost answer
 * is recorded once; a change to a person made against an older revision comes back as 409 and is
 * shown beside the server's values for the officer to choose; nothing is overwritten silently.
 * The queue is kept in IndexedDB and so survives closing the browser. When the session has ended,
 * the queue is kept and the officer is asked to sign in; sync resumes on the next visit.
 *
 * After a decision to divert the officer may choose a service, suggested here (DiversionServices) from the
 * directory the service worker keeps. The server checks the service again: when it can no longer take the
 * person, the contact is still recorded and the record shows "needs attention" with a link to refer online.
 */
(function () {
  'use strict';

  var app = document.getElementById('offline-app');
  if (!app) return;

  var DB_NAME = 'diversion-offline';
  var STORE = 'captures';
  var bundle = null;
  var directory = null;
  var needsTouched = false;
  var lastScore = null;
  var MODALITIES = ['brief_intervention', 'outpatient', 'intensive_outpatient', 'residential', 'withdrawal_management',
    'opioid_agonist_treatment', 'harm_reduction', 'mental_health', 'hiv_hepatitis', 'housing', 'employment', 'education', 'family_support'];
  var messages = {};
  var syncing = false;
  var $ = function (id) { return document.getElementById(id); };

  function t(key, values) {
    var text = messages[key] || key;
    Object.keys(values || {}).forEach(function (k) { text = text.split('{' + k + '}').join(String(values[k])); });
    return text;
  }

  // A screening level ("moderate", "positive") in the page's language; zone numerals stay as they are.
  function levelText(level) {
    return level === null || level === undefined ? '' : (messages['screening_level_' + level] || level);
  }

  /* ---- the rules' reasons in the page's language ----
   * DiversionRules words its reasons in English, as the server's core does; the bundle carries this language's
   * catalogue (bundle.reasons: sentences, words, names) and they are matched as FieldMessageTranslator matches them:
   * exact sentences, then patterns with {0}, {1}… (the one with most fixed text first), values put back in, a value
   * that is a known word, fragment or name shown in the language, and several sentences translated one by one. */

  var reasonTable = null;

  function table(map) {
    var exact = {}, patterns = [];
    Object.keys(map || {}).forEach(function (key) {
      if (!/\{\d+\}/.test(key)) { exact[key] = map[key]; return; }
      var slots = [], source = '^', parts = key.split(/(\{\d+\})/);
      parts.forEach(function (part, i) {
        var slot = /^\{(\d+)\}$/.exec(part);
        if (!slot) { source += part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'); return; }
        slots.push(Number(slot[1]));
        // Shortest value first, as the server does; a trailing slot takes the rest.
        source += parts.slice(i + 1).join('') === '' ? '([\\s\\S]*)' : '([\\s\\S]*?)';
      });
      patterns.push({ key: key, regex: new RegExp(source + '$'), slots: slots, translation: map[key],
        specificity: Array.from(key.replace(/\{\d+\}/g, '')).length });
    });
    patterns.sort(function (a, b) { return b.specificity - a.specificity || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0); });
    return { exact: exact, patterns: patterns };
  }

  function reasons() {
    if (!reasonTable) {
      var r = (bundle && bundle.reasons) || {};
      reasonTable = { sentences: table(r.sentences), words: table(r.words), names: r.names || {} };
      reasonTable.any = Object.keys(r.sentences || {}).length > 0;
    }
    return reasonTable;
  }

  function filled(entry, match, shown) {
    var values = {};
    entry.slots.forEach(function (n, i) { if (!(n in values)) values[n] = match[i + 1]; });
    return entry.translation.replace(/\{(\d+)\}/g, function (all, n) { return n in values ? shown(values[n]) : all; });
  }

  // A placeholder inside a pattern that took more than one sentence swallowed its neighbours: read sentence by sentence.
  function spansSentences(entry, match) {
    var trailing = /\{(\d+)\}$/.exec(entry.key);
    return entry.slots.some(function (n, i) {
      return !(trailing && Number(trailing[1]) === n) && /\. |。/.test(match[i + 1]);
    });
  }

  function matched(tableOf, text, shown) {
    if (Object.prototype.hasOwnProperty.call(tableOf.exact, text)) return tableOf.exact[text];
    for (var i = 0; i < tableOf.patterns.length; i++) {
      var m = tableOf.patterns[i].regex.exec(text);
      if (m && !spansSentences(tableOf.patterns[i], m)) return filled(tableOf.patterns[i], m, shown);
    }
    return null;
  }

  // Decimal numbers in a value ("12.5 g") are written the language's way; whole numbers (years) stay as they are.
  function shownNumbers(text) {
    if (text.indexOf('.') < 0 || typeof Intl === 'undefined') return text;
    var lang = bundle.language || 'en', tag = { ar: 'ar-u-nu-latn', zh: 'zh-Hans' }[lang] || lang;
    return text.split(' ').map(function (token) {
      if (!/^-?\d+\.\d+$/.test(token)) return token;
      var digits = token.split('.')[1].length;
      try { return new Intl.NumberFormat(tag, { maximumFractionDigits: Math.max(2, digits), useGrouping: true }).format(Number(token)); }
      catch (e) { return token; }
    }).join(' ');
  }

  function valueText(text) {
    var r = reasons(), lang = bundle.language;
    if (r.names[text]) return r.names[text];
    // A fragment's own values may be words or names too.
    var word = matched(r.words, text, valueText);
    if (word !== null) return word;
    var parts = text.split(', ');
    if (parts.length > 1) {
      var shown = parts.map(valueText);
      if (shown.join('\u0000') !== parts.join('\u0000')) return shown.join(lang === 'zh' ? '、' : lang === 'ar' ? '، ' : ', ');
    }
    return shownNumbers(text);
  }

  function reasonText(text) {
    var r = reasons();
    if (!r.any || typeof text !== 'string') return text;
    Object.keys(r.names).filter(function (n) { return /^\p{Lu}/u.test(n) && r.names[n] && r.names[n] !== n; })
      .sort(function (a, b) { return b.length - a.length; })
      .forEach(function (n) { text = text.split(n).join(r.names[n]); });
    var sentence = function (s) { return matched(r.sentences, s, valueText); };
    var whole = sentence(text);
    if (whole !== null) return whole;
    // Several sentences: each must be known; where one may end is after '.', '?' or '!' and a space.
    var starts = [0];
    for (var i = 0; i < text.length - 1; i++) if ('.?!'.indexOf(text[i]) >= 0 && text[i + 1] === ' ') starts.push(i + 2);
    if (starts.length < 2 || starts.length > 20) return text;
    var rest = [], separator = bundle.language === 'zh' ? '' : ' ';
    for (var a = starts.length - 1; a >= 0; a--) {
      for (var b = a + 1; b <= starts.length; b++) {
        if (b < starts.length && rest[b] == null) continue;
        var first = sentence(text.slice(starts[a], b === starts.length ? text.length : starts[b] - 1));
        if (first === null) continue;
        rest[a] = b === starts.length ? first : first + separator + rest[b];
        break;
      }
    }
    return rest[0] == null ? text : rest[0];
  }

  /* ---- IndexedDB: the queue ---- */

  var dbPromise = null;
  function db() {
    if (!dbPromise) {
      dbPromise = new Promise(function (resolve, reject) {
        var open = indexedDB.open(DB_NAME, 1);
        open.onupgradeneeded = function () {
          var store = open.result.createObjectStore(STORE, { keyPath: 'key' });
          store.createIndex('createdAt', 'createdAt');
        };
        open.onsuccess = function () { resolve(open.result); };
        open.onerror = function () { reject(open.error); };
      });
    }
    return dbPromise;
  }

  function tx(mode, work) {
    return db().then(function (d) {
      return new Promise(function (resolve, reject) {
        var transaction = d.transaction(STORE, mode);
        var result = work(transaction.objectStore(STORE));
        transaction.oncomplete = function () { resolve(result && 'result' in result ? result.result : undefined); };
        transaction.onerror = function () { reject(transaction.error); };
        transaction.onabort = function () { reject(transaction.error); };
      });
    });
  }

  function allCaptures() {
    return tx('readonly', function (store) { return store.getAll(); }).then(function (items) {
      return (items || []).sort(function (a, b) { return a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0; });
    });
  }
  function putCapture(item) { return tx('readwrite', function (store) { return store.put(item); }); }
  function deleteCapture(key) { return tx('readwrite', function (store) { return store.delete(key); }); }

  /* ---- the form ---- */

  var form = $('capture-form');
  var person = app.dataset.personId ? {
    id: app.dataset.personId, name: app.dataset.personName, birthDate: app.dataset.personBirthDate, sex: app.dataset.personSex,
    revision: Number(app.dataset.personRevision), preferredLanguage: app.dataset.personLanguage || '',
    flags: (app.dataset.personFlags || '').split(',').filter(Boolean)
  } : null;

  function value(id) { var el = $(id); return el ? String(el.value || '').trim() : ''; }
  function ticked(id) { var el = $(id); return !!(el && el.checked); }
  function decimal(text) {
    var n = Number(String(text).replace(',', '.'));
    return text === '' || isNaN(n) ? null : n;
  }

  // A datetime-local value (UTC) as the page's language writes it; the value itself stays ISO in the body sent.
  function shownTime(local) {
    var lang = document.documentElement.lang || 'en';
    var tag = { ar: 'ar-u-nu-latn', zh: 'zh-Hans' }[lang] || lang;
    var at = new Date(local + (local.length === 16 ? ':00Z' : 'Z'));
    if (isNaN(at.getTime()) || typeof Intl === 'undefined') return local.replace('T', ' ');
    try {
      return new Intl.DateTimeFormat(tag, { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }).format(at) + ' UTC';
    } catch (e) { return local.replace('T', ' '); }
  }
  function birthDate() { return person ? person.birthDate : value('person-birthDate'); }

  function ageOn(birth, day) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(birth || '')) return null;
    var b = birth.split('-').map(Number), d = day.split('-').map(Number);
    var age = d[0] - b[0];
    if (d[1] < b[1] || (d[1] === b[1] && d[2] < b[2])) age -= 1;
    return age;
  }

  // The instrument the policy picks for the person's age, shown alone.
  function instrument() {
    var day = (value('occurredAt') || new Date().toISOString()).slice(0, 10);
    var age = ageOn(birthDate(), day);
    var chosen = age !== null && age < Number(app.dataset.majority) ? app.dataset.minor : app.dataset.adult;
    document.querySelectorAll('.instrument').forEach(function (el) { el.hidden = el.dataset.instrument !== chosen; });
    return chosen;
  }

  function formValues(chosen) {
    var values = {}, any = false;
    var box = $('instrument-' + chosen);
    if (!box) return { values: values, any: false };
    box.querySelectorAll('[data-answer]').forEach(function (el) {
      if (el.type === 'radio') {
        if (el.checked) { values[el.dataset.answer] = el.value; any = true; }
      } else if (el.value !== '') {
        values[el.dataset.answer] = el.value; any = true;
      }
    });
    return { values: values, any: any };
  }

  var ASSIST = ['tobacco', 'alcohol', 'cannabis', 'cocaine', 'amphetamines', 'inhalants', 'sedatives', 'hallucinogens', 'opioids', 'other'];

  // The answers in the instrument's shape, read as the server reads its screening form.
  function answers(chosen, v) {
    var bool = function (k) { return v[k] === 'yes' ? true : v[k] === 'no' ? false : null; };
    var number = function (k) { var n = parseInt(v[k], 10); return isNaN(n) ? null : n; };
    var range = function (n, f) { var out = []; for (var i = 1; i <= n; i++) out.push(f(i)); return out; };
    switch (chosen) {
      case 'dast10': return range(10, function (i) { return bool('d' + i); });
      case 'audit': return range(10, function (i) { return number('a' + i); });
      case 'auditc': return range(3, function (i) { return number('a' + i); });
      case 'crafft': {
        var days = range(3, function (i) { return number('ca' + i) === null ? 0 : number('ca' + i); });
        var anyUse = days.some(function (n) { return n > 0; });
        return {
          partA: { alcoholDays: days[0], cannabisDays: days[1], otherDays: days[2] },
          partB: range(anyUse ? 6 : 1, function (i) { return bool('cb' + i); })
        };
      }
      case 'assist': {
        var root = {};
        ASSIST.forEach(function (s) {
          if (v[s + '_q1'] !== 'yes') return;
          var q = { q1: true, q2: number(s + '_q2') };
          if (q.q2 > 0) {
            q.q3 = number(s + '_q3');
            q.q4 = number(s + '_q4');
            if (s !== 'tobacco') q.q5 = number(s + '_q5');
          }
          q.q6 = number(s + '_q6');
          q.q7 = number(s + '_q7');
          root[s] = q;
        });
        var first = ASSIST.slice(2).filter(function (s) { return root[s]; })[0];
        if (first) root[first].q8 = number('inject');
        return root;
      }
    }
    return null;
  }

  // The form's own checks in the officer's language; the policy's reasons stay as the server words them.
  var FORM_PROBLEMS = { offences: 'offline_need_offence', occurredAt: 'offline_need_time',
    'seizures[0].quantity': 'offline_need_quantity', 'seizures[0].purityPercent': 'offline_need_purity' };
  function localised(e) {
    return FORM_PROBLEMS[e.field] && messages[FORM_PROBLEMS[e.field]] ? { field: e.field, reason: t(FORM_PROBLEMS[e.field]) } : e;
  }

  function sameFlags(a, b) { return a.slice().sort().join(',') === b.slice().sort().join(','); }

  // Reads the form into a capture, the local eligibility and score, or the problems to fix.
  function read() {
    var problems = [];
    var fields = {
      occurredAt: value('occurredAt'), offence: value('offence'),
      seizures: [{ substance: value('seizure-substance'), quantity: value('seizure-quantity'), unit: value('seizure-unit'), purity: value('seizure-purity'), packaging: [] }]
    };
    ['violence', 'weapon', 'supplyToMinors', 'nearSchool', 'organisedCrime'].forEach(function (k) { if (ticked(k)) fields[k] = '1'; });
    var asked = window.DiversionRules ? DiversionRules.questionFromForm(fields) : { errors: [{ field: 'rules', reason: t('offline_rules_missing') }] };
    if (asked.errors) problems = problems.concat(asked.errors.map(localised));
    var body = { contact: null };
    if (person) {
      body.personId = person.id;
      var language = value('person-preferredLanguage');
      var flags = Array.prototype.map.call(form.querySelectorAll('input[name="flags"]:checked'), function (el) { return el.value; });
      if (language !== person.preferredLanguage || !sameFlags(flags, person.flags)) {
        body.personChange = { baseRevision: person.revision, preferredLanguage: language || null, flags: flags };
      }
    } else {
      body.person = { givenName: value('person-givenName'), familyName: value('person-familyName'), birthDate: value('person-birthDate'), sex: value('person-sex') };
      if (!body.person.givenName) problems.push({ field: 'givenName', reason: t('offline_need_given_name') });
      if (!body.person.familyName) problems.push({ field: 'familyName', reason: t('offline_need_family_name') });
      if (!body.person.birthDate) problems.push({ field: 'birthDate', reason: t('offline_need_birth_date') });
      if (!body.person.sex) problems.push({ field: 'sex', reason: t('offline_need_sex') });
    }
    var local = { eligibility: null, score: null };
    if (asked.question) {
      var q = asked.question;
      body.contact = {
        occurredAt: new Date(value('occurredAt') + (value('occurredAt').length === 16 ? ':00Z' : 'Z')).toISOString(),
        region: value('region'), stage: q.stage, offences: q.offences.map(function (c) { return { category: c }; }),
        seizures: q.seizures, circumstances: q.circumstances
      };
      if (bundle) {
        var answer = DiversionRules.evaluateEligibility(bundle.policy, q);
        if (answer.errors) problems = problems.concat(answer.errors); else local.eligibility = answer;
      }
    }
    var chosen = instrument();
    var given = formValues(chosen);
    if (given.any) {
      var shaped = answers(chosen, given.values);
      var sex = person ? person.sex : value('person-sex');
      var scored = window.DiversionRules ? DiversionRules.scoreInstrument(chosen, shaped, sex || undefined) : null;
      if (scored && scored.errors) problems = problems.concat(scored.errors.map(function (e) { return { field: 'screening.' + e.field, reason: e.reason }; }));
      else local.score = scored;
      body.screening = { instrument: chosen, answers: shaped };
    }
    if (value('decision')) body.decision = { decision: value('decision'), reason: value('decision-reason') || null };
    lastScore = local.score;
    var referral = referralPart();
    if (referral) body.referral = referral;
    return { body: body, local: local, problems: problems };
  }

  /* ---- the referral ---- */

  function chosenNeeds() {
    return Array.prototype.map.call(document.querySelectorAll('#referral-needs input:checked'), function (el) { return el.value; });
  }

  function buildNeeds() {
    var box = $('referral-needs');
    MODALITIES.forEach(function (m) {
      var div = document.createElement('div'), input = document.createElement('input'), label = document.createElement('label');
      div.className = 'check';
      input.type = 'checkbox'; input.id = 'need-' + m; input.value = m;
      input.addEventListener('change', function () { needsTouched = true; });
      label.htmlFor = input.id;
      label.textContent = messages['modality_' + m] || m.replace(/_/g, ' ');
      div.appendChild(input); div.appendChild(label);
      box.appendChild(div);
    });
  }

  // Who is referred, as the server's matching reads the person: age today, sex, language and needs flags.
  function subject() {
    var flags = person ? Array.prototype.map.call(form.querySelectorAll('input[name="flags"]:checked'), function (el) { return el.value; }) : [];
    return {
      age: ageOn(birthDate(), new Date().toISOString().slice(0, 10)), sex: person ? person.sex : value('person-sex'),
      language: person ? value('person-preferredLanguage') || null : null, region: value('region') || null,
      pregnant: flags.indexOf('pregnant') >= 0, caringForChildren: flags.indexOf('caringForChildren') >= 0
    };
  }

  // Shown after a decision to divert; the list follows the person, the needs and the kept directory.
  function refreshReferral() {
    var section = $('referral');
    section.hidden = value('decision') !== 'divert' || !window.DiversionServices;
    if (section.hidden) return;
    $('referral-no-directory').hidden = !!directory;
    if (!needsTouched) {
      var wanted = DiversionServices.needsFrom(lastScore);
      document.querySelectorAll('#referral-needs input').forEach(function (el) { el.checked = wanted.indexOf(el.value) >= 0; });
    }
    var select = $('referral-service'), keep = select.value;
    while (select.options.length > 1) select.remove(1);
    DiversionServices.suggest(subject(), chosenNeeds(), directory || []).forEach(function (s) {
      var notes = [s.service.region].concat(s.full ? [t('offline_referral_full_tag')] : []).concat(s.otherRegion ? [t('offline_referral_other_region')] : []);
      var option = new Option(s.service.name + ' (' + notes.join(', ') + ')', s.service.id);
      option.dataset.name = s.service.name;
      option.dataset.full = String(s.full);
      select.add(option);
      if (s.service.id === keep) option.selected = true;
    });
  }

  function referralPart() {
    var service = value('referral-service');
    if (value('decision') !== 'divert' || !service) return null;
    return { serviceId: service, reason: value('referral-reason') || null, urgency: value('referral-urgency') || 'routine', needs: chosenNeeds() };
  }

  function showProblems(problems) {
    var box = $('form-problems');
    box.textContent = '';
    box.hidden = problems.length === 0;
    if (!problems.length) return;
    var p = document.createElement('p');
    p.textContent = t('offline_fix_first');
    var ul = document.createElement('ul');
    problems.forEach(function (e) {
      var li = document.createElement('li');
      li.textContent = reasonText(e.reason) + ' (' + e.field + ')';
      ul.appendChild(li);
    });
    box.appendChild(p);
    box.appendChild(ul);
  }

  function showLocal(local) {
    var section = $('local-result'), out = $('local-result-body');
    out.textContent = '';
    section.hidden = !local.eligibility && !local.score;
    if (local.eligibility) {
      var e = local.eligibility;
      var head = document.createElement('p');
      head.id = 'local-eligibility';
      head.className = e.eligible ? 'local-eligible' : 'local-not-eligible';
      head.dataset.eligible = String(e.eligible);
      head.textContent = e.eligible
        ? t('offline_local_eligible', { route: messages['route_' + e.route] || e.route || '' })
        : t('offline_local_not_eligible');
      out.appendChild(head);
      var ul = document.createElement('ul');
      ul.id = 'local-reasons';
      e.reasons.forEach(function (r) {
        var li = document.createElement('li');
        li.textContent = (r.passed ? '✓ ' : '✗ ') + reasonText(r.detail);
        ul.appendChild(li);
      });
      out.appendChild(ul);
      var version = document.createElement('p');
      version.className = 'muted';
      version.textContent = t('offline_policy_version', { version: e.policyVersion });
      out.appendChild(version);
    }
    if (local.score) {
      var s = document.createElement('p');
      s.id = 'local-score';
      s.dataset.score = String(local.score.score);
      s.dataset.level = local.score.level;
      s.textContent = t('offline_local_score', { instrument: local.score.instrument, score: local.score.score, level: levelText(local.score.level) });
      out.appendChild(s);
    }
  }

  function check() {
    var r = read();
    showProblems(r.problems);
    showLocal(r.local);
    return r;
  }

  function newKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    // Older browsers: a version 4 UUID from the same cryptographic source.
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join('');
    return h.slice(0, 8) + '-' + h.slice(8, 12) + '-' + h.slice(12, 16) + '-' + h.slice(16, 20) + '-' + h.slice(20);
  }

  function save(event) {
    event.preventDefault();
    var r = check();
    if (r.problems.length || !r.body.contact) {
      var box = $('form-problems');
      box.setAttribute('tabindex', '-1');
      box.focus();
      return;
    }
    var label = person ? person.name : r.body.person.givenName + ' ' + r.body.person.familyName;
    var chosen = $('referral-service').selectedOptions[0];
    var item = {
      service: r.body.referral && chosen ? chosen.dataset.name : null,
      key: newKey(), createdAt: new Date().toISOString(), user: app.dataset.user, label: label + ' · ' + shownTime(value('occurredAt')),
      state: 'waiting', body: r.body, local: {
        eligible: r.local.eligibility ? r.local.eligibility.eligible : null,
        score: r.local.score ? r.local.score.score : null, level: r.local.score ? r.local.score.level : null
      }
    };
    putCapture(item).then(function () {
      announce(t('offline_saved', { name: label }));
      resetForm();
      return render();
    }).then(function () { if (navigator.onLine) sync(); });
  }

  function resetForm() {
    var keepTime = value('occurredAt'), keepRegion = value('region');
    form.reset();
    $('occurredAt').value = keepTime;
    $('region').value = keepRegion;
    setPersonFields();
    instrument();
    needsTouched = false;
    lastScore = null;
    refreshReferral();
  }

  function setPersonFields() {
    if (!person) return;
    form.querySelectorAll('input[name="flags"]').forEach(function (el) { el.checked = person.flags.indexOf(el.value) >= 0; });
    $('person-preferredLanguage').value = person.preferredLanguage;
  }

  /* ---- the queue panel ---- */

  function announce(text) { $('sync-message').textContent = text; }

  function render() {
    return allCaptures().then(function (all) {
      // Another officer's records on a shared device are neither shown nor sent here.
      var items = all.filter(function (i) { return !i.user || i.user === app.dataset.user; });
      var open = items.filter(function (i) { return i.state !== 'synced' && i.state !== 'attention'; });
      $('sync-count').textContent = open.length ? t('offline_waiting_count', { count: open.length }) : t('offline_nothing_waiting');
      $('sync-count').dataset.count = String(open.length);
      $('sync-sign-in').hidden = !items.some(function (i) { return i.state === 'signin'; });
      var list = $('sync-list');
      list.textContent = '';
      items.forEach(function (item) { list.appendChild(row(item)); });
    });
  }

  function row(item) {
    var li = document.createElement('li');
    li.className = 'capture';
    li.dataset.key = item.key;
    li.dataset.state = item.state;
    var name = document.createElement('strong');
    name.textContent = item.label;
    li.appendChild(name);
    var state = document.createElement('span');
    state.className = 'state state-' + item.state;
    state.textContent = t('offline_state_' + item.state);
    li.appendChild(state);
    if (item.local && item.local.eligible !== null && item.local.eligible !== undefined) {
      var local = document.createElement('p');
      local.className = 'muted';
      local.textContent = (item.local.eligible ? t('offline_local_eligible_short') : t('offline_local_not_eligible_short'))
        + (item.local.score !== null ? ' · ' + t('offline_score_short', { score: item.local.score, level: levelText(item.local.level) }) : '');
      li.appendChild(local);
    }
    if (item.user && item.user !== app.dataset.user) {
      var other = document.createElement('p');
      other.className = 'muted';
      other.textContent = t('offline_other_officer', { user: item.user });
      li.appendChild(other);
    }
    if (item.state === 'synced' && item.result) {
      var link = document.createElement('a');
      link.href = '/contacts/' + item.result.contactId;
      link.textContent = t('offline_open_contact');
      li.appendChild(document.createTextNode(' '));
      li.appendChild(link);
    }
    if (item.result && item.result.referral) li.appendChild(referralView(item));
    if (item.state === 'rejected' && item.problem) {
      var p = document.createElement('p');
      p.className = 'error';
      // A refused form is introduced in the page's language; its fields' reasons follow, translated where known.
      p.textContent = item.problem.errors && item.problem.errors.length && messages.offline_fix_first ? t('offline_fix_first') : reasonText(item.problem.detail);
      li.appendChild(p);
      if (item.problem.errors && item.problem.errors.length) {
        var ul = document.createElement('ul');
        item.problem.errors.forEach(function (e) {
          var x = document.createElement('li');
          x.textContent = e.field + ': ' + reasonText(e.reason);
          ul.appendChild(x);
        });
        li.appendChild(ul);
      }
      li.appendChild(button(t('offline_discard'), 'discard', function () { deleteCapture(item.key).then(render); }));
    }
    if (item.state === 'conflict' && item.conflict) li.appendChild(conflictView(item));
    return li;
  }

  // A referral sent with the record, or the reason it was not and where to refer online; never dropped silently.
  function referralView(item) {
    var r = item.result.referral, p = document.createElement('div');
    p.className = 'referral-outcome';
    p.dataset.referral = r.status;
    var text = document.createElement('p');
    var name = item.service || r.serviceId;
    if (r.status === 'sent') {
      var sent = document.createElement('a');
      sent.href = '/referrals/' + r.referralId;
      sent.textContent = t('offline_referral_sent', { service: name });
      text.appendChild(sent);
      p.appendChild(text);
      return p;
    }
    text.className = 'error';
    text.textContent = t(r.problem === 'service_full' ? 'offline_referral_problem_full' : 'offline_referral_problem_cannot_take', { service: name })
      + (r.detail ? ' (' + r.detail + ')' : '');
    p.appendChild(text);
    if (item.state === 'attention') {
      var online = document.createElement('a');
      online.href = r.referOnline;
      online.className = 'refer-online';
      online.textContent = t('offline_refer_online');
      p.appendChild(online);
      p.appendChild(document.createTextNode(' '));
      p.appendChild(button(t('offline_referral_dismiss'), 'dismiss', function () {
        item.state = 'synced';
        putCapture(item).then(render);
      }));
    }
    return p;
  }

  function button(text, role, action) {
    var b = document.createElement('button');
    b.type = 'button';
    b.className = 'secondary';
    b.dataset.action = role;
    b.textContent = text;
    b.addEventListener('click', action);
    return b;
  }

  function flagNames(flags) {
    return (flags || []).map(function (f) { var el = document.querySelector('label[for="flag-' + f + '"]'); return el ? el.textContent : f; }).join(', ') || '—';
  }

  function versionBox(title, revision, details, side) {
    var box = document.createElement('div');
    box.className = 'version version-' + side;
    var h = document.createElement('h3');
    h.textContent = title;
    box.appendChild(h);
    var dl = document.createElement('dl');
    [[t('offline_field_revision'), String(revision)], [t('offline_field_language'), details.preferredLanguage || '—'], [t('offline_field_flags'), flagNames(details.flags)]]
      .forEach(function (pair) {
        var dt = document.createElement('dt'); dt.textContent = pair[0];
        var dd = document.createElement('dd'); dd.textContent = pair[1];
        dd.dataset.field = pair[0];
        dl.appendChild(dt); dl.appendChild(dd);
      });
    box.appendChild(dl);
    return box;
  }

  // Both versions side by side; the officer's choice is the only way the capture moves on.
  function conflictView(item) {
    var c = item.conflict;
    var wrap = document.createElement('div');
    wrap.className = 'conflict';
    wrap.setAttribute('role', 'group');
    wrap.setAttribute('aria-label', t('offline_conflict_title'));
    var p = document.createElement('p');
    p.textContent = t('offline_conflict_explain', { name: c.current.givenName + ' ' + c.current.familyName });
    wrap.appendChild(p);
    var versions = document.createElement('div');
    versions.className = 'versions';
    versions.appendChild(versionBox(t('offline_conflict_mine'), c.yours.baseRevision, c.yours, 'mine'));
    versions.appendChild(versionBox(t('offline_conflict_theirs'), c.current.revision, c.current, 'theirs'));
    wrap.appendChild(versions);
    wrap.appendChild(button(t('offline_keep_mine'), 'keep-mine', function () { resolve(item, 'mine'); }));
    wrap.appendChild(document.createTextNode(' '));
    wrap.appendChild(button(t('offline_keep_theirs'), 'keep-theirs', function () { resolve(item, 'theirs'); }));
    return wrap;
  }

  // Keep mine: the same change, now against the revision the officer has seen. Keep theirs: the
  // capture is still recorded, without the change to the person.
  function resolve(item, choice) {
    if (choice === 'mine') item.body.personChange.baseRevision = item.conflict.current.revision;
    else delete item.body.personChange;
    item.state = 'waiting';
    item.resolved = choice;
    delete item.conflict;
    return putCapture(item).then(render).then(sync);
  }

  /* ---- sync ---- */

  function session() {
    return fetch(app.dataset.session, { credentials: 'same-origin', redirect: 'manual', cache: 'no-store', headers: { Accept: 'application/json' } })
      .then(function (r) {
        if (r.type === 'opaqueredirect' || r.status === 401 || r.status === 403) return { signedOut: true };
        if (!r.ok) throw new Error('session ' + r.status);
        return r.json();
      });
  }

  function problemOf(response) {
    return response.json().catch(function () { return { detail: t('offline_server_problem', { status: response.status }) }; });
  }

  function send(item, csrf) {
    var body = Object.assign({}, item.body, { csrf: csrf });
    return fetch(app.dataset.captures, {
      method: 'POST', credentials: 'same-origin', redirect: 'manual', cache: 'no-store',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'Idempotency-Key': item.key },
      body: JSON.stringify(body)
    });
  }

  function sync() {
    if (syncing) return Promise.resolve();
    syncing = true;
    $('sync-now').disabled = true;
    var sent = 0;
    return allCaptures().then(function (items) {
      var due = items.filter(function (i) {
        return (i.state === 'waiting' || i.state === 'sending' || i.state === 'signin') && (!i.user || i.user === app.dataset.user);
      });
      if (!due.length) return;
      return session().then(function (s) {
        if (s.signedOut) {
          due.forEach(function (i) { i.state = 'signin'; });
          return Promise.all(due.map(putCapture)).then(function () { announce(t('offline_signed_out')); });
        }
        if (s.username !== app.dataset.user) {
          announce(t('offline_other_officer', { user: app.dataset.user }));
          return;
        }
        // One at a time, in the order recorded; stop at the first sign that the network is gone.
        return due.reduce(function (chain, item) {
          return chain.then(function (stop) {
            if (stop) return true;
            item.state = 'sending';
            return putCapture(item).then(render).then(function () { return send(item, s.csrf); }).then(function (response) {
              if (response.status === 201 || response.status === 200) {
                return response.json().then(function (recorded) {
                  item.result = { contactId: recorded.contact.id, personId: recorded.personId, replayed: response.headers.get('Idempotent-Replayed') === 'true',
                    referral: recorded.referral || null };
                  item.state = recorded.referral && recorded.referral.status !== 'sent' ? 'attention' : 'synced';
                  sent += 1;
                  if (person && recorded.personId === person.id) {
                    // The device's copy now matches what was sent, so the next capture starts from the officer's own change.
                    var change = item.body && item.body.personChange;
                    if (change) {
                      person.preferredLanguage = change.preferredLanguage || '';
                      person.flags = change.flags || [];
                      setPersonFields();
                    }
                    person.revision = recorded.personRevision;
                  }
                  return putCapture(item).then(function () { return false; });
                });
              }
              var json = /json/.test(response.headers.get('Content-Type') || '');
              // The session ended while sending: the page's form check refuses before the capture is read.
              if (response.type === 'opaqueredirect' || response.status === 401 || (response.status === 403 && !json)) {
                item.state = 'signin';
                return putCapture(item).then(function () { announce(t('offline_signed_out')); return true; });
              }
              return problemOf(response).then(function (problem) {
                if (response.status === 409 && problem.current) {
                  item.state = 'conflict';
                  item.conflict = { current: problem.current, yours: problem.yours };
                  announce(t('offline_conflict_title') + ': ' + item.label);
                } else if (response.status >= 500 || response.status === 429) {
                  item.state = 'waiting';
                  return putCapture(item).then(function () { return true; });
                } else {
                  item.state = 'rejected';
                  item.problem = { detail: problem.detail || '', errors: problem.errors || [], status: response.status };
                }
                return putCapture(item).then(function () { return false; });
              });
            }, function () {
              // No network: it waits for the next chance.
              item.state = 'waiting';
              return putCapture(item).then(function () { return true; });
            });
          });
        }, Promise.resolve(false));
      });
    }).catch(function () {
      announce(t('offline_sync_later'));
    }).then(function () {
      syncing = false;
      $('sync-now').disabled = false;
      if (sent) announce(t('offline_synced_count', { count: sent }));
      return render();
    });
  }

  function showConnection() {
    var el = $('connection');
    el.hidden = false;
    el.className = 'connection ' + (navigator.onLine ? 'online' : 'offline');
    el.textContent = navigator.onLine ? t('offline_online') : t('offline_offline');
  }

  /* ---- start ---- */

  function start() {
    $('offline-needs-js').hidden = true;
    form.hidden = false;
    $('sync-panel').hidden = false;
    setPersonFields();
    instrument();
    buildNeeds();
    refreshReferral();
    // Any change may move the suggestions: the decision, the person, the needs, the region, the screening.
    form.addEventListener('change', function (e) {
      if (e.target.id === 'referral-service' || e.target.id === 'referral-urgency') return;
      if (e.target.closest && e.target.closest('.instrument')) read();
      refreshReferral();
    });
    ['occurredAt', 'person-birthDate'].forEach(function (id) { var el = $(id); if (el) el.addEventListener('change', instrument); });
    form.addEventListener('submit', save);
    $('check-capture').addEventListener('click', check);
    $('sync-now').addEventListener('click', sync);
    $('sync-clear').addEventListener('click', function () {
      allCaptures().then(function (items) {
        return Promise.all(items.filter(function (i) { return i.state === 'synced'; }).map(function (i) { return deleteCapture(i.key); }));
      }).then(render);
    });
    window.addEventListener('online', function () { showConnection(); sync(); });
    window.addEventListener('offline', showConnection);
    showConnection();
    render().then(function () { if (navigator.onLine) sync(); });
  }

  if ('serviceWorker' in navigator) {
    navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch(function () {});
  }

  function json(url) {
    return fetch(url, { credentials: 'same-origin', headers: { Accept: 'application/json' } })
      .then(function (r) { if (!r.ok || r.redirected) throw new Error(url + ' ' + r.status); return r.json(); });
  }

  Promise.all([
    json(app.dataset.bundle).then(function (b) { bundle = b; messages = b.messages || {}; })
      .catch(function () { /* Without the bundle the form still queues captures; the server evaluates them. */ }),
    json(app.dataset.services).then(function (d) { directory = d.items || []; })
      .catch(function () { /* Without the directory no referral is offered here; the officer refers online. */ })
  ]).then(start);
})();

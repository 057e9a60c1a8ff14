/*
 * The server's eligibility rules and screening scores (DiversionCore), for officers working offline.
 * Tests/vectors/*.json hold cases answered by the core: SharedVectorTests checks the core against them,
 * Tests/browser/rules_vectors.py this file. Plain ES2017; in a page or, via importScripts, a worker.
 *
 * DiversionRules.evaluateEligibility(policy, question) -> answer | {errors}
 *   policy: the active policy as GET /api/v1/policy returns it.
 *   question: {authority = "police", stage = "pre_trial", occurredOn: "YYYY-MM-DD" (UTC day),
 *     offences: [category code], seizures: [{substance, quantity, unit, purityPercent?, packaging?: [sign]}],
 *     circumstances?: {violence, weapon, supplyToMinors, nearSchool, organisedCrime: boolean},
 *     history?: {contacts, diversions, seriousConvictions: [date],
 *                nearThresholdSeizures: [{date, substance, percentOfThreshold}]}}
 *     The history is what the server knows of the person; offline it is empty, so the server's
 *     evaluation on sync settles the rules that count earlier records.
 *   answer: {eligible, route (or null), stage, policyVersion, reasons: [{rule, passed, detail}],
 *     indicators: [{code, detail}], percentOfThreshold: [{substance, percentOfThreshold}], reviewBy}
 *     (POST /api/v1/eligibility/evaluate adds policyId, recommendedDecision and screeningInstrument).
 * DiversionRules.scoreInstrument(instrument, answers, sex?) -> result | {errors}
 *   As POST /api/v1/screenings/score: assist, dast10, audit, auditc (needs sex) or crafft; result:
 *   {instrument, version, score, level, recommendation, substances (ASSIST's [{substance, score, level}] or null)}.
 * DiversionRules.questionFromForm(fields) -> {question} | {errors}
 *   The contact form read as the server reads it: {occurredAt (datetime-local, taken as UTC), stage?, offence,
 *   seizures: [{substance, quantity, unit, purity, packaging}], violence, weapon, … (present = ticked)}.
 * DiversionRules.formatNumber(x) -> text: a number as the reasons write it.
 * {errors} is [{field, reason}], as in the API's 422 problem and in the same order. Which instrument fits
 * the person's age (policy.instruments, ageOfMajority) is for the caller to choose, as the server's form does.
 */
(function (root) {
  'use strict';

  var own = function (o, k) { return Object.prototype.hasOwnProperty.call(o, k); };
  var isObject = function (v) { return v !== null && typeof v === 'object' && !Array.isArray(v); };
  // Swift's == is canonical equivalence, which NFC forms reproduce.
  var same = function (a, b) { return typeof a === 'string' && a.normalize('NFC') === b.normalize('NFC'); };
  // Swift's prefix(n) counts characters (grapheme clusters), not UTF-16 units.
  var segmenter = typeof Intl !== 'undefined' && Intl.Segmenter ? new Intl.Segmenter() : null;
  function prefix(text, n) {
    var parts = segmenter ? Array.from(segmenter.segment(String(text)), function (s) { return s.segment; }) : Array.from(String(text));
    return parts.slice(0, n).join('');
  }
  // Swift sorts strings by NFC code points; JavaScript's default sort by UTF-16 units.
  function byCodePoint(a, b) {
    var x = Array.from(a.normalize('NFC')), y = Array.from(b.normalize('NFC'));
    for (var i = 0; i < x.length && i < y.length; i++) if (x[i] !== y[i]) return x[i].codePointAt(0) - y[i].codePointAt(0);
    return x.length - y.length;
  }
  // A list of {field, reason} with add(field, reason); failed() hands out a plain copy.
  var Errors = function () { var list = []; list.add = function (f, r) { list.push({ field: f, reason: r }); }; return list; };
  var failed = function (errors) { return { errors: errors.slice() }; };

  /* Numbers as the reasons write them (Eligibility.format): whole numbers plainly, others as C's "%.4g". */
  function formatNumber(x) {
    if (Number.isInteger(x) && Math.abs(x) < 1e15) return String(x);
    // %.4g rounds the double's exact value to four digits, a tie to even; 99 digits are enough to see a tie.
    var s = Math.abs(x).toExponential(99), e = s.indexOf('e'), exp = Number(s.slice(e + 1));
    var digits = s[0] + s.slice(2, e), head = Number(digits.slice(0, 4)), rest = digits.slice(4);
    if (rest[0] > '5' || (rest[0] === '5' && (/[1-9]/.test(rest.slice(1)) || head % 2))) head += 1;
    if (head === 10000) { head = 1000; exp += 1; }
    var h = String(head), sign = x < 0 ? '-' : '';
    if (exp < -4 || exp >= 4) {
      return sign + (h[0] + '.' + h.slice(1)).replace(/\.?0+$/, '') + 'e' + (exp < 0 ? '-' : '+') + String(Math.abs(exp)).padStart(2, '0');
    }
    var text = exp >= 0 ? h.slice(0, exp + 1) + '.' + h.slice(exp + 1) : '0.' + '0'.repeat(-exp - 1) + h;
    return sign + text.replace(/0+$/, '').replace(/\.$/, '');
  }

  /* Calendar dates, YYYY-MM-DD, as {y, m, d}. */
  function daysIn(m, y) {
    return m === 2 ? ((y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28) : [4, 6, 9, 11].indexOf(m) >= 0 ? 30 : 31;
  }
  function parseDate(text) {
    var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text), d = m && { y: +m[1], m: +m[2], d: +m[3] };
    return d && d.m >= 1 && d.m <= 12 && d.d >= 1 && d.d <= daysIn(d.m, d.y) ? d : null;
  }
  var dateText = function (d) { return String(d.y).padStart(4, '0') + '-' + String(d.m).padStart(2, '0') + '-' + String(d.d).padStart(2, '0'); };
  var dateKey = function (d) { return d.y * 10000 + d.m * 100 + d.d; };
  function addDays(d, days) {
    var t = new Date(0);
    t.setUTCFullYear(d.y, d.m - 1, d.d + days);
    return { y: t.getUTCFullYear(), m: t.getUTCMonth() + 1, d: t.getUTCDate() };
  }

  /* Eligibility (Eligibility.evaluate). */
  var UNITS = ['g', 'mg', '\u00b5g', 'tablets', 'pieces', 'plants', 'blotters'];
  var GRAMS = { g: 1, mg: 0.001, '\u00b5g': 0.000001 }; // counts never convert to mass
  var SIGNS = { many_small_bags: 'many small bags', scales: 'scales', cash: 'cash', cutting_agents: 'cutting agents', customer_list: 'a customer list' };
  var EXCLUSIONS = [['violence', 'violence', 'violence', 'No violence was recorded.'], ['weapon', 'weapon', 'a weapon', 'No weapon was recorded.'],
    ['supply_to_minors', 'supplyToMinors', 'supply to minors', 'No supply to minors was recorded.'],
    ['near_school', 'nearSchool', 'an offence near a school', 'Nothing was recorded near a school.'],
    ['organised_crime', 'organisedCrime', 'a link to organised crime', 'No link to organised crime was recorded.']];
  var STAGES = ['pre_trial', 'trial', 'sentencing', 'post_sentencing'];
  var codes = function (list) { return list.map(function (x) { return x.code; }).join(', '); };

  function unitOf(text) {
    if (text === 'ug' || text === 'mcg' || text === '\u03bcg') return '\u00b5g'; // as people type micrograms
    return UNITS.find(function (u) { return same(text, u); }) || null;
  }

  function evaluateEligibility(policy, question) {
    var q = question || {}, h = q.history || {}, c = q.circumstances || {}, errors = Errors(), f = formatNumber;
    var reasons = [], indicators = [], percents = [], reason = function (rule, passed, detail) { reasons.push({ rule: rule, passed: passed, detail: detail }); };
    var authority = q.authority || 'police', stage = q.stage || 'pre_trial', day = parseDate(q.occurredOn);
    if (['police', 'prosecution', 'court'].indexOf(authority) < 0) errors.add('authority', 'Use one of police, prosecution, court.');
    if (STAGES.indexOf(stage) < 0) errors.add('stage', 'Use one of ' + STAGES.join(', ') + '.');
    if (!day) errors.add('occurredOn', 'Write the date as YYYY-MM-DD.');
    var dates = function (key) {
      return (h[key] || []).map(function (x, i) {
        var d = parseDate(isObject(x) ? x.date : x);
        if (!d) errors.add('history.' + key + '[' + i + ']', 'Write the date as YYYY-MM-DD.');
        return d;
      });
    };
    var contacts = dates('contacts'), diversions = dates('diversions'), convictions = dates('seriousConvictions'), nearDays = dates('nearThresholdSeizures');
    if (errors.length) return failed(errors);

    var offences = q.offences || [], seizures = q.seizures || [];
    if (!offences.length) errors.add('offences', 'Give at least one offence category.');
    offences.forEach(function (code, i) {
      var cat = policy.offenceCategories.find(function (x) { return same(code, x.code); });
      if (!cat) return errors.add('offences[' + i + '].category', "'" + prefix(code, 40) + "' is not an offence category of this policy; use " + codes(policy.offenceCategories) + '.');
      var passed = cat.minor && cat.nonViolent;
      reason('offence_category', passed, cat.name + (passed ? ' is minor and non-violent.' : cat.minor ? ' is not non-violent.' : ' is not a minor offence.'));
    });

    seizures.forEach(function (s, i) {
      var path = 'seizures[' + i + ']', sub = policy.substances.find(function (x) { return same(s.substance, x.code); });
      if (!sub) return errors.add(path + '.substance', "'" + prefix(s.substance, 40) + "' is not a substance of this policy; use " + codes(policy.substances) + '.');
      var unit = unitOf(s.unit), qty = s.quantity, tested = s.purityPercent == null ? null : s.purityPercent, signs = [];
      if (!unit) return errors.add(path + '.unit', "'" + prefix(s.unit, 20) + "' is not a unit; use " + UNITS.join(', ') + '.');
      if (!(typeof qty === 'number' && qty > 0 && qty <= 1000000)) return errors.add(path + '.quantity', 'Give a quantity above 0 and at most 1000000.');
      if (tested !== null && !(typeof tested === 'number' && tested > 0 && tested <= 100)) return errors.add(path + '.purityPercent', 'A purity is a percentage above 0 and at most 100.');
      (s.packaging || []).forEach(function (text, j) {
        var key = Object.keys(SIGNS).find(function (k) { return same(text, k); });
        if (key) signs.push(SIGNS[key]);
        else errors.add(path + '.packaging[' + j + ']', "'" + prefix(text, 40) + "' is not a packaging sign; use " + Object.keys(SIGNS).join(', ') + '.');
      });
      // Masses convert as amount × from ÷ to, in that order like the core, so the doubles agree to the last bit.
      var converted = unit === sub.unit ? qty : GRAMS[unit] && GRAMS[sub.unit] ? qty * GRAMS[unit] / GRAMS[sub.unit] : null;
      if (converted === null) return errors.add(path + '.unit', sub.name + ' is counted in ' + sub.unit + ' under this policy; ' + unit + ' cannot be compared with it.');
      var amount = converted, measured = f(qty) + ' ' + unit + (unit !== sub.unit ? ' (' + f(converted) + ' ' + sub.unit + ')' : '');
      if (sub.basis === 'pure') {
        // Untested material counts at the policy's assumed purity, or as wholly pure when it names none.
        var purity = tested !== null ? tested : sub.assumedPurityPercent != null ? sub.assumedPurityPercent : 100;
        amount = converted * purity / 100;
        measured += ' at ' + f(purity) + ' % ' + (tested === null ? 'assumed' : 'tested') + ' purity = ' + f(amount) + ' ' + sub.unit + ' pure';
      }
      var percent = amount / sub.threshold * 100, presumption = sub.threshold * sub.traffickingMultiple;
      percents.push({ substance: sub.code, percentOfThreshold: percent });
      // At the threshold is still personal use; at the trafficking multiple itself trafficking is presumed.
      var inside = amount <= sub.threshold, below = amount < presumption;
      reason('personal_use_threshold', inside, sub.name + ' ' + measured + (inside ? ' \u2264 ' : ' > ') + f(sub.threshold) + ' ' + sub.unit + ' personal-use threshold (' + sub.basis + ').');
      reason('trafficking_presumption', below, sub.name + ' ' + f(amount) + ' ' + sub.unit + ' is ' + (below ? 'below' : 'at or above') + ' ' + f(sub.traffickingMultiple) +
        ' \u00d7 the threshold (' + f(presumption) + ' ' + sub.unit + '), ' + (below ? 'so trafficking is not presumed.' : 'where trafficking is presumed.'));
      if (signs.length) indicators.push({ code: 'packaging', detail: sub.name + ' was found with ' + signs.join(', ') + '. A possible sign of supply, not proof.' });
      if (percent >= policy.nearThresholdBand.fromPercent && percent <= policy.nearThresholdBand.toPercent) { // both band edges count
        var earlier = (h.nearThresholdSeizures || []).map(function (n, k) { return same(n.substance, sub.code) ? dateText(nearDays[k]) + ' at ' + f(n.percentOfThreshold) + ' %' : null; })
          .filter(function (x) { return x !== null; });
        if (earlier.length) {
          indicators.push({ code: 'near_threshold_repeat', detail: sub.name + ' at ' + f(percent) + ' % of the threshold again; earlier near-threshold seizures: ' +
            earlier.join(', ') + '. A possible sign of supply kept under the threshold, not proof.' });
        }
      }
    });
    if (!seizures.length) reason('personal_use_threshold', true, 'No substance was seized.');
    if (errors.length) return failed(errors);

    var e = policy.exclusions;
    EXCLUSIONS.forEach(function (x) {
      if (e[x[1]]) reason('exclusion.' + x[0], c[x[1]] !== true, c[x[1]] === true ? 'The contact involved ' + x[2] + ', which excludes diversion.' : x[3]);
    });
    // "Within N years" runs from the same day N years earlier (excluded; 29 February falls back to the 28th)
    // to the contact's day (included).
    var within = function (list, years) {
      var y = day.y - years, since = dateKey({ y: y, m: day.m, d: Math.min(day.d, daysIn(day.m, y)) });
      return list.filter(function (d) { return dateKey(d) > since && dateKey(d) <= dateKey(day); });
    };
    var years = e.priorSeriousConvictionYears, limit = e.maxDiversions, from = policy.treatmentRequiredFromContact;
    if (years != null) {
      var recent = within(convictions, years);
      reason('exclusion.prior_serious_conviction', !recent.length, recent.length ? 'Serious conviction within ' + years + ' years (' + recent.map(dateText).join(', ') + ').'
        : 'No serious conviction in the ' + years + ' years before the contact.');
    }
    if (limit != null) {
      var count = within(diversions, limit.years).length;
      reason('exclusion.diversion_limit', count < limit.count, count + ' earlier diversion' + (count === 1 ? '' : 's') + ' in ' + limit.years + ' years; the limit is ' + limit.count + '.');
    }
    if (from != null) {
      var number = contacts.filter(function (d) { return dateKey(d) <= dateKey(day); }).length + 1; // this contact counts too
      if (number >= from) indicators.push({ code: 'treatment_required', detail: 'This is contact number ' + number + '; from contact ' + from + ' the policy requires treatment.' });
    }
    var rule = policy.routes.find(function (r) { return r.authority === authority && r.stage === stage; }) || {};
    var when = stage.replace(/_/g, '-');
    if (rule.diversion != null) reason('diversion_route', true, 'At the ' + when + ' stage the ' + authority + ' may divert: ' + rule.diversion.replace(/_/g, ' ') + '.');
    else reason('diversion_route', false, 'This policy gives the ' + authority + ' no diversion route at the ' + when + ' stage.');
    var eligible = reasons.every(function (r) { return r.passed; }), route = eligible ? rule.diversion : rule.otherwise;
    return { eligible: eligible, route: route == null ? null : route, stage: stage, policyVersion: policy.version, reasons: reasons, indicators: indicators,
      percentOfThreshold: percents, reviewBy: dateText(addDays(day, (policy.timeLimits || { reviewDays: 30 }).reviewDays)) };
  }

  /* Screening (Screening.score). A reader collects one error per wrong item, as the core's AnswerReader. */
  function Reader() {
    var r = Errors();
    r.option = function (v, field, lo, hi) {
      if (v == null) return r.add(field, 'This answer is required: a whole number from ' + lo + ' to ' + hi + '.'), null;
      if (!Number.isInteger(v) || v < lo || v > hi) return r.add(field, 'Answer with a whole number from ' + lo + ' to ' + hi + '.'), null;
      return v;
    };
    r.yesNo = function (v, field) { return typeof v === 'boolean' ? v : (r.add(field, 'Answer true (yes) or false (no).'), null); };
    r.list = function (v, field, n) {
      if (!Array.isArray(v)) return r.add(field, 'Give a list of ' + n + ' answers in item order.'), null;
      return v.length === n ? v : (r.add(field, 'Give exactly ' + n + ' answers in item order; ' + v.length + ' were given.'), null);
    };
    r.object = function (v, field) { return isObject(v) ? v : (r.add(field, 'Give an object with the named answers.'), null); };
    r.rejectUnknown = function (o, allowed, field) {
      Object.keys(o).sort(byCodePoint).forEach(function (k) {
        if (allowed.indexOf(k) < 0) r.add(field + '.' + k, "This instrument does not ask '" + prefix(k, 40) + "'; use " + allowed.slice().sort(byCodePoint).join(', ') + '.');
      });
    };
    return r;
  }
  var given = function (o, k) { return own(o, k) && o[k] !== null; };
  var sum = function (list) { return list.reduce(function (a, b) { return a + b; }, 0); };

  function dast10(answers, r) {
    var items = r.list(answers, 'answers', 10);
    if (!items) return;
    // Item 3 asks whether the person can stop when they want to: "no" is the risk answer.
    var score = items.filter(function (v, i) { var yes = r.yesNo(v, 'answers[' + i + ']'); return yes !== null && (i === 2 ? !yes : yes); }).length;
    if (r.length) return;
    return [score].concat(score === 0 ? ['none', 'No action needed now.'] : score <= 2 ? ['low', 'Monitor and reassess at a later date.']
      : score <= 5 ? ['moderate', 'Further investigation is needed.'] : [score <= 8 ? 'substantial' : 'severe', 'Intensive assessment is needed.']);
  }

  function audit(answers, r) {
    var items = r.list(answers, 'answers', 10);
    if (!items) return;
    // Items 1-8 score as answered (0-4); items 9-10 are answered 0-2 and score 0, 2 or 4.
    var s = items.map(function (v, i) { return i < 8 ? r.option(v, 'answers[' + i + ']', 0, 4) || 0 : (r.option(v, 'answers[' + i + ']', 0, 2) || 0) * 2; });
    if (r.length) return;
    var total = sum(s), zone = total <= 7 ? 1 : total <= 15 ? 2 : total <= 19 ? 3 : 4;
    // Signs of dependence (items 4-6) or of harm (items 9-10) move the person up one zone.
    if (((s[3] >= 2 && s[4] >= 2 && s[5] >= 2) || s[8] === 4 || s[9] === 4) && zone < 4) zone += 1;
    return [total, ['I', 'II', 'III', 'IV'][zone - 1], ['Alcohol education.', 'Simple advice.', 'Simple advice plus brief counselling and continued monitoring.',
      'Referral to a specialist for diagnostic evaluation and treatment.'][zone - 1]];
  }

  function auditc(answers, r, sex) {
    if (sex === null) r.add('sex', "AUDIT-C needs the person's sex: female, male, other or unknown.");
    var items = r.list(answers, 'answers', 3);
    if (!items) return;
    var total = sum(items.map(function (v, i) { return r.option(v, 'answers[' + i + ']', 0, 4) || 0; }));
    if (r.length) return;
    // Positive from 4 for men, from 3 otherwise: without female or male the lower cut-off, so nobody is missed.
    var positive = total >= (sex === 'male' ? 4 : 3);
    return [total, positive ? 'positive' : 'negative', (positive ? 'Positive screen: complete the full AUDIT or assess alcohol use further.'
      : 'Negative screen: no further alcohol assessment needed now.') + (sex === 'male' || sex === 'female' ? '' : ' The lower cut-off (3) was used because sex was not given as female or male.')];
  }

  function crafft(answers, r) {
    var root = r.object(answers, 'answers'), keys = ['alcoholDays', 'cannabisDays', 'otherDays'], days = [];
    if (!root) return;
    r.rejectUnknown(root, ['partA', 'partB'], 'answers');
    var partA = r.object(root.partA, 'answers.partA');
    if (partA) {
      r.rejectUnknown(partA, keys, 'answers.partA');
      days = keys.map(function (k) { return r.option(partA[k], 'answers.partA.' + k, 0, 366) || 0; });
    }
    if (r.length) return;
    var anyUse = days.some(function (d) { return d > 0; }); // with no use in part A only the CAR item is asked
    if (!own(root, 'partB')) {
      return r.add('answers.partB', anyUse ? 'Give the six part B answers (Car, Relax, Alone, Forget, Friends/Family, Trouble).'
        : 'Give the CAR answer: with no use in part A only the CAR item is asked.');
    }
    var items = r.list(root.partB, 'answers.partB', anyUse ? 6 : 1);
    if (!items) return;
    var score = items.filter(function (v, i) { return r.yesNo(v, 'answers.partB[' + i + ']') === true; }).length;
    if (r.length) return;
    return [score, score >= 2 ? 'positive' : 'negative', (score >= 2 ? 'Positive screen: high risk of a substance use disorder; assess further.'
      : 'Negative screen: give brief advice that encourages not using.') + (items[0] === true ? ' Counsel about riding with a driver who has been using alcohol or drugs.' : '')];
  }

  var CLASSES = ['tobacco', 'alcohol', 'cannabis', 'cocaine', 'amphetamines', 'inhalants', 'sedatives', 'hallucinogens', 'opioids', 'other'];
  var ITEMS = ['q1', 'q2', 'q3', 'q4', 'q5', 'q6', 'q7', 'q8'];
  // Option scores: never, once or twice, monthly, weekly, daily (q2-q5); never, in the past 3 months, earlier (q6-q7).
  var POINTS = { q2: [0, 2, 3, 4, 6], q3: [0, 3, 4, 5, 6], q4: [0, 4, 5, 6, 7], q5: [0, 5, 6, 7, 8], q6: [0, 6, 3], q7: [0, 6, 3] };

  function assist(answers, r, sex, substances) {
    var root = r.object(answers, 'answers'), injected = false, top = null, rank = { lower: 0, moderate: 1, high: 2 };
    if (!root) return;
    r.rejectUnknown(root, CLASSES, 'answers');
    CLASSES.forEach(function (name) {
      var field = 'answers.' + name, q = own(root, name) && r.object(root[name], field); // a class left out was never used
      if (!q) return;
      r.rejectUnknown(q, ITEMS, field);
      var ever = r.yesNo(q.q1, field + '.q1'), tobacco = name === 'tobacco';
      if (ever === false) ITEMS.slice(1).forEach(function (k) { if (given(q, k)) r.add(field + '.' + k, 'Not asked: q1 says ' + name + ' was never used.'); });
      if (!ever) return;
      var q2 = r.option(q.q2, field + '.q2', 0, 4) || 0, score = POINTS.q2[q2];
      if (tobacco && given(q, 'q5')) r.add(field + '.q5', 'Not asked for tobacco.');
      // Items 3-5 are about the past three months: asked only after use then, and tobacco has no item 5.
      (tobacco ? ['q3', 'q4'] : ['q3', 'q4', 'q5']).forEach(function (k) {
        if (q2 > 0) score += POINTS[k][r.option(q[k], field + '.' + k, 0, 4) || 0];
        else if (given(q, k)) r.add(field + '.' + k, 'Not asked: q2 says ' + name + ' was not used in the past 3 months.');
      });
      score += POINTS.q6[r.option(q.q6, field + '.q6', 0, 2) || 0] + POINTS.q7[r.option(q.q7, field + '.q7', 0, 2) || 0];
      if (given(q, 'q8') && r.option(q.q8, field + '.q8', 0, 2) === 1) injected = true;
      // Alcohol is moderate from 11, every other class from 4; all are high from 27.
      var level = score >= 27 ? 'high' : score >= (name === 'alcohol' ? 11 : 4) ? 'moderate' : 'lower';
      substances.push({ substance: name, score: score, level: level });
      if (!top || rank[level] > rank[top.level] || (level === top.level && score > top.score)) top = substances[substances.length - 1];
    });
    if (r.length) return;
    var overall = top ? top.level : 'lower';
    return [top ? top.score : 0, overall, { high: 'Brief intervention and referral to specialist assessment and treatment.', moderate: 'Brief intervention.',
      lower: 'General health information.' }[overall] + (injected ? ' Injecting in the past 3 months: ask how often; more than 4 times a month on average is a reason to refer.' : '')];
  }

  var INSTRUMENTS = { assist: ['3.1', assist], dast10: ['1982', dast10], audit: ['2001', audit], auditc: ['1998', auditc], crafft: ['2.1', crafft] };

  function scoreInstrument(instrument, answers, sex) {
    var r = Reader(), known = typeof instrument === 'string' && own(INSTRUMENTS, instrument), substances = [];
    sex = sex == null ? null : sex;
    if (!known) r.add('instrument', 'Use one of ' + Object.keys(INSTRUMENTS).join(', ') + '.');
    if (sex !== null && ['female', 'male', 'other', 'unknown'].indexOf(sex) < 0) r.add('sex', 'Use one of female, male, other, unknown.');
    if (answers == null) r.add('answers', 'The answers are required.');
    var scored = !r.length && INSTRUMENTS[instrument][1](answers, r, sex, substances);
    if (!scored) return failed(r);
    return { instrument: instrument, version: INSTRUMENTS[instrument][0], score: scored[0], level: scored[1], recommendation: scored[2],
      substances: instrument === 'assist' ? substances : null };
  }

  /* The officer's contact form, read as ContactPages reads it. */
  function decimal(text) { // Swift's Double(text) after a decimal comma becomes a point
    text = String(text).replace(/,/g, '.');
    return /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text) ? Number(text) : null;
  }

  function questionFromForm(fields) {
    var f = fields || {}, errors = Errors(), seizures = [], time = String(f.occurredAt || '').trim(), day = null;
    // A datetime-local value has no zone: the server takes it as UTC, so its date is the contact's day.
    if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(time)) day = time.slice(0, 10);
    else if (time && !isNaN(Date.parse(time))) day = new Date(time).toISOString().slice(0, 10);
    if (!day || !parseDate(day)) errors.add('occurredAt', 'Write the time as ISO 8601, for example 2026-11-20T21:40:00Z.');
    if (!f.offence) errors.add('offences', 'Choose the offence.');
    (f.seizures || []).forEach(function (row, i) {
      if (!row || !row.substance) return; // empty rows are skipped
      var quantity = decimal(row.quantity || ''), purity = row.purity ? decimal(row.purity) : null;
      if (quantity === null) errors.add('seizures[' + i + '].quantity', 'Give the quantity as a number, such as 12.5.');
      if (row.purity && purity === null) errors.add('seizures[' + i + '].purityPercent', 'Give the tested purity as a number of percent, or leave it empty.');
      var seizure = { substance: row.substance, quantity: quantity || 0, unit: row.unit, packaging: row.packaging || [] };
      if (purity !== null) seizure.purityPercent = purity;
      seizures.push(seizure);
    });
    if (errors.length) return failed(errors);
    var ticked = function (k) { return f[k] != null && f[k] !== false; };
    return { question: { authority: 'police', stage: f.stage || 'pre_trial', occurredOn: day, offences: [f.offence], seizures: seizures,
      circumstances: { violence: ticked('violence'), weapon: ticked('weapon'), supplyToMinors: ticked('supplyToMinors'), nearSchool: ticked('nearSchool'),
        organisedCrime: ticked('organisedCrime') },
      history: { contacts: [], diversions: [], seriousConvictions: [], nearThresholdSeizures: [] } } };
  }

  root.DiversionRules = Object.freeze({ evaluateEligibility: evaluateEligibility, scoreInstrument: scoreInstrument, questionFromForm: questionFromForm, formatNumber: formatNumber });
})(typeof self !== 'undefined' ? self : this);

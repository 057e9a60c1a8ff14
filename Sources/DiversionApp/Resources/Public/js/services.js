/*
 * Service suggestions worked out on the device, from the directory the offline page keeps. The same basic
 * matching as the server's ServiceMatching (justice referrals, age, sex, language, pregnancy, children, needs;
 * full services and other regions rank lower) and TreatmentNeeds; the server checks the chosen service again
 * when the capture arrives, and its answer is the one kept.
 *
 *   DiversionServices.suggest(subject, needs, services) -> [{ service, rank, full, otherRegion }]
 *     subject: { age, sex, language, pregnant, caringForChildren, region }; services as GET /api/v1/services lists them.
 *   DiversionServices.needsFrom(score) -> modalities for a screening result as DiversionRules.scoreInstrument gives it.
 */
(function (root) {
  'use strict';

  var DEFAULT_NEEDS = ['brief_intervention', 'outpatient'];

  function primary(tag) { return String(tag || '').split('-')[0].toLowerCase(); }

  // Why a service cannot take the person; empty when nothing stands in the way.
  function barriers(person, s) {
    var found = [];
    if (!s.acceptsJusticeReferrals) found.push('justice');
    if (person.age === null || person.age < s.minAge || person.age > s.maxAge) found.push('age');
    if (s.sexes.indexOf(person.sex) < 0) found.push('sex');
    if (person.pregnant && !s.servesPregnantWomen) found.push('pregnant');
    if (person.caringForChildren && !s.servesPeopleWithChildren) found.push('children');
    if (person.language && !s.languages.some(function (l) { return primary(l) === primary(person.language); })) found.push('language');
    return found;
  }

  function suggest(person, needs, services, limit) {
    var candidates = [];
    (services || []).forEach(function (s) {
      if (barriers(person, s).length) return;
      var matched = needs.filter(function (n) { return s.modalities.indexOf(n) >= 0; });
      if (!matched.length) return;
      var best = Math.min.apply(null, matched.map(function (m) { return needs.indexOf(m); }));
      candidates.push({ service: s, full: s.load >= s.capacity, otherRegion: !!person.region && person.region !== s.region,
        score: [best, -matched.length] });
    });
    // The server's order: open first, same region, the most important need, shorter wait, more room, name.
    candidates.sort(function (a, b) {
      if (a.full !== b.full) return a.full ? 1 : -1;
      if (a.otherRegion !== b.otherRegion) return a.otherRegion ? 1 : -1;
      if (a.score[0] !== b.score[0]) return a.score[0] - b.score[0];
      if (a.score[1] !== b.score[1]) return a.score[1] - b.score[1];
      if (a.service.waitlistDays !== b.service.waitlistDays) return a.service.waitlistDays - b.service.waitlistDays;
      var ra = Math.max(0, a.service.capacity - a.service.load), rb = Math.max(0, b.service.capacity - b.service.load);
      if (ra !== rb) return rb - ra;
      return a.service.name < b.service.name ? -1 : a.service.name > b.service.name ? 1 : 0;
    });
    return candidates.slice(0, limit || 10).map(function (c, i) {
      return { service: c.service, rank: i + 1, full: c.full, otherRegion: c.otherRegion };
    });
  }

  function needsFrom(r) {
    if (!r) return DEFAULT_NEEDS.slice();
    var key = r.instrument + ':' + r.level, needs;
    if (['assist:high', 'dast10:substantial', 'dast10:severe', 'audit:IV'].indexOf(key) >= 0) {
      needs = ['intensive_outpatient', 'residential', 'withdrawal_management', 'outpatient'];
    } else if (['assist:moderate', 'dast10:moderate', 'audit:III', 'crafft:positive'].indexOf(key) >= 0) {
      needs = ['outpatient', 'brief_intervention', 'intensive_outpatient'];
    } else if (['audit:II', 'auditc:positive', 'dast10:low'].indexOf(key) >= 0) {
      needs = ['brief_intervention', 'outpatient'];
    } else {
      needs = ['brief_intervention'];
    }
    (r.substances || []).forEach(function (s) {
      if (s.substance === 'opioids' && s.level !== 'lower') needs.unshift('opioid_agonist_treatment');
    });
    if (/inject/i.test(r.recommendation || '')) needs.push('harm_reduction', 'hiv_hepatitis');
    return needs.filter(function (n, i) { return needs.indexOf(n) === i; });
  }

  root.DiversionServices = { suggest: suggest, needsFrom: needsFrom, barriers: barriers, DEFAULT_NEEDS: DEFAULT_NEEDS };
})(typeof self !== 'undefined' ? self : this);

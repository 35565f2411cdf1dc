/* cagette's static catalogue: search, facets and paging over window.CAGETTE_CATALOGUE (data.js).
   Nothing is fetched: the page works opened from a USB stick (file://). Only one page of cards is ever in the
   document, so 10,000 resources cost a filter over an array per keystroke, not 10,000 nodes. */
(function () {
  'use strict';
  var C = window.CAGETTE_CATALOGUE;
  if (!C) { return; }
  var F = {};
  C.fields.forEach(function (name, i) { F[name] = i; });
  var items = C.items;
  var per = C.perPage;
  var $ = function (id) { return document.getElementById(id); };
  var q = $('q'), list = $('results'), count = $('count'), pager = $('pager'), prev = $('prev'), next = $('next');
  var pageOf = $('page-of'), form = $('search'), heading = $('results-title');
  var facets = C.facets.map(function (key) { return [key, $('f-' + key)]; });
  var found = items, page = 0;

  function fold(text) {
    return (text || '').normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase();
  }
  function terms() { return fold(q.value).match(/[\p{L}\p{N}_]+/gu) || []; }
  function number(n) { return n.toLocaleString(C.lang); }
  function say(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_m, k) { return values[k]; });
  }

  function card(item) {
    var li = document.createElement('li'), a = document.createElement('a');
    li.className = 'card';
    a.href = item[F.page];
    if (item[F.thumb]) {
      var img = document.createElement('img');
      img.src = item[F.thumb]; img.alt = ''; img.width = 320; img.height = 180; img.loading = 'lazy';
      a.appendChild(img);
    } else {
      var box = document.createElement('span');
      box.className = 'nothumb kind-' + item[F.kind];
      box.setAttribute('aria-hidden', 'true');
      box.textContent = item[F.kind_label];
      a.appendChild(box);
    }
    var title = document.createElement('span');
    title.className = 'card-title';
    title.textContent = item[F.title];
    a.appendChild(title);
    li.appendChild(a);
    var meta = document.createElement('p');
    meta.className = 'card-meta';
    var parts = [item[F.kind_label], item[F.organisation], item[F.language_label], item[F.licence]];
    if (item[F.duration]) {
      var d = document.createElement('span');
      d.className = 'duration';
      d.textContent = item[F.duration];
      meta.appendChild(d);
      meta.appendChild(document.createTextNode(' · '));
    }
    meta.appendChild(document.createTextNode(parts.filter(Boolean).join(' · ')));
    li.appendChild(meta);
    return li;
  }

  function render() {
    var pages = Math.max(1, Math.ceil(found.length / per));
    page = Math.min(page, pages - 1);
    var shown = found.slice(page * per, page * per + per).map(card);
    list.replaceChildren.apply(list, shown);
    var n = found.length;
    count.textContent = n === 0 ? C.texts.none : say(n === 1 ? C.texts.one : C.texts.many, {n: number(n)});
    pager.hidden = pages <= 1;
    prev.disabled = page === 0;
    next.disabled = page >= pages - 1;
    pageOf.textContent = say(C.texts.page, {page: number(page + 1), pages: number(pages)});
  }

  function save() {
    var params = new URLSearchParams();
    if (q.value) { params.set('q', q.value); }
    facets.forEach(function (f) { if (f[1].value) { params.set(f[0], f[1].value); } });
    if (page) { params.set('page', String(page + 1)); }
    try { history.replaceState(null, '', params.toString() ? '?' + params : location.pathname); } catch (e) { /* file:// may refuse */ }
  }

  function search() {
    var words = terms();
    var wanted = facets.filter(function (f) { return f[1].value; }).map(function (f) { return [F[f[0]], f[1].value]; });
    found = items.filter(function (item) {
      for (var i = 0; i < wanted.length; i++) { if (item[wanted[i][0]] !== wanted[i][1]) { return false; } }
      var hay = item[F.hay];
      for (var j = 0; j < words.length; j++) { if (hay.indexOf(' ' + words[j]) === -1) { return false; } }
      return true;
    });
    page = 0;
    render();
    save();
  }

  function turn(step) {
    page += step;
    render();
    save();
    heading.focus();
  }

  var params = new URLSearchParams(location.search);
  if (params.get('q')) { q.value = params.get('q'); }
  facets.forEach(function (f) { if (params.get(f[0])) { f[1].value = params.get(f[0]); } });
  heading.tabIndex = -1;
  q.addEventListener('input', search);
  facets.forEach(function (f) { f[1].addEventListener('change', search); });
  form.addEventListener('submit', function (e) { e.preventDefault(); search(); });
  form.addEventListener('reset', function () { setTimeout(search, 0); });
  prev.addEventListener('click', function () { turn(-1); });
  next.addEventListener('click', function () { turn(1); });
  search();
  var wantedPage = parseInt(params.get('page') || '1', 10) - 1;
  if (wantedPage > 0) { page = wantedPage; render(); }
})();

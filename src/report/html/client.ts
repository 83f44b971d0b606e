/**
 * The HTML report's script, inlined into the page. It reads the JSON data block and builds the
 * paginated drift matrix, the detail panel and the paged tables. Every text it shows goes
 * through textContent (never innerHTML): names and versions come from untrusted layers. Tested
 * in headless Chromium (src/report/html/report.browser.test.ts).
 */
export const CLIENT_JS = String.raw`(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('lamina-data').textContent);
  // Functions arrive as [arn, verdict, cells]; name and region come from the ARN
  // (arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]).
  data.functions = data.functions.map(function (row) {
    var p = row[0].split(':');
    var name = p.length >= 7 ? p[6] + (p[7] && p[7] !== '$LATEST' ? ':' + p[7] : '') : row[0];
    return { arn: row[0], name: name, region: p[3] || '', verdict: row[1], cells: row[2] };
  });

  function el(tag, attrs) {
    var e = document.createElement(tag);
    if (attrs) {
      for (var k in attrs) {
        if (!Object.prototype.hasOwnProperty.call(attrs, k)) continue;
        var v = attrs[k];
        if (v === null || v === undefined || v === false) continue;
        if (k === 'text') e.textContent = String(v);
        else if (k === 'class') e.className = v;
        else if (k === 'onclick') e.addEventListener('click', v);
        else e.setAttribute(k, v === true ? '' : String(v));
      }
    }
    for (var i = 2; i < arguments.length; i++) {
      var c = arguments[i];
      if (c === null || c === undefined || c === false) continue;
      e.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
    }
    return e;
  }
  function short(d) {
    if (!d) return '(unknown)';
    var i = d.indexOf(':');
    return i < 0 ? d.slice(0, 12) : d.slice(0, i + 13);
  }
  function plural(n, w) {
    return n + ' ' + w + (n === 1 ? '' : 's');
  }
  function announce(text) {
    var s = document.getElementById('status');
    s.textContent = '';
    window.setTimeout(function () {
      s.textContent = text;
    }, 50);
  }

  // ---- paged tables ------------------------------------------------------------------
  // rows: arrays of strings; columns: header labels. Filter matches any cell.
  function pagedTable(host, opts) {
    var pageSize = opts.pageSize || 25;
    var page = 0;
    var shown = opts.rows;
    var idBase = opts.id;
    var tools = el('div', { class: 'controls' });
    var input = null;
    if (opts.rows.length > pageSize) {
      input = el('input', { type: 'search', id: idBase + '-filter', autocomplete: 'off' });
      tools.appendChild(el('label', { for: idBase + '-filter' }, opts.filterLabel || 'Filter', ' '));
      tools.appendChild(input);
    }
    var pager = el('div', { class: 'pager' });
    var table = el('table', { class: 'data', id: idBase + '-table' });
    host.appendChild(tools);
    host.appendChild(pager);
    host.appendChild(el('div', { class: 'scroll' }, table));
    function draw() {
      var pages = Math.max(1, Math.ceil(shown.length / pageSize));
      if (page >= pages) page = pages - 1;
      table.textContent = '';
      table.appendChild(el('caption', { text: opts.caption + ' (' + shown.length + ' of ' + opts.rows.length + ')' }));
      var hr = el('tr');
      opts.columns.forEach(function (c) {
        hr.appendChild(el('th', { scope: 'col', text: c }));
      });
      table.appendChild(el('thead', null, hr));
      var tb = el('tbody');
      shown.slice(page * pageSize, (page + 1) * pageSize).forEach(function (r) {
        var tr = el('tr');
        r.forEach(function (v, i) {
          var cls = opts.cellClass ? opts.cellClass(i, v, r) : null;
          tr.appendChild(el(i === 0 ? 'th' : 'td', { scope: i === 0 ? 'row' : null, class: cls, text: v }));
        });
        tb.appendChild(tr);
      });
      table.appendChild(tb);
      pagerControls(pager, page, pages, opts.caption, function (p) {
        page = p;
        draw();
      });
    }
    if (input)
      input.addEventListener('input', function () {
        var q = input.value.toLowerCase();
        shown = q
          ? opts.rows.filter(function (r) {
              return r.some(function (v) {
                return String(v).toLowerCase().indexOf(q) >= 0;
              });
            })
          : opts.rows;
        page = 0;
        draw();
      });
    draw();
  }

  function pagerControls(host, page, pages, what, go) {
    host.textContent = '';
    if (pages <= 1) return;
    var prev = el('button', { type: 'button', 'aria-label': 'Previous page of ' + what, text: 'Previous' });
    var next = el('button', { type: 'button', 'aria-label': 'Next page of ' + what, text: 'Next' });
    prev.disabled = page === 0;
    next.disabled = page >= pages - 1;
    prev.addEventListener('click', function () {
      go(page - 1);
    });
    next.addEventListener('click', function () {
      go(page + 1);
    });
    host.appendChild(prev);
    host.appendChild(el('span', { class: 'page', text: 'Page ' + (page + 1) + ' of ' + pages }));
    host.appendChild(next);
  }

  // ---- package diffs -------------------------------------------------------------------
  function diffBlock(d, title) {
    var box = el('div', { class: 'diff' });
    if (title) box.appendChild(el('h3', { text: title }));
    box.appendChild(
      el('p', null, 'From ', el('code', { text: short(d.from.digest) || d.from.name }), ' to ', el('code', { text: short(d.to.digest) || d.to.name }), '.')
    );
    if (!d.complete)
      box.appendChild(
        el('p', { class: 'note', text: 'Incomplete: one side has executables no package owns or unparsed metadata; differences there are not listed.' })
      );
    var s = d.summary;
    var rows = data.diffLabels.map(function (l) {
      return [l[1], s[l[0]]];
    });
    var t = el('table', { class: 'data compact' }, el('caption', { text: 'Package differences' }));
    var tb = el('tbody');
    rows.forEach(function (r) {
      tb.appendChild(el('tr', null, el('th', { scope: 'row', text: r[0] }), el('td', { class: 'num', text: String(r[1]) })));
    });
    t.appendChild(tb);
    box.appendChild(t);
    function list(caption, headers, items) {
      if (items.length === 0) return;
      var tt = el('table', { class: 'data' }, el('caption', { text: caption + ' (' + items.length + ')' }));
      var hr = el('tr');
      headers.forEach(function (h) {
        hr.appendChild(el('th', { scope: 'col', text: h }));
      });
      tt.appendChild(el('thead', null, hr));
      var b = el('tbody');
      items.slice(0, 500).forEach(function (r) {
        var tr = el('tr');
        r.forEach(function (v, i) {
          tr.appendChild(el(i === 0 ? 'th' : 'td', { scope: i === 0 ? 'row' : null, text: v }));
        });
        b.appendChild(tr);
      });
      tt.appendChild(b);
      box.appendChild(el('div', { class: 'scroll' }, tt));
      if (items.length > 500) box.appendChild(el('p', { text: 'and ' + (items.length - 500) + ' more (see scan.json)' }));
    }
    var v = function (x) {
      return x === undefined ? '(no version)' : x;
    };
    var p0 = function (ps) {
      return ps[0] || '';
    };
    list('Added', ['Package', 'Version', 'Path'], d.added.map(function (p) { return [p.name, v(p.version), p0(p.paths)]; }));
    list('Removed', ['Package', 'Version', 'Path'], d.removed.map(function (p) { return [p.name, v(p.version), p0(p.paths)]; }));
    list('Version changed', ['Package', 'From', 'To', 'Direction'], d.versionChanged.map(function (c) { return [c.name, v(c.from.version), v(c.to.version), c.direction]; }));
    list('Same version, different content', ['Package', 'Version', 'From', 'To'], d.contentChanged.map(function (c) { return [c.name, v(c.version), short(c.fromHash), short(c.toHash)]; }));
    var ex = d.executables;
    list(
      'Unowned executables',
      ['Path', 'Change', 'SHA-256'],
      ex.added.map(function (e) { return [e.path, 'added', (e.sha256 || '?').slice(0, 12)]; })
        .concat(ex.removed.map(function (e) { return [e.path, 'removed', (e.sha256 || '?').slice(0, 12)]; }))
        .concat(ex.changed.map(function (e) { return [e.path, 'changed', e.fromSha256.slice(0, 12) + ' → ' + e.toSha256.slice(0, 12)]; }))
    );
    return box;
  }

  // ---- detail panel --------------------------------------------------------------------
  var detail = document.getElementById('detail');
  var detailBody = document.getElementById('detail-body');
  var detailHeading = document.getElementById('detail-h');
  var returnTo = null;
  function openDetail(title, build, from) {
    returnTo = from || null;
    detailHeading.textContent = title;
    detailBody.textContent = '';
    build(detailBody);
    detail.hidden = false;
    detailHeading.focus();
  }
  document.getElementById('detail-back').addEventListener('click', closeDetail);
  detail.addEventListener('keydown', function (ev) {
    if (ev.key === 'Escape') closeDetail();
  });
  function closeDetail() {
    detail.hidden = true;
    if (returnTo && document.body.contains(returnTo)) returnTo.focus();
    else {
      var c = currentCell();
      if (c) c.focus();
    }
  }

  var STATE_TEXT = { failed: 'could not be read', fail: 'verdict failed', behind: 'behind', warn: 'verdict warned', ok: 'up to date' };

  function cellDetail(fn, cell, from) {
    var col = data.columns[cell[0]];
    openDetail(fn.name + ': ' + col.name + ' v' + cell[1], function (body) {
      var reg = col.regions.filter(function (r) { return r.region === fn.region; })[0];
      var use = reg && reg.inUse.filter(function (u) { return u.version === cell[1]; })[0];
      var dl = el('dl');
      function row(k, v) {
        dl.appendChild(el('dt', { text: k }));
        dl.appendChild(el('dd', { text: v }));
      }
      row('Function', fn.arn);
      row('Layer', col.name + ' (owner ' + col.owner + ', ' + fn.region + ')');
      row('Version used', 'v' + cell[1] + (use ? ' ' + short(use.digest) : ''));
      if (reg) row('Newest version', 'v' + reg.newestVersion + ' ' + short(reg.newestDigest));
      row('Behind', cell[2] === 0 ? 'up to date' : plural(cell[2], 'version'));
      row('State', STATE_TEXT[cell[3]]);
      if (use && use.verdict) row('Layer verdict', use.verdict.toUpperCase());
      if (use && use.failure) row('Failure', use.failure);
      body.appendChild(dl);
      if (cell[4] >= 0) {
        body.appendChild(diffBlock(data.diffs[cell[4]], 'What moving to v' + reg.newestVersion + ' changes in the layer'));
      } else if (use && use.unavailable) {
        body.appendChild(el('p', { class: 'note', text: 'No package diff: ' + use.unavailable }));
      }
      if (cell[5] >= 0) {
        body.appendChild(diffBlock(data.diffs[cell[5]], 'What it changes in this function (other layers hide part of it)'));
      }
    }, from);
  }

  function columnDetail(ci, from) {
    var col = data.columns[ci];
    openDetail('Layer ' + col.name + ' (owner ' + col.owner + ')', function (body) {
      col.regions.forEach(function (reg) {
        body.appendChild(el('h3', { text: reg.region + ': newest v' + reg.newestVersion + ' ' + short(reg.newestDigest) }));
        var t = el('table', { class: 'data' }, el('caption', { text: 'Versions in use in ' + reg.region }));
        var hr = el('tr');
        ['Version', 'Functions', 'Behind', 'Verdict', 'Packages'].forEach(function (h) {
          hr.appendChild(el('th', { scope: 'col', text: h }));
        });
        t.appendChild(el('thead', null, hr));
        var tb = el('tbody');
        reg.inUse.forEach(function (u) {
          var diffCell = el('td');
          if (u.diff >= 0) {
            var d = data.diffs[u.diff];
            diffCell.appendChild(
              el('button', {
                type: 'button',
                text: 'Show diff to v' + reg.newestVersion,
                onclick: function () {
                  var host = document.getElementById('col-diff');
                  host.textContent = '';
                  host.appendChild(diffBlock(d, reg.region + ' v' + u.version + ' → v' + reg.newestVersion));
                  host.querySelector('h3').setAttribute('tabindex', '-1');
                  host.querySelector('h3').focus();
                }
              })
            );
          } else diffCell.textContent = u.version === reg.newestVersion ? '(newest)' : u.unavailable || '';
          tb.appendChild(
            el('tr', null,
              el('th', { scope: 'row', text: 'v' + u.version + ' ' + short(u.digest) }),
              el('td', { class: 'num', text: String(u.functions) }),
              el('td', { class: 'num', text: String(u.behind) }),
              el('td', { text: u.verdict ? u.verdict.toUpperCase() : u.failure ? 'FAILED' : '' }),
              diffCell)
          );
        });
        t.appendChild(tb);
        body.appendChild(el('div', { class: 'scroll' }, t));
      });
      body.appendChild(el('div', { id: 'col-diff' }));
    }, from);
  }

  // ---- the matrix ----------------------------------------------------------------------
  var m = { page: 0, size: 50, colPage: 0, colSize: 12, rows: data.functions, r: 1, c: 1 };
  var matrix = document.getElementById('matrix');
  var hasVerdicts = data.verdicts !== null;
  var problem = function (f) {
    return f.verdict === 'fail' || f.cells.some(function (c) { return c[3] !== 'ok'; });
  };
  function filterRows() {
    var q = document.getElementById('m-filter').value.toLowerCase();
    var only = document.getElementById('m-problems').checked;
    m.rows = data.functions.filter(function (f) {
      if (only && !problem(f)) return false;
      return !q || f.name.toLowerCase().indexOf(q) >= 0 || f.arn.toLowerCase().indexOf(q) >= 0;
    });
    m.page = 0;
    drawMatrix();
    announce(plural(m.rows.length, 'function') + ' shown');
  }
  function visibleColumns() {
    var start = m.colPage * m.colSize;
    return data.columns.slice(start, start + m.colSize).map(function (c, i) {
      return { col: c, index: start + i };
    });
  }
  function cellText(cell) {
    var parts = ['v' + cell[1]];
    if (cell[3] === 'failed') parts.push('FAILED');
    else parts.push(cell[2] === 0 ? 'newest' : cell[2] + ' behind');
    if (cell[3] === 'fail') parts.push('FAIL');
    if (cell[3] === 'warn') parts.push('WARN');
    return parts.join(' · ');
  }
  function drawMatrix() {
    var pages = Math.max(1, Math.ceil(m.rows.length / m.size));
    if (m.page >= pages) m.page = pages - 1;
    var cols = visibleColumns();
    var first = m.page * m.size;
    var rows = m.rows.slice(first, first + m.size);
    matrix.textContent = '';
    matrix.setAttribute('aria-rowcount', String(m.rows.length + 1));
    matrix.setAttribute('aria-colcount', String(data.columns.length + (hasVerdicts ? 2 : 1)));
    var head = el('tr', { 'aria-rowindex': '1' });
    head.appendChild(el('th', { scope: 'col', text: 'Function', 'aria-colindex': '1' }));
    if (hasVerdicts) head.appendChild(el('th', { scope: 'col', text: 'Verdict', 'aria-colindex': '2' }));
    cols.forEach(function (c) {
      var th = el('th', { scope: 'col', class: 'layer', 'aria-colindex': String(c.index + (hasVerdicts ? 3 : 2)), 'data-col': String(c.index) });
      th.appendChild(el('span', { class: 'lname', text: c.col.name }));
      th.appendChild(el('span', { class: 'owner', text: c.col.owner }));
      head.appendChild(th);
    });
    matrix.appendChild(el('thead', null, head));
    var tb = el('tbody');
    rows.forEach(function (f, ri) {
      var tr = el('tr', { 'aria-rowindex': String(first + ri + 2) });
      var th = el('th', { scope: 'row', 'aria-colindex': '1' });
      th.appendChild(el('span', { class: 'fname', text: f.name }));
      th.appendChild(el('span', { class: 'region', text: f.region }));
      tr.appendChild(th);
      if (hasVerdicts)
        tr.appendChild(el('td', { class: 'v-' + (f.verdict || 'none'), 'aria-colindex': '2', text: f.verdict ? f.verdict.toUpperCase() : '—' }));
      var byCol = {};
      f.cells.forEach(function (c) {
        byCol[c[0]] = c;
      });
      cols.forEach(function (c) {
        var cell = byCol[c.index];
        var td = el('td', { 'aria-colindex': String(c.index + (hasVerdicts ? 3 : 2)) });
        if (cell) {
          td.className = 'cell s-' + cell[3];
          td.textContent = cellText(cell);
          td.setAttribute('data-fn', String(first + ri));
          td.setAttribute('data-col', String(c.index));
        } else {
          td.className = 'cell none';
          td.appendChild(el('span', { class: 'visually-hidden', text: 'not attached' }));
        }
        tr.appendChild(td);
      });
      tb.appendChild(tr);
    });
    matrix.appendChild(tb);
    pagerControls(document.getElementById('m-pager'), m.page, pages, 'functions', function (p) {
      m.page = p;
      drawMatrix();
      announce('Page ' + (p + 1) + ' of ' + pages);
    });
    var cpages = Math.max(1, Math.ceil(data.columns.length / m.colSize));
    var cp = document.getElementById('m-colpager');
    cp.textContent = '';
    if (cpages > 1) {
      var prev = el('button', { type: 'button', text: 'Previous layers' });
      var next = el('button', { type: 'button', text: 'Next layers' });
      prev.disabled = m.colPage === 0;
      next.disabled = m.colPage >= cpages - 1;
      prev.addEventListener('click', function () {
        m.colPage--;
        drawMatrix();
      });
      next.addEventListener('click', function () {
        m.colPage++;
        drawMatrix();
      });
      var a = m.colPage * m.colSize + 1;
      var b = Math.min(data.columns.length, a + m.colSize - 1);
      cp.appendChild(prev);
      cp.appendChild(el('span', { class: 'page', text: 'Layers ' + a + '–' + b + ' of ' + data.columns.length }));
      cp.appendChild(next);
    }
    document.getElementById('m-count').textContent =
      plural(m.rows.length, 'function') + (m.rows.length === data.functions.length ? '' : ' (filtered)');
    setActive(Math.min(m.r, rows.length), Math.min(m.c, cols.length + (hasVerdicts ? 1 : 0)), false);
  }
  // Roving tabindex over the grid: one cell is in the tab order; arrow keys move it.
  function gridCell(r, c) {
    var row = matrix.rows[r];
    return row ? row.cells[c] : undefined;
  }
  function currentCell() {
    return gridCell(m.r, m.c);
  }
  function setActive(r, c, focus) {
    var old = matrix.querySelectorAll('[tabindex="0"]');
    for (var i = 0; i < old.length; i++) old[i].setAttribute('tabindex', '-1');
    var all = matrix.querySelectorAll('th, td');
    for (var j = 0; j < all.length; j++) if (!all[j].hasAttribute('tabindex')) all[j].setAttribute('tabindex', '-1');
    var cell = gridCell(r, c) || gridCell(0, 0);
    if (!cell) return;
    m.r = cell.parentNode.rowIndex;
    m.c = cell.cellIndex;
    cell.setAttribute('tabindex', '0');
    if (focus) cell.focus();
  }
  function activate(cell) {
    if (!cell) return;
    if (cell.hasAttribute('data-fn')) {
      var f = m.rows[Number(cell.getAttribute('data-fn'))];
      var ci = Number(cell.getAttribute('data-col'));
      var found = f.cells.filter(function (c) { return c[0] === ci; })[0];
      if (found) cellDetail(f, found, cell);
    } else if (cell.tagName === 'TH' && cell.hasAttribute('data-col')) {
      columnDetail(Number(cell.getAttribute('data-col')), cell);
    }
  }
  matrix.addEventListener('keydown', function (ev) {
    var rows = matrix.rows.length;
    var cols = matrix.rows[0] ? matrix.rows[0].cells.length : 0;
    var r = m.r;
    var c = m.c;
    switch (ev.key) {
      case 'ArrowDown': r = Math.min(rows - 1, r + 1); break;
      case 'ArrowUp': r = Math.max(0, r - 1); break;
      case 'ArrowRight': c = Math.min(cols - 1, c + 1); break;
      case 'ArrowLeft': c = Math.max(0, c - 1); break;
      case 'Home': c = 0; if (ev.ctrlKey) r = 0; break;
      case 'End': c = cols - 1; if (ev.ctrlKey) r = rows - 1; break;
      case 'Enter':
      case ' ':
        ev.preventDefault();
        activate(currentCell());
        return;
      default:
        return;
    }
    ev.preventDefault();
    setActive(r, c, true);
  });
  matrix.addEventListener('click', function (ev) {
    var t = ev.target;
    while (t && t !== matrix && t.tagName !== 'TD' && t.tagName !== 'TH') t = t.parentNode;
    if (!t || t === matrix) return;
    setActive(t.parentNode.rowIndex, t.cellIndex, true);
    activate(t);
  });
  document.getElementById('m-filter').addEventListener('input', filterRows);
  document.getElementById('m-problems').addEventListener('change', filterRows);
  document.getElementById('m-size').addEventListener('change', function (ev) {
    m.size = Number(ev.target.value);
    m.page = 0;
    drawMatrix();
  });
  drawMatrix();

  // ---- the other tables ----------------------------------------------------------------
  var host;
  if ((host = document.getElementById('packages-body')) && data.packages.length > 0) {
    pagedTable(host, {
      id: 'packages',
      caption: 'Packages deployed at more than one version',
      columns: ['Package', 'Key', 'Versions (functions)'],
      rows: data.packages.map(function (p) {
        return [p.name, p.key, p.versions.map(function (v) { return (v.version === null ? '(none)' : v.version) + ' (' + v.functions + ')'; }).join(', ')];
      }),
      filterLabel: 'Filter packages'
    });
  }
  if ((host = document.getElementById('regions-body')) && data.regionDiffs.length > 0) {
    data.regionDiffs.forEach(function (r) {
      r.others.forEach(function (o) {
        if (o.diff) host.appendChild(diffBlock(o.diff, r.name + ' v' + r.version + ': ' + o.regions.join(', ') + ' against ' + r.baseline.regions.join(', ')));
        else host.appendChild(el('p', { text: r.name + ' v' + r.version + ': ' + o.regions.join(', ') + ' differs; ' + (o.diffUnavailable || '') }));
      });
    });
  }
  if ((host = document.getElementById('environment-body')) && data.environment.length > 0) {
    pagedTable(host, {
      id: 'environment',
      caption: 'Functions whose environment makes the runtime load code',
      columns: ['Function', 'Region', 'Variables'],
      rows: data.environment,
      filterLabel: 'Filter functions'
    });
  }
  if ((host = document.getElementById('handlers-body')) && data.handlers.length > 0) {
    pagedTable(host, {
      id: 'handlers',
      caption: 'Functions whose Handler makes the runtime load code outside their own',
      columns: ['Function', 'Region', 'Handler', 'The runtime loads'],
      rows: data.handlers,
      filterLabel: 'Filter functions'
    });
  }
  if ((host = document.getElementById('image-config-body')) && data.imageConfigs.length > 0) {
    pagedTable(host, {
      id: 'image-config',
      caption: 'Image functions with their own entry point, command or working directory',
      columns: ['Function', 'Region', 'Settings'],
      rows: data.imageConfigs,
      filterLabel: 'Filter functions'
    });
  }
  if ((host = document.getElementById('verdicts-body')) && data.verdicts) {
    var failedFirst = data.verdicts.slice().sort(function (a, b) { return (a.ok ? 1 : 0) - (b.ok ? 1 : 0); });
    pagedTable(host, {
      id: 'verdicts',
      caption: 'Verdicts, failed first',
      columns: ['Subject', 'Kind', 'Verdict', 'Mode', 'Failing or warning checks'],
      rows: failedFirst.map(function (v) {
        return [
          v.label,
          v.kind,
          v.ok ? (v.checks.some(function (c) { return c.outcome === 'warn'; }) ? 'PASS (warnings)' : 'PASS') : 'FAIL',
          v.mode,
          v.checks.filter(function (c) { return c.outcome === 'fail' || c.outcome === 'warn'; }).map(function (c) { return c.outcome.toUpperCase() + ' ' + c.id + ': ' + c.detail; }).join(' | ')
        ];
      }),
      cellClass: function (i, v) { return i === 2 ? (v === 'FAIL' ? 'v-fail' : 'v-pass') : null; },
      filterLabel: 'Filter verdicts'
    });
  }
  if ((host = document.getElementById('failures-body')) && data.failures.length > 0) {
    pagedTable(host, {
      id: 'failures',
      caption: 'Failures',
      columns: ['Subject', 'Scope', 'Code', 'Reason'],
      rows: data.failures.map(function (f) { return [f.subject, f.scope, f.code, f.reason]; }),
      filterLabel: 'Filter failures'
    });
  }
  if ((host = document.getElementById('changes-body')) && data.changes) {
    data.changes.lists.forEach(function (l) {
      var sec = el('div', { class: 'change-kind' });
      sec.appendChild(el('h3', { text: l.title + ' (' + l.rows.length + ')' }));
      host.appendChild(sec);
      pagedTable(sec, { id: 'changes-' + l.kind, caption: l.title, columns: l.headers, rows: l.rows, filterLabel: 'Filter' });
    });
  }
})();
`;

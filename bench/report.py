# Copyright 2026 - mistral-resume authors
#
#    Licensed under the Apache License, Version 2.0 (the "License");
#    you may not use this file except in compliance with the License.
#    You may obtain a copy of the License at
#
#        http://www.apache.org/licenses/LICENSE-2.0
#
#    Unless required by applicable law or agreed to in writing, software
#    distributed under the License is distributed on an "AS IS" BASIS,
#    WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
#    See the License for the specific language governing permissions and
#    limitations under the License.

"""The benchmark's table (text) and plot (PNG)."""

import matplotlib

matplotlib.use('Agg')

from matplotlib import pyplot  # noqa: E402

from bench import latency  # noqa: E402
from bench import scaling as scaling_bench  # noqa: E402
from bench import throughput  # noqa: E402

# Targets of issues 7 and 15.
LATENCY_TARGETS = {'a/b median': 1.05, 'c/b median': 1.0}
SCALING_RATIO_TARGET = 0.08     # analysis vs listing at 10,000 tasks
SCALING_TARGET_SIZE = 10000
GROWTH_TARGET = 2.2             # time multiple per doubling of tasks
THROUGHPUT_TARGET = 1.0         # requests/s vs the stock GET /v2/tasks/{id}
# Peak RSS (VmHWM, MiB) of the server per size in the run before issue 15
# (commit 9cc63d7): the analysis may not take more memory than it did.
PEAK_MEMORY_BEFORE = {1000: 199.8, 5000: 232.6, 10000: 271.1,
                      20000: 347.8}


def _table(headers, rows):
    widths = [max(len(str(h)), *(len(str(r[i])) for r in rows))
              for i, h in enumerate(headers)]
    line = '  '.join('%%-%ds' % w for w in widths)
    out = [line % tuple(headers), line % tuple('-' * w for w in widths)]
    out += [line % tuple(str(c) for c in r) for r in rows]
    return '\n'.join(out)


def _sizes(growth_entry):
    return '%d%s%d%s' % (growth_entry['from'],
                         '..' if growth_entry.get('fit') else '->',
                         growth_entry['to'],
                         ' fit' if growth_entry.get('fit') else '')


def _growth_table(entries, title):
    listing = any('listing_x' in g for g in entries)
    headers = (('shape', 'sizes', 'tasks x') +
               (('listing x',) if listing else ()) +
               ('req x', 'dry x', 'req per_2x', 'dry per_2x'))
    rows = [(g['shape'], _sizes(g), g['tasks_x']) +
            ((g['listing_x'],) if listing else ()) +
            (g['requirements_x'], g['dry_run_x'], g['requirements_per_2x'],
             g['dry_run_per_2x'])
            for g in entries]
    return ('%s; time multiple, per_2x = normalised to a doubling of tasks, '
            '"fit" = fitted over every size\n' % title) + _table(headers, rows)


def _verdict(ok):
    return 'met' if ok else 'MISSED'


def targets(results):
    """Each target of the issue: the value measured and met or missed."""
    found = []
    lat = results.get('latency')
    if lat:
        for key, limit in LATENCY_TARGETS.items():
            found.append(('latency %s <= %.2f' % (key, limit),
                          lat['ratios'][key], lat['ratios'][key] <= limit))
    rows = (results.get('scaling') or {}).get('rows') or []
    for row in rows:
        if row['size'] != SCALING_TARGET_SIZE:
            continue
        for key in ('requirements/listing', 'dry_run/listing'):
            value = row['ratios'][key]
            found.append(('scaling %s %s at %d <= %g'
                          % (row['shape'], key, row['size'],
                             SCALING_RATIO_TARGET),
                          value, value <= SCALING_RATIO_TARGET))
    for entry in (results.get('scaling') or {}).get('growth') or []:
        if entry['from'] < scaling_bench.GROWTH_MIN_SIZE:
            # Tens of milliseconds: fixed costs and noise, not growth.
            continue
        for key in ('requirements', 'dry_run'):
            value = entry[key + '_per_2x']
            found.append(('scaling %s %s %s per 2x tasks <= %.1f'
                          % (entry['shape'], key, _sizes(entry),
                             GROWTH_TARGET),
                          value, value <= GROWTH_TARGET))
    for entry in (results.get('scaling') or {}).get('memory') or []:
        size = max(entry['sizes'])
        if len(entry['sizes']) == 1 and size in PEAK_MEMORY_BEFORE:
            value = entry['end']['peak_mib']
            found.append(('peak memory at %d <= %.0f MiB (before)'
                          % (size, PEAK_MEMORY_BEFORE[size]), value,
                          value <= PEAK_MEMORY_BEFORE[size]))
    found += _throughput_targets('embedded', results.get('throughput'))
    deployed = results.get('deployment') or {}
    found += _throughput_targets('deployment', deployed.get('api'))
    return found


def _throughput_targets(where, thr):
    if not thr:
        return []
    return [('throughput %s %s >= %.1f' % (where, key, THROUGHPUT_TARGET),
             value, value is not None and value >= THROUGHPUT_TARGET)
            for key, value in sorted(thr['ratios'].items())]


def _throughput_text(thr, title):
    rows = [(c['label'], c['threads'], c['requests'], c['errors'],
             c['rps']) for c in thr['cells']]
    return (title + ' (%.0f s per cell in %d slices)\n'
            % (thr['seconds_per_cell'], thr['slices'])
            + _table(('endpoint', 'threads', 'requests', 'errors', 'req/s'),
                     rows)
            + '\nratios: ' + ', '.join(
                '%s %s' % kv for kv in sorted(thr['ratios'].items())))


def text(results):
    parts = []
    meta = results['meta']
    parts.append('mistral-resume benchmark (%s run, %s, load average at '
                 'start %s)' % ('quick' if meta['quick'] else 'full',
                                meta['started'], meta['loadavg']))

    lat = results.get('latency')
    if lat:
        rows = []
        for mode in latency.MODES:
            m = lat['modes'][mode]
            rows.append((mode, m['label'], m['to_success']['n'],
                         m['to_success']['median_ms'],
                         m['to_success']['p90_ms'],
                         m['request']['median_ms']))
        parts.append('\n1. Latency, request -> execution SUCCESS (poll %d '
                     'ms, %d interleaved rounds)\n'
                     % (lat['poll_s'] * 1000, lat['rounds'])
                     + _table(('', 'recovery', 'n', 'median ms', 'p90 ms',
                               'request median ms'), rows))
        parts.append('ratios: ' + ', '.join(
            '%s %.3f' % kv for kv in sorted(lat['ratios'].items()))
            + '\npaired: ' + ', '.join(
            '%s %.3f' % kv for kv in sorted(lat['paired'].items())))

    scaling = results.get('scaling')
    if scaling:
        rows = []
        for r in scaling['rows']:
            med, cold = r['median_s'], r['cold_s']
            rows.append((r['shape'], r['size'], r['task_executions'],
                         r['executions'], '%.3f' % med['listing'],
                         '%.3f' % med['listing_top']
                         if 'listing_top' in med else '-',
                         '%.3f' % med['requirements'],
                         '%.3f' % med['dry_run'],
                         '%.3f' % cold['requirements'],
                         r['ratios']['requirements/listing'],
                         r['ratios']['dry_run/listing'],
                         r['failures_listed'],
                         '%s/%d' % (r['dry_run']['status'],
                                    r['dry_run']['requirements'])))
        parts.append('\n2. Scaling (median of %d, seconds; listing = GET '
                     '/v2/executions/{id}/tasks of every execution in the '
                     'tree)\n' % scaling['reps']
                     + _table(('shape', 'size', 'tasks', 'execs', 'listing',
                               'list top', 'requirements', 'dry run',
                               'req cold', 'req/list', 'dry/list',
                               'failures', 'dry status/unmet'), rows))
        warnings = ['%s:%d: %s' % (r['shape'], r['size'], r['warning'])
                    for r in scaling['rows'] if r.get('warning')]
        if warnings:
            parts.append('WARNINGS:\n' + '\n'.join(warnings))
        if scaling['growth']:
            parts.append(_growth_table(
                scaling['growth'], 'growth, side by side (every shape and '
                'size interleaved in one server start; the targets)'))
        if scaling.get('growth_per_start'):
            parts.append(_growth_table(
                scaling['growth_per_start'], 'growth between the starts '
                'above (one per size; moves with the machine, listing for '
                'reference)'))
        rows = [(','.join(str(x) for x in m['sizes']),
                 m['start']['rss_mib'],
                 ', '.join('%s %.0f' % (s, v['rss_mib'])
                           for s, v in sorted(m['after'].items())),
                 m['end']['rss_mib'], m['end']['peak_mib'])
                for m in scaling['memory']]
        parts.append('server memory, MiB (one server start per row)\n'
                     + _table(('sizes', 'RSS at start', 'RSS after shape',
                               'RSS end', 'peak (VmHWM)'), rows))

    thr = results.get('throughput')
    if thr:
        parts.append(_throughput_text(
            thr, '\n3. Throughput, embedded server'))

    deployed = results.get('deployment')
    if deployed and deployed.get('unavailable'):
        parts.append('\n4. Throughput on RabbitMQ + PostgreSQL: not '
                     'measured (%s)' % deployed['unavailable'])
    elif deployed:
        for n, (mode, title) in enumerate((
                ('api', 'analysis in the API process, the default'),
                ('engine', 'analysis_in_api off: an engine over '
                           'RabbitMQ'))):
            parts.append(_throughput_text(
                deployed[mode], '\n4%s. Throughput on RabbitMQ + '
                'PostgreSQL (API, 2 engines, executor, notifier), %s'
                % ('ab'[n], title)))

    found = targets(results)
    if found:
        parts.append('\nTargets%s\n' % (
            ' (quick run: too few samples and too small to judge)'
            if meta['quick'] else '') + _table(
            ('target', 'value', ''),
            [(name, value, _verdict(ok)) for name, value, ok in found]))
    return '\n'.join(parts)


def plot(results, path):
    panels = [k for k in ('latency', 'scaling', 'throughput')
              if results.get(k)]
    deployed = results.get('deployment') or {}
    if deployed.get('api'):
        panels.append('deployment')
    extra = 1 if results.get('scaling') else 0
    count = len(panels) + extra
    columns = 2 if count > 2 else count
    lines = (count + columns - 1) // columns
    fig, grid = pyplot.subplots(lines, columns,
                                figsize=(6.5 * columns, 5 * lines),
                                squeeze=False)
    axes = [ax for line in grid for ax in line]
    for ax in axes[count:]:
        ax.set_visible(False)

    lat = results.get('latency')
    if lat:
        ax = axes.pop(0)
        data = [lat['modes'][m]['samples_ms'] for m in latency.MODES]
        ax.boxplot(data, whis=(10, 90), showfliers=True)
        ax.set_xticks(range(1, 4))
        ax.set_xticklabels(['a resume\nrerun', 'b upstream\nrerun',
                            'c resume\ncontinue'])
        ax.set_ylabel('request -> SUCCESS (ms)')
        ax.set_title('Latency (a/b %.2f, c/b %.2f)'
                     % (lat['ratios']['a/b median'],
                        lat['ratios']['c/b median']))

    scaling = results.get('scaling')
    if scaling:
        ax = axes.pop(0)
        styles = {'listing': '-', 'requirements': '--', 'dry_run': ':'}
        colors = {'wide': 'tab:blue', 'fanout': 'tab:orange',
                  'deep': 'tab:green'}
        for shape in colors:
            rows = sorted((r for r in scaling['rows']
                           if r['shape'] == shape),
                          key=lambda r: r['task_executions'])
            if not rows:
                continue
            x = [r['task_executions'] for r in rows]
            for name, style in styles.items():
                ax.plot(x, [r['median_s'][name] for r in rows],
                        linestyle=style, marker='o', color=colors[shape],
                        label='%s %s' % (shape, name))
        ax.set_xscale('log')
        ax.set_yscale('log')
        ax.set_xlabel('task executions')
        ax.set_ylabel('seconds (median)')
        ax.set_title('Scaling: listing vs analysis')
        ax.legend(fontsize=6, ncol=1)

        ax = axes.pop(0)
        sizes = [max(m['sizes']) for m in scaling['memory']]
        ax.plot(sizes, [m['end']['peak_mib'] for m in scaling['memory']],
                marker='o', label='peak (VmHWM)')
        ax.plot(sizes, [m['start']['rss_mib'] for m in scaling['memory']],
                marker='o', label='RSS at start')
        ax.set_xscale('log')
        ax.set_xlabel('task executions per shape (largest of the start)')
        ax.set_ylabel('MiB')
        ax.set_title('Server memory')
        ax.legend(fontsize=7)

    thr = results.get('throughput')
    if thr:
        _throughput_bars(axes.pop(0), thr, 'Throughput, embedded server')
    if deployed.get('api'):
        _throughput_bars(axes.pop(0), deployed['api'],
                         'Throughput, RabbitMQ + PostgreSQL')

    fig.tight_layout()
    fig.savefig(path, dpi=110)
    pyplot.close(fig)


def _throughput_bars(ax, thr, title):
    width = 0.25
    for i, endpoint in enumerate(throughput.ENDPOINTS):
        cells = {c['threads']: c['rps'] for c in thr['cells']
                 if c['endpoint'] == endpoint}
        xs = [j + (i - 1) * width for j in range(len(throughput.THREADS))]
        ax.bar(xs, [cells[t] for t in throughput.THREADS], width,
               label=throughput.LABELS[endpoint])
    ax.set_xticks(range(len(throughput.THREADS)))
    ax.set_xticklabels(['%d thread%s' % (t, 's' if t > 1 else '')
                        for t in throughput.THREADS])
    ax.set_ylabel('requests / s')
    ax.set_title(title)
    ax.legend(fontsize=6)

import * as common from '@grafana/grafana-foundation-sdk/common';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as prometheus from '@grafana/grafana-foundation-sdk/prometheus';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as statetimeline from '@grafana/grafana-foundation-sdk/statetimeline';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import { PROMETHEUS } from './datasources.js';

/** One Prometheus query of a panel. */
export interface Query {
  readonly expr: string;
  /** Grafana legend template, e.g. `{{service}}`. */
  readonly legend: string;
  /**
   * Ask Prometheus for exemplars (trace IDs), shown as points that open the trace in Zipkin.
   * Only for queries over `*_bucket` of a histogram recorded with exemplars. @default false
   */
  readonly exemplar?: boolean;
}

export interface PanelOptions {
  /** Grafana unit ID (`reqps`, `s`, `percentunit`, `short`, `bytes`, ...). */
  readonly unit: string;
  readonly description: string;
  /** Width in grid columns (24 is the full row). @default 12 */
  readonly span?: number;
  /** Height in grid rows. @default 8 */
  readonly height?: number;
  /** Links shown in the panel header (e.g. to Kibana). */
  readonly links?: readonly PanelLink[];
  readonly min?: number;
  readonly max?: number;
}

export interface PanelLink {
  readonly title: string;
  readonly url: string;
}

function target(q: Query, refId: string): prometheus.DataqueryBuilder {
  return new prometheus.DataqueryBuilder()
    .refId(refId)
    .datasource(PROMETHEUS)
    .expr(q.expr)
    .legendFormat(q.legend)
    .range()
    .exemplar(q.exemplar ?? false);
}

/** Links out of Grafana (Kibana): variables are interpolated into the URL; no Grafana time or `var-` params appended. */
function links(list: readonly PanelLink[] | undefined): dashboard.DashboardLinkBuilder[] {
  return (list ?? []).map((l) => new dashboard.DashboardLinkBuilder(l.title).type(dashboard.DashboardLinkType.Link)
    .url(l.url).targetBlank(true).keepTime(false).includeVars(false));
}

const refIds = (i: number): string => String.fromCharCode(65 + i);

/** A time-series panel: the default for rates, ratios and latencies. */
export function timeseriesPanel(title: string, queries: readonly Query[], o: PanelOptions): timeseries.PanelBuilder {
  const p = new timeseries.PanelBuilder()
    .title(title)
    .description(o.description)
    .datasource(PROMETHEUS)
    .unit(o.unit)
    .span(o.span ?? 12)
    .height(o.height ?? 8)
    .fillOpacity(10)
    .showPoints(common.VisibilityMode.Never)
    .legend(new common.VizLegendOptionsBuilder().showLegend(true).displayMode(common.LegendDisplayMode.List)
      .placement(common.LegendPlacement.Bottom).calcs([]))
    .tooltip(new common.VizTooltipOptionsBuilder().mode(common.TooltipDisplayMode.Multi).sort(common.SortOrder.Descending));
  queries.forEach((q, i) => p.withTarget(target(q, refIds(i))));
  if (o.links !== undefined) p.links(links(o.links));
  if (o.min !== undefined) p.min(o.min);
  if (o.max !== undefined) p.max(o.max);
  return p;
}

/** A single-value panel (last value, with a sparkline). */
export function statPanel(title: string, queries: readonly Query[], o: PanelOptions & {
  /** Threshold steps above the base colour, e.g. `[{ value: 0.99, color: 'green' }]`. */
  readonly thresholds?: readonly { readonly value: number; readonly color: string }[];
  /** Colour of values below the first step. @default 'green' */
  readonly baseColor?: string;
}): stat.PanelBuilder {
  const p = new stat.PanelBuilder()
    .title(title)
    .description(o.description)
    .datasource(PROMETHEUS)
    .unit(o.unit)
    .span(o.span ?? 6)
    .height(o.height ?? 5)
    .graphMode(common.BigValueGraphMode.Area)
    .colorMode(common.BigValueColorMode.Value)
    .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false))
    .thresholds(new dashboard.ThresholdsConfigBuilder().mode(dashboard.ThresholdsMode.Absolute).steps([
      { value: null, color: o.baseColor ?? 'green' },
      ...(o.thresholds ?? []).map((s) => ({ value: s.value, color: s.color })),
    ]));
  queries.forEach((q, i) => p.withTarget(target(q, refIds(i))));
  if (o.links !== undefined) p.links(links(o.links));
  if (o.min !== undefined) p.min(o.min);
  if (o.max !== undefined) p.max(o.max);
  return p;
}

/** One value of a state gauge, as a state-timeline panel names and colours it. */
export interface StateValue {
  readonly value: number;
  readonly text: string;
  readonly color: string;
}

/** A state-timeline panel: one band per series, coloured by the state a gauge reports (e.g. a breaker). */
export function stateTimelinePanel(title: string, queries: readonly Query[], o: PanelOptions & {
  readonly states: readonly StateValue[];
}): statetimeline.PanelBuilder {
  const mapping: dashboard.ValueMap = {
    type: dashboard.MappingType.ValueToText,
    options: Object.fromEntries(o.states.map((st, index) => [String(st.value), { text: st.text, color: st.color, index }])),
  };
  const p = new statetimeline.PanelBuilder()
    .title(title)
    .description(o.description)
    .datasource(PROMETHEUS)
    .unit(o.unit)
    .span(o.span ?? 12)
    .height(o.height ?? 8)
    .mappings([mapping])
    .thresholds(new dashboard.ThresholdsConfigBuilder().mode(dashboard.ThresholdsMode.Absolute).steps(
      o.states.map((st, i) => ({ value: i === 0 ? null : st.value, color: st.color }))))
    .colorScheme(new dashboard.FieldColorBuilder().mode(dashboard.FieldColorModeId.Thresholds))
    .showValue(common.VisibilityMode.Never)
    .mergeValues(true)
    .legend(new common.VizLegendOptionsBuilder().showLegend(true).displayMode(common.LegendDisplayMode.List)
      .placement(common.LegendPlacement.Bottom).calcs([]));
  queries.forEach((q, i) => p.withTarget(target(q, refIds(i))));
  if (o.links !== undefined) p.links(links(o.links));
  return p;
}

/**
 * A Prometheus annotation: a marker on every time-series panel at each step where `expr` has a
 * series (e.g. `increase(counter[1m]) > 0`). `title`/`text` are Grafana templates over its labels.
 */
export function promAnnotation(name: string, expr: string, o: {
  readonly title: string;
  readonly text: string;
  readonly color: string;
  /** Comma-separated labels shown as tags. */
  readonly tags?: string;
}): dashboard.AnnotationQueryBuilder {
  return new dashboard.AnnotationQueryBuilder()
    .name(name)
    .datasource(PROMETHEUS)
    .enable(true)
    .iconColor(o.color)
    .expr(expr)
    .step('15s')
    .titleFormat(o.title)
    .textFormat(o.text)
    .tagKeys(o.tags ?? '');
}

/**
 * Markers for the controller's actions (reroute, restart, reinstate) by result. A counter series
 * appears with its first action, where increase() sees no change: a series younger than the
 * minute counts whole.
 */
export function controllerActions(): dashboard.AnnotationQueryBuilder {
  const m = 'brewops_controller_actions_total';
  return promAnnotation('Controller actions', `sum by (action, result) ((${m} unless ${m} offset 1m) or increase(${m}[1m])) > 0`, {
    title: '{{action}} {{result}}', text: 'controller {{action}}: {{result}} (timeline: GET http://127.0.0.1:9600/v1/incidents)',
    color: 'purple', tags: 'action,result',
  });
}

/** A full-width row header; panels added after it sit under it. */
export function row(title: string): dashboard.RowBuilder {
  return new dashboard.RowBuilder(title);
}

/** A Prometheus `label_values(selector, label)` variable, refreshed when the time range changes. */
export function labelVariable(name: string, label: string, selector: string, o: {
  readonly title: string;
  /** Several values and an "All" option (matched with `=~`). @default false */
  readonly multi?: boolean;
  /** With `multi`: open on "All" rather than on the first value. @default false */
  readonly defaultAll?: boolean;
}): dashboard.QueryVariableBuilder {
  const query = `label_values(${selector}, ${label})`;
  const v = new dashboard.QueryVariableBuilder(name)
    .label(o.title)
    .datasource(PROMETHEUS)
    .query(query)
    .definition(query)
    .refresh(dashboard.VariableRefresh.OnTimeRangeChanged)
    .sort(dashboard.VariableSort.AlphabeticalAsc);
  if (o.multi === true) v.multi(true).includeAll(true).allValue('.+');
  if (o.multi === true && o.defaultAll === true) v.current({ selected: true, text: ['All'], value: ['$__all'] });
  return v;
}

/**
 * A free-text `correlation_id` variable and a dashboard link that opens every log line of that
 * correlation ID in Kibana (paste the `x-correlation-id` a client got back).
 */
export function withCorrelationIdLink(d: dashboard.DashboardBuilder, kibanaUrl: string): dashboard.DashboardBuilder {
  return d
    .withVariable(new dashboard.TextBoxVariableBuilder('correlation_id').label('Correlation ID')
      .description('x-correlation-id of a request: the link "Logs of this correlation ID" opens its log lines in Kibana.'))
    .link(new dashboard.DashboardLinkBuilder('Logs of this correlation ID (Kibana)').type(dashboard.DashboardLinkType.Link)
      .url(kibanaUrl).targetBlank(true).keepTime(false).includeVars(false).icon('doc'));
}

/** The dashboard frame every brewops dashboard shares: tags, time range, refresh, shared crosshair. */
export function brewopsDashboard(uid: string, title: string, description: string): dashboard.DashboardBuilder {
  return new dashboard.DashboardBuilder(title)
    .uid(uid)
    .description(description)
    .tags(['brewops', 'generated'])
    .editable()
    .timezone('browser')
    .time({ from: 'now-1h', to: 'now' })
    .refresh('30s')
    .tooltip(dashboard.DashboardCursorSync.Crosshair)
    .link(new dashboard.DashboardLinkBuilder('brewops dashboards').type(dashboard.DashboardLinkType.Dashboards)
      .tags(['brewops']).asDropdown(true).keepTime(true).includeVars(false));
}

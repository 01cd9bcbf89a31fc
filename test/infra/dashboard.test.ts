import { beforeAll, describe, expect, it } from 'vitest';
import { functionNames } from '#contracts/functions';
import { docdropMetrics, metricsNamespace, metricsService } from '#contracts/metrics';
import { defaultStack } from './support';

/** One widget's metric line as CloudWatch reads it: namespace, name, then dimension name/value pairs, then options. */
type MetricRow = (string | Record<string, unknown>)[];

interface Widget {
  readonly type: string;
  readonly properties: {
    readonly title?: string;
    readonly metrics?: MetricRow[];
  };
}

let widgets: Widget[];

/**
 * The dashboard body as deployed: a JSON text with tokens (region, function names) joined in.
 * The tokens are replaced by placeholders; each sits inside a JSON string, so the text parses.
 */
beforeAll(() => {
  const { template } = defaultStack();
  const dashboards = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
  const [dashboard] = dashboards as { Properties: { DashboardBody: string | { 'Fn::Join': [string, unknown[]] } } }[];
  const body = dashboard?.Properties.DashboardBody ?? '{"widgets":[]}';
  const text =
    typeof body === 'string'
      ? body
      : body['Fn::Join'][1].map((part) => (typeof part === 'string' ? part : '<token>')).join('');
  widgets = JSON.parse(text).widgets;
  // Synthesising the stack takes seconds.
}, 120_000);

const rows = (): MetricRow[] => widgets.flatMap((widget) => widget.properties.metrics ?? []);
const expressions = (): string[] =>
  rows().flatMap((row) =>
    row.flatMap((cell) => (typeof cell === 'object' && typeof cell.expression === 'string' ? [cell.expression] : [])),
  );

describe('operator dashboard', () => {
  it('is in the stack, once', () => {
    // prepare
    const { template } = defaultStack();

    // act
    const dashboards = template.findResources('AWS::CloudWatch::Dashboard');

    // assess
    expect(Object.keys(dashboards)).toHaveLength(1);
  });

  it.each(Object.entries(docdropMetrics).filter(([, metric]) => !('breakdown' in metric)))(
    'draws %s from the docdrop namespace with its service dimension',
    (_key, metric) => {
      // prepare
      const expected = [metricsNamespace, metric.name, 'service', metricsService];

      // act
      const drawn = rows().filter((row) => row[0] === metricsNamespace && row[1] === metric.name);

      // assess
      expect(drawn.length).toBeGreaterThan(0);
      for (const row of drawn) expect(row.slice(0, 4)).toEqual(expected);
    },
  );

  it.each(Object.entries(docdropMetrics).filter(([, metric]) => 'breakdown' in metric))(
    'draws %s as one line per value of its breakdown, from the docdrop namespace',
    (_key, metric) => {
      // prepare
      const search = `SEARCH('{${metricsNamespace},service,${'breakdown' in metric ? metric.breakdown : ''}} MetricName="${metric.name}"'`;

      // act
      const drawn = expressions().filter((expression) => expression.startsWith(search));

      // assess
      expect(drawn).toHaveLength(1);
    },
  );

  it('draws the validator duration as p50 and p95', () => {
    // prepare
    const name = docdropMetrics.validationDuration.name;

    // act
    const stats = rows()
      .filter((row) => row[1] === name)
      .map((row) => (row.find((cell) => typeof cell === 'object') as { stat?: string } | undefined)?.stat);

    // assess
    expect(stats.sort()).toEqual(['p50', 'p95']);
  });

  it('draws every function’s errors and duration', () => {
    // prepare
    const functionCount = functionNames.length;

    // act
    const errors = rows().filter((row) => row[0] === 'AWS/Lambda' && row[1] === 'Errors');
    const durations = rows().filter((row) => row[0] === 'AWS/Lambda' && row[1] === 'Duration');

    // assess
    expect(errors).toHaveLength(functionCount);
    expect(durations).toHaveLength(functionCount);
  });

  it('draws the API’s 4xx, 5xx and latency', () => {
    // prepare
    const apiMetric = (name: string) => rows().filter((row) => row[0] === 'AWS/ApiGateway' && row[1] === name);

    // act
    const drawn = { clientErrors: apiMetric('4xx'), serverErrors: apiMetric('5xx'), latency: apiMetric('Latency') };

    // assess
    expect(drawn.clientErrors).toHaveLength(1);
    expect(drawn.serverErrors).toHaveLength(1);
    expect(drawn.latency).toHaveLength(2);
  });
});

import { describe, expect, it } from 'vitest';
import { guessFormat, parseSignals } from '../../src/ingest/signal-formats.js';

const prom = (result: unknown[]) => JSON.stringify({ status: 'success', data: { resultType: 'matrix', result } });

describe('signal formats', () => {
  it('reads a Prometheus query_range answer: labels, seconds → ms, string values', () => {
    const series = parseSignals(
      prom([
        {
          metric: { __name__: 'error_rate', service: 'payments', endpoint: '/api/charge', env: 'production' },
          values: [
            [1767261600, '0.01'],
            [1767261660.5, '0.02'],
          ],
        },
        { metric: { service: 'payments' }, values: [[1767261600, '120']] },
      ]),
      'prom',
      { metric: 'requests' },
    );
    expect(series).toEqual([
      {
        metric: 'error_rate',
        labels: { service: 'payments', endpoint: '/api/charge', env: 'production' },
        samples: [
          { at: 1767261600000, value: 0.01 },
          { at: 1767261660500, value: 0.02 },
        ],
      },
      { metric: 'requests', labels: { service: 'payments' }, samples: [{ at: 1767261600000, value: 120 }] },
    ]);
  });

  it('maps a latency histogram quantile to p95', () => {
    const [s] = parseSignals(
      prom([{ metric: { __name__: 'http_latency_ms', quantile: '0.95' }, values: [[1767261600, '250']] }]),
      'prom',
    );
    expect(s!.metric).toBe('latency_p95');
  });

  it('names the bad field of a Prometheus answer', () => {
    expect(() => parseSignals(prom([{ metric: { service: 'x' }, values: [[1, '0.1']] }]), 'prom')).toThrow(
      /data\.result\[0\]\.metric: no metric kind/,
    );
    expect(() =>
      parseSignals(prom([{ metric: { metric: 'error_rate' }, values: [[1767261600, 'abc']] }]), 'prom'),
    ).toThrow(/data\.result\[0\]\.values\[0\]\[1\]: 'abc' is not a finite number/);
    expect(() =>
      parseSignals(prom([{ metric: { metric: 'error_rate' }, values: [[1767261600, '3.1']] }]), 'prom'),
    ).toThrow(/error_rate is a ratio from 0 to 1.*0\.031/);
    expect(() => parseSignals('{"status":"error","error":"bad query"}', 'prom')).toThrow(/^status:/);
    expect(() => parseSignals('{"data": {"resultType": "matrix", "result": 3}}', 'prom')).toThrow(/data\.result/);
    expect(() => parseSignals('not json', 'prom')).toThrow(/not JSON/);
  });

  it('reads OTLP/JSON gauges, sums and summaries with resource attributes', () => {
    const otlp = {
      resourceMetrics: [
        {
          resource: {
            attributes: [
              { key: 'service.name', value: { stringValue: 'payments' } },
              { key: 'deployment.environment', value: { stringValue: 'production' } },
            ],
          },
          scopeMetrics: [
            {
              scope: { name: 'app' },
              metrics: [
                {
                  name: 'error_rate',
                  gauge: { dataPoints: [{ timeUnixNano: '1767261600000000000', asDouble: 0.02 }] },
                },
                {
                  name: 'requests',
                  sum: {
                    aggregationTemporality: 1,
                    dataPoints: [
                      {
                        attributes: [{ key: 'http.route', value: { stringValue: '/api/charge' } }],
                        timeUnixNano: '1767261600000000000',
                        asInt: '480',
                      },
                    ],
                  },
                },
                {
                  name: 'http.server.duration',
                  summary: {
                    dataPoints: [
                      {
                        timeUnixNano: '1767261600000000000',
                        quantileValues: [
                          { quantile: 0.5, value: 40 },
                          { quantile: 0.99, value: 900 },
                        ],
                      },
                    ],
                  },
                },
              ],
            },
          ],
        },
      ],
    };
    const text = JSON.stringify(otlp);
    expect(guessFormat('x.json', text)).toBe('otlp');
    const series = parseSignals(text, 'otlp');
    const env = { service: 'payments', env: 'production' };
    expect(series).toEqual([
      { metric: 'error_rate', labels: env, samples: [{ at: 1767261600000, value: 0.02 }] },
      { metric: 'requests', labels: { ...env, endpoint: '/api/charge' }, samples: [{ at: 1767261600000, value: 480 }] },
      { metric: 'latency_p50', labels: env, samples: [{ at: 1767261600000, value: 40 }] },
      { metric: 'latency_p99', labels: env, samples: [{ at: 1767261600000, value: 900 }] },
    ]);
  });

  it('names the bad field of an OTLP document', () => {
    const doc = (metric: unknown) => JSON.stringify({ resourceMetrics: [{ scopeMetrics: [{ metrics: [metric] }] }] });
    expect(() =>
      parseSignals(doc({ name: 'error_rate', gauge: { dataPoints: [{ timeUnixNano: 'soon', asDouble: 1 }] } }), 'otlp'),
    ).toThrow(/resourceMetrics\[0\]\.scopeMetrics\[0\]\.metrics\[0\]\.gauge\.dataPoints\[0\]\.timeUnixNano/);
    expect(() =>
      parseSignals(doc({ name: 'cpu', gauge: { dataPoints: [{ timeUnixNano: '1', asDouble: 1 }] } }), 'otlp'),
    ).toThrow(/metrics\[0\]\.name: 'cpu' is not a signal/);
    expect(() => parseSignals(doc({ name: 'latency', histogram: { dataPoints: [] } }), 'otlp')).toThrow(
      /only gauge, sum and summary/,
    );
    expect(() => parseSignals('{"resourceMetrics": {}}', 'otlp')).toThrow(/^resourceMetrics: expected an array/);
  });

  it('reads CSV, one sample a row, ISO or unix times', () => {
    const csv =
      'timestamp,metric,value,service,endpoint,module\n' +
      '2026-01-01T10:00:00Z,cost,1.5,payments,,payments\n' +
      '1767261660,cost,2,payments,,payments\n' +
      '1767261720000,latency_p95,310,search,/q,\n';
    expect(guessFormat('metrics.csv', csv)).toBe('csv');
    expect(parseSignals(csv, 'csv')).toEqual([
      {
        metric: 'cost',
        labels: { service: 'payments', module: 'payments' },
        samples: [
          { at: Date.parse('2026-01-01T10:00:00Z'), value: 1.5 },
          { at: 1767261660000, value: 2 },
        ],
      },
      {
        metric: 'latency_p95',
        labels: { service: 'search', endpoint: '/q' },
        samples: [{ at: 1767261720000, value: 310 }],
      },
    ]);
  });

  it('names the line and column of a bad CSV row', () => {
    expect(() => parseSignals('timestamp,metric,value\n2026-01-01T10:00:00Z,cpu,1\n', 'csv')).toThrow(
      /line 2: metric: 'cpu' is not one of error_rate/,
    );
    expect(() => parseSignals('timestamp,metric,value\nyesterday,cost,1\n', 'csv')).toThrow(/line 2: timestamp/);
    expect(() => parseSignals('timestamp,metric,value\n2026-01-01T10:00:00Z,cost,-4\n', 'csv')).toThrow(
      /line 2: value: cost cannot be negative/,
    );
    expect(() => parseSignals('when,metric,value\n1,cost,1\n', 'csv')).toThrow(/line 2: timestamp: missing/);
  });

  it('asks for --format when it cannot tell', () => {
    expect(() => guessFormat('x.txt', '[1,2]')).toThrow(/--format prom\|otlp\|csv/);
  });
});

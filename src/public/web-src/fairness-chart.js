// The public page's fairness chart, drawn by Apache ECharts: loaded by public-page.js with a dynamic import()
// only when a chart comes into view, so esbuild puts it (and ECharts, ~500 KB minified) in a chunk of its own
// (dist/web/public/chunks/) that visitors who never see a chart do not download.
import { BarChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';

// Only what the chart uses (a canvas: no SVG or HTML is built from the data).
echarts.use([BarChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

/**
 * Draws horizontal bars, one row per category and one bar per series, into `node` (which is in the page and
 * has its size), and again whenever its size changes. `format` turns a value (a share, 0..1) into its label.
 * @param {HTMLElement} node
 * @param {{ categories: string[], series: Array<{ name: string, color: string, data: number[] }>, format: (v: number) => string }} chart
 */
export function drawFairnessChart(node, { categories, series, format }) {
  const chart = echarts.init(node, null, { renderer: 'canvas', locale: 'ZH' });
  chart.setOption({
    animation: false,
    textStyle: { fontFamily: getComputedStyle(document.body).fontFamily },
    legend: { top: 0, data: series.map((x) => x.name) },
    // Tooltips as canvas text (renderMode richText): no HTML is built from the labels.
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, renderMode: 'richText', valueFormatter: (v) => format(v) },
    grid: { left: 8, right: 48, top: 32, bottom: 8, containLabel: true },
    xAxis: { type: 'value', axisLabel: { formatter: (v) => `${Math.round(v * 100)}%` }, splitNumber: 4 },
    yAxis: { type: 'category', inverse: true, data: categories, axisTick: { show: false } },
    series: series.map((x) => ({
      type: 'bar',
      name: x.name,
      data: x.data,
      itemStyle: { color: x.color },
      barMaxWidth: 16,
      label: { show: true, position: 'right', formatter: (p) => format(p.value) },
    })),
  });
  new ResizeObserver(() => chart.resize()).observe(node);
  return chart;
}

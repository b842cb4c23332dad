// Apache ECharts, only the parts the console uses (bundled by esbuild; no CDN). Loaded by the dashboard with a
// dynamic import(): esbuild puts it in a chunk of its own (dist/web/console/chunks/), not in the first load.
import { BarChart, LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';

echarts.use([BarChart, LineChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

/**
 * A stacked bar chart of status counts per category. Text in ECharts is drawn on a canvas, so nothing is
 * parsed as HTML; tooltips use the default formatter on our own category names and numbers.
 */
export function stackedBars(node, categories, series, { horizontal = false } = {}) {
  const chart = echarts.getInstanceByDom(node) || echarts.init(node, null, { renderer: 'canvas', locale: 'ZH' });
  const category = { type: 'category', data: categories, axisLabel: { hideOverlap: true } };
  const value = { type: 'value', minInterval: 1 };
  chart.setOption(
    {
      animation: false,
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, renderMode: 'richText' },
      legend: { top: 0 },
      grid: { left: horizontal ? 80 : 50, right: 20, top: 36, bottom: 30 },
      xAxis: horizontal ? value : category,
      yAxis: horizontal ? { ...category, inverse: true } : value,
      series: series.map((s) => ({ type: 'bar', stack: 'all', name: s.name, data: s.data, itemStyle: { color: s.color }, barMaxWidth: 28 })),
    },
    true,
  );
  return chart;
}

export function disposeCharts(nodes) {
  for (const n of nodes) {
    const c = echarts.getInstanceByDom(n);
    if (c) c.dispose();
  }
}

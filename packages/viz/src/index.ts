/**
 * @isc/viz: pure functions from arrays to HTML strings or plotly figure specs, for notebooks, the
 * CLI and the browser. No Node or DOM APIs, no tensors: callers pass plain numbers.
 */
export { escapeHtml, fmtFixed, fmtCount, freshId } from "./html.js";
export { type PlotlyFigure, roundTo, inlineToken, DEFAULT_CONFIG, SEQUENTIAL_BLUES, DIVERGING_BLUE_RED } from "./figure.js";
export { CUI_HUE_POS, CUI_HUE_NEG, cuiColour, cuiColorSaturation, maxAbs } from "./colour.js";
export { type StatsRow, type ExperimentTable, type StatColumn, type LossTableHtmlOptions, lossTableHtml, TABLE_STYLE } from "./loss-table.js";
export { type RecoveredTableOptions, recoveredTableHtml, recoveredColour, sideBySide } from "./recovered-table.js";
export { type RecoveredIntervalLike, UNCLEAR_MARK, UNCLEAR_NOTE, fmtPercent, fmtPercentInterval, fmtRecovered, unclearAt } from "./recovered-interval.js";
export { type ColouredTextRow, type ColouredTextOptions, colouredTextHtml } from "./coloured-text.js";
export { type AttentionFacet, type AttentionHeatmapOptions, attentionHeatmap, croppedRange, positionLabels, facetsFromStack } from "./attention.js";
export { type BarSeries, type BarChartOptions, barChart, type MatrixHeatmapOptions, matrixHeatmap, type LineSeries, lineChart } from "./charts.js";
export {
  type PlotlyHtmlOptions,
  PLOTLY_PLACEHOLDER,
  PLOTLY_READY_EVENT,
  plotlyHtml,
  plotlyLibraryHtml,
  plotlyPage,
  plotlySpecOf,
  scriptSafe,
} from "./plotly-html.js";
export { capWidth, chartTitle, chunks, MAX_FIGURE_WIDTH, MIN_FONT_SIZE, withTitle } from "./layout.js";

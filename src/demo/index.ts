/** `sparse24 demo` as a library: the ASP recipe end to end, the report writers and the SVG charts. */
export * from './types.js';
export { demoCnn } from './model.js';
export { type DemoData, loadDemoData } from './data.js';
export { keptUnderPattern, maskedMagnitude, totalMagnitude } from './magnitude.js';
export { compareModels, forwardTimes, median } from './compare.js';
export { SearchProgress } from './search_progress.js';
export * from './svg.js';
export { curvesSvg, magnitudeSvg, reportMarkdown, writeReport } from './report.js';
export { runDemo } from './pipeline.js';
export { demoModel, demoVit } from './model.js';
export { RECIPES, type Recipe } from './recipes.js';
export { calibrationBatch, oneShotPattern } from './one_shot.js';
export { type ComparisonSetup, copyState, runComparison } from './comparison.js';
export { comparisonMarkdown, comparisonSvg, meanReconstructionError, variantLabel } from './comparison_report.js';

/** Jinja2 rendering in worker threads, off the event loop, with time, output and memory limits. */
export { JinjaRenderer } from './jinja-renderer.service';
export type { JinjaRendererOptions, JinjaRenderFailureKind, JinjaRenderResult } from './jinja-renderer.service';

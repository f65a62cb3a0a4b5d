// Types of wasmThreadSource.mjs for vite.config.ts and the tests (tsconfig has no allowJs).
import type { Plugin } from 'vite';

export const THREADED_MODULE: RegExp;
export function patchThreadedSource(code: string): string;
export function wasmThreadSource(): Plugin;
export function checkThreadSource(chunk: string): string[];

// Typeset math with KaTeX. Expressions come from our own code, never from user input.
import katex from 'katex';
import 'katex/dist/katex.min.css';
import { useMemo } from 'react';

export function Tex({ expr, display = false }: { expr: string; display?: boolean }) {
  const html = useMemo(
    () => katex.renderToString(expr, { displayMode: display, throwOnError: false, output: 'html' }),
    [expr, display],
  );
  return <span className="tex" dangerouslySetInnerHTML={{ __html: html }} />;
}

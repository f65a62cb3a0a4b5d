// "Copy link": the address with the hash that replays what is on screen (view, schedule, t,
// sampling settings and the step shown, theme, classroom mode). Where the clipboard is refused
// (no permission, an old browser), the link is shown selected, ready for Ctrl+C.
import { useState } from 'react';

type Outcome = { kind: 'copied' } | { kind: 'manual'; link: string } | null;

export function CopyLinkButton() {
  const [outcome, setOutcome] = useState<Outcome>(null);
  const copy = async () => {
    const link = window.location.href;
    try {
      await navigator.clipboard.writeText(link);
      setOutcome({ kind: 'copied' });
      setTimeout(() => setOutcome(null), 3000);
    } catch {
      setOutcome({ kind: 'manual', link });
    }
  };
  return (
    <span className="copy-link">
      <button
        type="button"
        onClick={() => void copy()}
        title="A link that opens this page with the same settings and draws the same images"
      >
        Copy link
      </button>
      {outcome?.kind === 'copied' && (
        <span role="status" className="muted">
          Link copied: it replays these settings.
        </span>
      )}
      {outcome?.kind === 'manual' && (
        <input
          aria-label="Link to this page"
          readOnly
          value={outcome.link}
          ref={(el) => el?.select()}
          onBlur={() => setOutcome(null)}
        />
      )}
    </span>
  );
}

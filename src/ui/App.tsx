// The app shell: title, backend status, view switcher, and the active view.
import { useEffect } from 'react';
import { usePlayground, type ViewId } from './store';
import { boot } from './boot';
import { ForwardView } from './views/ForwardView';
import { SchedulesView } from './views/SchedulesView';
import { TrainingView } from './views/TrainingView';
import { SamplingView } from './views/SamplingView';
import { EvaluationView } from './views/EvaluationView';
import { LikelihoodView } from './views/LikelihoodView';
import { ScoreView } from './views/ScoreView';
import { LatentView } from './views/LatentView';
import { CascadeView } from './views/CascadeView';
import { BackendBadge } from './components/BackendBadge';
import { useUrlState } from './useUrlState';
import { useKeyboard } from './useKeyboard';
import { useDisplaySettings } from './useDisplaySettings';
import { DisplayControls } from './components/DisplayControls';
import { CopyLinkButton } from './components/CopyLinkButton';
import { ViewErrorBoundary } from './components/ViewErrorBoundary';
import { ResumeSession } from './components/ResumeSession';
import { useLeaveGuard } from './useSessionSnapshot';
import { resetSettings } from './resetSettings';

const VIEWS: { id: ViewId; title: string }[] = [
  { id: 'forward', title: 'Forward process' },
  { id: 'schedules', title: 'Schedules' },
  { id: 'training', title: 'Training' },
  { id: 'sampling', title: 'Reverse sampling' },
  { id: 'evaluate', title: 'Guidance trade-off' },
  { id: 'likelihood', title: 'Likelihood' },
  { id: 'score', title: 'Score & SDE' },
  { id: 'latent', title: 'Latent diffusion' },
  { id: 'cascade', title: 'Cascade' },
];

export function App() {
  const { view, setView, fatalError, notice, setNotice } = usePlayground();
  useUrlState();
  useKeyboard();
  useDisplaySettings();
  useLeaveGuard();

  // Normally done already by main.tsx, before the first render.
  useEffect(boot, []);

  return (
    <div className="app">
      <header className="app-header">
        <h1>Diffusion Playground</h1>
        <BackendBadge />
        <DisplayControls />
        <CopyLinkButton />
      </header>
      <nav className="view-tabs" role="tablist" aria-label="Views">
        {VIEWS.map((v) => (
          <button
            key={v.id}
            role="tab"
            type="button"
            aria-selected={view === v.id}
            className={view === v.id ? 'tab active' : 'tab'}
            onClick={() => setView(v.id)}
          >
            {v.title}
          </button>
        ))}
      </nav>
      {fatalError && (
        <p role="alert" className="error banner">
          {fatalError}
        </p>
      )}
      {notice && (
        <div role="status" className="notice banner-notice">
          <span>{notice}</span>
          <button type="button" onClick={() => setNotice(null)} aria-label="Dismiss notice">
            ×
          </button>
        </div>
      )}
      <ResumeSession />
      <main>
        {/* Keyed by view: an error in one view does not follow the class to the next tab. */}
        <ViewErrorBoundary
          key={view}
          title={VIEWS.find((v) => v.id === view)?.title ?? view}
          onReset={resetSettings}
        >
          {view === 'forward' && <ForwardView />}
          {view === 'schedules' && <SchedulesView />}
          {view === 'training' && <TrainingView />}
          {view === 'sampling' && <SamplingView />}
          {view === 'evaluate' && <EvaluationView />}
          {view === 'likelihood' && <LikelihoodView />}
          {view === 'score' && <ScoreView />}
          {view === 'latent' && <LatentView />}
          {view === 'cascade' && <CascadeView />}
        </ViewErrorBoundary>
      </main>
      <footer className="app-footer">
        Formulas follow Ho et al. 2020 (DDPM) and Nichol &amp; Dhariwal 2021 (Improved DDPM).
      </footer>
    </div>
  );
}

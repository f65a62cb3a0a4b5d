// One per view: a render error in a view shows what happened and a reset in its place, while the
// header, the tabs and the other views keep working (a render error never blanks the page).
import { Component, type ErrorInfo, type ReactNode } from 'react';

interface Props {
  /** The view's title, for the message. */
  title: string;
  /** Puts the state back to defaults so the view can render again. */
  onReset: () => void;
  children: ReactNode;
}

interface State {
  error: Error | null;
}

export class ViewErrorBoundary extends Component<Props, State> {
  override state: State = { error: null };

  static getDerivedStateFromError(error: unknown): State {
    return { error: error instanceof Error ? error : new Error(String(error)) };
  }

  override componentDidCatch(error: Error, info: ErrorInfo): void {
    // Kept for whoever opens the console; the page shows the short form.
    console.warn(`The ${this.props.title} view failed to render:`, error, info.componentStack);
  }

  private reset = (): void => {
    this.props.onReset();
    this.setState({ error: null });
  };

  override render(): ReactNode {
    const { error } = this.state;
    if (!error) return this.props.children;
    return (
      <section className="view panel" role="alert" data-testid="view-error">
        <h2>The {this.props.title} view stopped with an error</h2>
        <p>
          It could not be drawn: <code>{error.message.slice(0, 300)}</code>. The model, the training
          and the other views are unaffected.
        </p>
        <p>
          <button type="button" onClick={this.reset}>
            Reset the settings and show it again
          </button>
        </p>
      </section>
    );
  }
}

// First: starts the worker, its backend and the default model (see bootEarly.ts); the app's
// views arrive as a second script (ui/render.tsx) while the worker starts.
import './ui/bootEarly';
import './ui/styles.css';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');
void import('./ui/render').then(({ render }) => render(root));

// Imported first by main.tsx, for its side effect: module bodies run in import order, so the
// worker starts before React, the views and their libraries are even evaluated.
import { boot } from './boot';

boot();

// The automatic snapshot of the work in progress (see useSessionSnapshot): what is kept in this
// browser, and what an earlier page left to resume.
import { create } from 'zustand';
import type { SavedModelInfo } from '../worker/api';

interface SessionStore {
  /** The snapshot this page last wrote. */
  kept: SavedModelInfo | null;
  /** A snapshot from an earlier page, offered by "Resume last session"; null once handled. */
  offered: SavedModelInfo | null;
  error: string | null;
  setKept(kept: SavedModelInfo | null): void;
  setOffered(offered: SavedModelInfo | null): void;
  setError(error: string | null): void;
}

export const useSession = create<SessionStore>()((set) => ({
  kept: null,
  offered: null,
  error: null,
  setKept: (kept) => set({ kept }),
  setOffered: (offered) => set({ offered }),
  setError: (error) => set({ error }),
}));

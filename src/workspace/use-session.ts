import { useSyncExternalStore } from 'react';
import { courseSession, type CourseSession, type SessionState } from '../session/course-session.ts';

/** The page's course session and its current state; components re-render when it changes. */
export function useSession(): [SessionState, CourseSession] {
  const session = courseSession();
  const state = useSyncExternalStore(session.subscribe, session.getState);
  return [state, session];
}

/**
 * One line of an error for people: native bindings and OS services (keychains, LevelDB) put a whole report
 * in `message`; the first line says what happened, bounded so a hostile or verbose one cannot flood the UI.
 */
export function firstErrorLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return (text.split('\n')[0] ?? '').trim().slice(0, 300) || 'unknown error';
}

/**
 * Imported first (main.ts): some browsers report a language tag that Intl refuses, e.g. "en-US@posix" (chromium
 * under LANG=C.UTF-8, a container's default), and Monaco hands navigator.language to Intl when it loads, so the
 * page stopped at "Invalid language tag". Such a tag is replaced, for this page, by its valid part (or en-US).
 */
function usable(tag: string): boolean {
  try {
    return Intl.getCanonicalLocales(tag).length > 0;
  } catch {
    return false;
  }
}

const given = navigator.language;
if (!usable(given)) {
  const trimmed = given.replace(/[@.].*$/, '').replace(/_/g, '-');
  const language = usable(trimmed) ? trimmed : 'en-US';
  const languages = [language, ...navigator.languages.filter((l) => l !== given && usable(l))];
  Object.defineProperty(navigator, 'language', { value: language, configurable: true });
  Object.defineProperty(navigator, 'languages', { value: Object.freeze(languages), configurable: true });
}

export {};

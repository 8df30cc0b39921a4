package io.github.browserpool;

/**
 * Which Chromium build a local pool looks for when {@code chromeExecutable} and {@code CHROME_PATH} are
 * unset: see {@link PoolConfig.Builder#browserBinary(BrowserBinary)}. The two differ for the pages: see
 * README, "Choosing the browser binary".
 */
public enum BrowserBinary {
  /**
   * The headless shell first ({@code chromium-headless-shell}, then {@code chrome-headless-shell} on
   * {@code PATH}), else full Chromium as {@link #CHROMIUM} finds it. The shell is the "old headless"
   * build, the one Playwright runs for headless Chromium: about a third of full Chromium's memory per
   * lease and faster leases; its user agent says {@code HeadlessChrome}.
   */
  HEADLESS_SHELL,
  /**
   * Full Chromium only ({@code chromium}, {@code chromium-browser}, {@code google-chrome}, {@code
   * google-chrome-stable} on {@code PATH}), in its new headless mode: the same browser as a headed one,
   * with the user agent of a desktop Chrome, at a higher memory and launch cost.
   */
  CHROMIUM
}

package io.github.browserpool.test;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Finds the Chromium and chromedriver binaries a test runs. {@link #poolBrowser()} is what a pool with
 * the default settings launches, found the way browserpool-core finds it: {@code CHROME_PATH} when it is
 * set, else the first of {@link #HEADLESS_SHELL_NAMES} then of {@link #CHROMIUM_NAMES} on {@code PATH}.
 * {@link #chromium()} is full Chromium, which chromedriver (the Grid) runs. This module does not depend on
 * core, so the search is repeated here; core's tests check that both agree.
 */
public final class Binaries {
  /** Names of full Chromium searched on {@code PATH}, in order (the same as core's). */
  public static final List<String> CHROMIUM_NAMES =
      List.of("chromium", "chromium-browser", "google-chrome", "google-chrome-stable");
  /** Names of the headless shell searched on {@code PATH} before {@link #CHROMIUM_NAMES} (the same as core's). */
  public static final List<String> HEADLESS_SHELL_NAMES = List.of("chromium-headless-shell", "chrome-headless-shell");
  /** The name searched on {@code PATH} for chromedriver (Debian's {@code chromium-driver} package). */
  public static final String CHROMEDRIVER_NAME = "chromedriver";

  private static final String HOW = "Run scripts/setup.sh, or install them (apt-get install -y chromium"
      + " chromium-headless-shell chromium-driver), or set CHROME_PATH to a Chromium binary.";

  private Binaries() {}

  /**
   * Full Chromium: {@code CHROME_PATH} when set and not a headless shell, else the first of {@link
   * #CHROMIUM_NAMES} on {@code PATH}.
   *
   * @throws IllegalStateException when neither finds one; the message says where it looked and what to do
   */
  public static Path chromium() {
    return findChromium(System.getenv()).orElseThrow(() -> new IllegalStateException("No Chromium found:"
        + " CHROME_PATH is not set (or names a headless shell) and none of " + CHROMIUM_NAMES + " is on PATH ("
        + System.getenv("PATH") + "). " + HOW));
  }

  /**
   * What a pool with the default settings launches: {@code CHROME_PATH} when set, else the first of
   * {@link #HEADLESS_SHELL_NAMES} then of {@link #CHROMIUM_NAMES} on {@code PATH}.
   *
   * @throws IllegalStateException when neither finds one; the message says where it looked and what to do
   */
  public static Path poolBrowser() {
    return findPoolBrowser(System.getenv()).orElseThrow(() -> new IllegalStateException("No Chromium found:"
        + " CHROME_PATH is not set and none of " + HEADLESS_SHELL_NAMES + " or " + CHROMIUM_NAMES
        + " is on PATH (" + System.getenv("PATH") + "). " + HOW));
  }

  /**
   * Whether {@link #poolBrowser()} is a headless shell, for tests whose expectations differ between the
   * two builds (the product is {@code HeadlessChrome/...}; no singleton socket, no crashpad).
   */
  public static boolean poolBrowserIsHeadlessShell() {
    return isHeadlessShell(poolBrowser());
  }

  /**
   * The product {@code Browser.getVersion} reports for {@link #poolBrowser()} starts with this: {@code
   * HeadlessChrome/} for the headless shell, {@code Chrome/} for full Chromium (new headless mode).
   */
  public static String poolBrowserProductPrefix() {
    return poolBrowserIsHeadlessShell() ? "HeadlessChrome/" : "Chrome/";
  }

  /** Whether {@code binary} is a headless shell, by its file name (as core tells). */
  public static boolean isHeadlessShell(Path binary) {
    Path name = binary.getFileName();
    String n = name == null ? "" : name.toString();
    return n.contains("headless-shell") || n.contains("headless_shell");
  }

  /**
   * The first {@link #CHROMEDRIVER_NAME} on {@code PATH}.
   *
   * @throws IllegalStateException when there is none; the message says where it looked and what to do
   */
  public static Path chromedriver() {
    return findChromedriver(System.getenv()).orElseThrow(() -> new IllegalStateException("No chromedriver"
        + " found on PATH (" + System.getenv("PATH") + "). " + HOW));
  }

  /** {@link #chromium()} in the environment {@code env}, or empty. */
  static Optional<Path> findChromium(Map<String, String> env) {
    String fromEnv = env.get("CHROME_PATH");
    if (fromEnv != null && !fromEnv.isBlank() && !isHeadlessShell(Path.of(fromEnv))) {
      return Optional.of(Path.of(fromEnv));
    }
    return firstOnPath(CHROMIUM_NAMES, env);
  }

  /** {@link #poolBrowser()} in the environment {@code env}, or empty. */
  static Optional<Path> findPoolBrowser(Map<String, String> env) {
    String fromEnv = env.get("CHROME_PATH");
    if (fromEnv != null && !fromEnv.isBlank()) {
      return Optional.of(Path.of(fromEnv));
    }
    return firstOnPath(HEADLESS_SHELL_NAMES, env).or(() -> firstOnPath(CHROMIUM_NAMES, env));
  }

  private static Optional<Path> firstOnPath(List<String> names, Map<String, String> env) {
    return names.stream().map(name -> onPath(name, env)).flatMap(Optional::stream).findFirst();
  }

  /** {@link #chromedriver()} in the environment {@code env}, or empty. */
  static Optional<Path> findChromedriver(Map<String, String> env) {
    return onPath(CHROMEDRIVER_NAME, env);
  }

  private static Optional<Path> onPath(String name, Map<String, String> env) {
    for (String dir : env.getOrDefault("PATH", "").split(File.pathSeparator)) {
      if (!dir.isEmpty()) {
        Path p = Path.of(dir, name);
        if (Files.isRegularFile(p) && Files.isExecutable(p)) {
          return Optional.of(p);
        }
      }
    }
    return Optional.empty();
  }
}

package io.github.browserpool.test;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Finds the Chromium and chromedriver binaries a test runs, the way browserpool-core finds Chromium:
 * {@code CHROME_PATH} when it is set, else the first of {@link #CHROMIUM_NAMES} on {@code PATH}. This
 * module does not depend on core, so the search is repeated here; core's tests check that both agree.
 */
public final class Binaries {
  /** Names searched on {@code PATH}, in order (the same as core's). */
  public static final List<String> CHROMIUM_NAMES =
      List.of("chromium", "chromium-browser", "google-chrome", "google-chrome-stable");
  /** The name searched on {@code PATH} for chromedriver (Debian's {@code chromium-driver} package). */
  public static final String CHROMEDRIVER_NAME = "chromedriver";

  private static final String HOW = "Run scripts/setup.sh, or install them (apt-get install -y chromium"
      + " chromium-driver), or set CHROME_PATH to a Chromium binary.";

  private Binaries() {}

  /**
   * The Chromium to launch: {@code CHROME_PATH} when set, else the first of {@link #CHROMIUM_NAMES} on
   * {@code PATH}.
   *
   * @throws IllegalStateException when neither finds one; the message says where it looked and what to do
   */
  public static Path chromium() {
    return findChromium(System.getenv()).orElseThrow(() -> new IllegalStateException("No Chromium found:"
        + " CHROME_PATH is not set and none of " + CHROMIUM_NAMES + " is on PATH (" + System.getenv("PATH")
        + "). " + HOW));
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
    if (fromEnv != null && !fromEnv.isBlank()) {
      return Optional.of(Path.of(fromEnv));
    }
    return CHROMIUM_NAMES.stream().map(name -> onPath(name, env)).flatMap(Optional::stream).findFirst();
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

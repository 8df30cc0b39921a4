package io.github.browserpool.chrome;

import io.github.browserpool.BrowserLaunchException;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Finds the Chromium executable. */
public final class ChromeExecutable {
  /** Names searched on PATH, in order. */
  public static final List<String> CANDIDATES =
      List.of("chromium", "chromium-browser", "google-chrome", "google-chrome-stable");

  static final String HOW_TO_INSTALL = "Install Chromium with `sudo apt-get update && sudo apt-get install -y"
      + " chromium` (Debian/Ubuntu), or set PoolConfig.builder().chromeExecutable(...) or the CHROME_PATH"
      + " environment variable to a Chrome/Chromium binary.";

  private ChromeExecutable() {}

  /**
   * Returns the executable to launch: {@code configured} when given, else {@code CHROME_PATH}, else the
   * first of {@link #CANDIDATES} on {@code PATH}.
   *
   * @throws BrowserLaunchException when the configured path is missing or not executable, or nothing
   *     was found; the message lists every place tried and how to install Chromium
   */
  public static Path locate(Path configured) {
    return locate(configured, System.getenv());
  }

  static Path locate(Path configured, Map<String, String> env) {
    if (configured != null) {
      return requireExecutable(configured, "PoolConfig.chromeExecutable");
    }
    List<String> tried = new ArrayList<>();
    String fromEnv = env.get("CHROME_PATH");
    if (fromEnv != null && !fromEnv.isBlank()) {
      return requireExecutable(Path.of(fromEnv), "CHROME_PATH");
    }
    tried.add("CHROME_PATH (not set)");
    String path = env.getOrDefault("PATH", "");
    for (String name : CANDIDATES) {
      for (String dir : path.split(File.pathSeparator)) {
        if (dir.isEmpty()) {
          continue;
        }
        Path p = Path.of(dir, name);
        if (Files.isRegularFile(p) && Files.isExecutable(p)) {
          return p;
        }
      }
      tried.add(name + " on PATH");
    }
    throw new BrowserLaunchException("No Chrome/Chromium executable found. Tried: " + String.join(", ", tried)
        + " (PATH=" + path + "). " + HOW_TO_INSTALL);
  }

  private static Path requireExecutable(Path p, String source) {
    if (!Files.exists(p)) {
      throw new BrowserLaunchException(source + " points to " + p + ", which does not exist. " + HOW_TO_INSTALL);
    }
    if (Files.isDirectory(p) || !Files.isExecutable(p)) {
      throw new BrowserLaunchException(source + " points to " + p + ", which is not an executable file"
          + " (check it is the browser binary and has the execute permission). " + HOW_TO_INSTALL);
    }
    return p;
  }
}

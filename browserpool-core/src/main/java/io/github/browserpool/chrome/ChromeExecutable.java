package io.github.browserpool.chrome;

import io.github.browserpool.BrowserLaunchException;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds the Chromium executable: the headless shell ({@link #HEADLESS_SHELL_CANDIDATES}) first unless
 * full Chromium is asked for, then full Chromium ({@link #CANDIDATES}); and tells which of the two a
 * path is, since some switches only full Chromium needs.
 */
public final class ChromeExecutable {
  /** Names of full Chromium searched on PATH, in order. */
  public static final List<String> CANDIDATES =
      List.of("chromium", "chromium-browser", "google-chrome", "google-chrome-stable");
  /**
   * Names of the headless shell searched on PATH before {@link #CANDIDATES}, in order: Debian's
   * {@code chromium-headless-shell} package, and Chrome for Testing's {@code chrome-headless-shell}.
   */
  public static final List<String> HEADLESS_SHELL_CANDIDATES =
      List.of("chromium-headless-shell", "chrome-headless-shell");

  static final String HOW_TO_INSTALL = "Install the headless shell with `sudo apt-get update && sudo apt-get"
      + " install -y chromium-headless-shell` (Debian; or full Chromium, package `chromium`), or set"
      + " PoolConfig.builder().chromeExecutable(...) or the CHROME_PATH environment variable to a"
      + " Chrome/Chromium binary.";

  /** Debian's launcher of the shell runs the real binary as a child; its path in the script is found with this. */
  private static final Pattern WRAPPED_SHELL = Pattern.compile("(/[^\\s\"'$;&|]+/(?:chromium|chrome)-headless-shell)\\b");
  private static final int MAX_WRAPPER_BYTES = 4096;

  private ChromeExecutable() {}

  /**
   * Returns the executable to launch: {@code configured} when given, else {@code CHROME_PATH}, else the
   * first of {@link #HEADLESS_SHELL_CANDIDATES} then of {@link #CANDIDATES} on {@code PATH}.
   *
   * @throws BrowserLaunchException when the configured path is missing or not executable, or nothing
   *     was found; the message lists every place tried and how to install Chromium
   */
  public static Path locate(Path configured) {
    return locate(configured, true);
  }

  /**
   * {@link #locate(Path)}, searching {@code PATH} for the headless shell first only when {@code
   * headlessShellFirst}; else full Chromium only ({@code configured} and {@code CHROME_PATH} still win).
   */
  public static Path locate(Path configured, boolean headlessShellFirst) {
    return locate(configured, headlessShellFirst, System.getenv());
  }

  static Path locate(Path configured, Map<String, String> env) {
    return locate(configured, true, env);
  }

  static Path locate(Path configured, boolean headlessShellFirst, Map<String, String> env) {
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
    for (String name : candidates(headlessShellFirst)) {
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

  /** The names searched on PATH, in order. */
  public static List<String> candidates(boolean headlessShellFirst) {
    List<String> names = new ArrayList<>();
    if (headlessShellFirst) {
      names.addAll(HEADLESS_SHELL_CANDIDATES);
    }
    names.addAll(CANDIDATES);
    return List.copyOf(names);
  }

  /**
   * Whether {@code exe} is the headless shell (the "old headless" build, always headless), by its file
   * name: {@code chromium-headless-shell}, {@code chrome-headless-shell}, or any name containing
   * {@code headless-shell} or {@code headless_shell}. Anything else is taken for full Chromium.
   */
  public static boolean isHeadlessShell(Path exe) {
    Path name = exe.getFileName();
    String n = name == null ? "" : name.toString();
    return n.contains("headless-shell") || n.contains("headless_shell");
  }

  /**
   * The file to start for {@code exe}: the binary itself, or, for a headless shell that is a small
   * launcher script naming the real binary (Debian's {@code /usr/bin/chromium-headless-shell} runs
   * {@code /usr/lib/chromium/chromium-headless-shell} as its child, without {@code exec}), that binary,
   * so the browser's main process is the process the pool started and closes. Anything unreadable or
   * unexpected is returned as it is.
   */
  public static Path launchable(Path exe) {
    if (!isHeadlessShell(exe)) {
      return exe;
    }
    try (InputStream in = Files.newInputStream(exe)) {
      byte[] head = in.readNBytes(MAX_WRAPPER_BYTES + 1);
      if (head.length > MAX_WRAPPER_BYTES || head.length < 2 || head[0] != '#' || head[1] != '!') {
        return exe; // a binary, or not a short script
      }
      Matcher m = WRAPPED_SHELL.matcher(new String(head, StandardCharsets.UTF_8));
      while (m.find()) {
        Path real = Path.of(m.group(1));
        if (!real.equals(exe) && Files.isRegularFile(real) && Files.isExecutable(real) && !isScript(real)) {
          return real;
        }
      }
    } catch (IOException | RuntimeException e) {
      // not readable as a script: start it as it is
    }
    return exe;
  }

  private static boolean isScript(Path p) throws IOException {
    try (InputStream in = Files.newInputStream(p)) {
      byte[] head = in.readNBytes(2);
      return head.length == 2 && head[0] == '#' && head[1] == '!';
    }
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

package io.github.browserpool.test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Checks from outside the pool that nothing a pool launched under a {@code tempRoot} is left: no live
 * process whose command line or working directory names the tempRoot (full Chromium and all its helpers
 * carry {@code --user-data-dir=<tempRoot>/chromelambda-...} or a path inside it; the headless shell's
 * helpers keep the browser's working directory, its profile dir), and no {@code chromelambda-*} dir in it. It reads {@code /proc} itself and shares no code with browserpool-core.
 *
 * <p>Give each pool its own tempRoot ({@code Files.createTempDirectory}) so that the check covers that
 * pool only; when the tempRoot is shared, take a {@link #scan} before and compare with
 * {@link Leftovers#since}. The check never kills or deletes anything.
 *
 * <pre>{@code
 * pool.close();
 * LeakCheck.assertNothingLeft(tempRoot);   // AssertionError naming each process and dir left
 * }</pre>
 */
public final class LeakCheck {
  /** The prefix of browserpool's profile dirs. */
  public static final String PROFILE_DIR_PREFIX = "chromelambda-";

  private LeakCheck() {}

  /** Scans {@code tempRoot} now: the processes naming it and the profile dirs in it. */
  public static Leftovers scan(Path tempRoot) {
    return new Leftovers(tempRoot, processesReferencing(tempRoot), profileDirs(tempRoot));
  }

  /**
   * Fails unless nothing is left under {@code tempRoot}.
   *
   * @throws AssertionError naming every process and profile dir left
   */
  public static void assertNothingLeft(Path tempRoot) {
    scan(tempRoot).assertNone();
  }

  /** Every leftover under {@code tempRoot}, one line each; empty when nothing is left. */
  public static List<String> leftovers(Path tempRoot) {
    return scan(tempRoot).lines();
  }

  /**
   * Live processes other than this JVM whose command line or working directory names {@code dir} as a
   * whole path (see {@link ProcessTable#namingInCommandLineOrCwd}): full Chromium's helpers carry the
   * profile dir on their command line, the headless shell's only as their working directory. Zombies
   * never match: they are dead.
   */
  public static List<ProcessInfo> processesReferencing(Path dir) {
    long self = ProcessHandle.current().pid();
    return ProcessTable.namingInCommandLineOrCwd(dir).stream().filter(p -> p.pid() != self).toList();
  }

  /**
   * The {@code chromelambda-*} dirs directly in {@code tempRoot}; empty when it does not exist. Symlinks
   * are not followed and do not count.
   */
  public static List<Path> profileDirs(Path tempRoot) {
    return profileDirs(tempRoot, 1);
  }

  /**
   * The {@code chromelambda-*} dirs up to {@code depth} levels below {@code root} (1 = directly in it);
   * empty when it does not exist. Symlinks are not followed and do not count.
   */
  public static List<Path> profileDirs(Path root, int depth) {
    if (!Files.isDirectory(root)) {
      return List.of();
    }
    try (Stream<Path> s = Files.find(root, depth,
        (p, attrs) -> attrs.isDirectory() && !p.equals(root) && p.getFileName().toString().startsWith(PROFILE_DIR_PREFIX))) {
      return s.sorted().toList();
    } catch (NoSuchFileException e) {
      return List.of();
    } catch (IOException | UncheckedIOException e) {
      throw new IllegalStateException("cannot list " + root, e);
    }
  }

  /**
   * Checks that nothing is left under {@code tempRoot} and then deletes the (empty) tempRoot; returns
   * the problems found. The dir is kept when anything is left in it, so it can be inspected.
   */
  public static List<String> verifyAndDelete(Path tempRoot) {
    List<String> problems = new ArrayList<>(leftovers(tempRoot));
    if (problems.isEmpty()) {
      try {
        Files.deleteIfExists(tempRoot);
      } catch (IOException e) {
        problems.add("cannot delete " + tempRoot + " (" + e + "); it holds: " + list(tempRoot));
      }
    }
    return problems;
  }

  /** Deletes {@code dir} and everything in it (for a test's own scratch dir); symlinks are not followed. */
  public static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  private static List<String> list(Path dir) {
    List<String> names = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      entries.forEach(e -> names.add(e.getFileName().toString()));
    } catch (IOException e) {
      names.add("(unreadable: " + e + ")");
    }
    return names;
  }
}

package io.github.browserpool.examples;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks, from outside the pool, that nothing a pool launched under a {@code tempRoot} is left: no
 * process whose command line mentions the tempRoot (Chromium and its helpers carry
 * {@code --user-data-dir=<tempRoot>/chromelambda-...}), and no {@code chromelambda-*} dir in it. Give
 * each pool its own tempRoot ({@code Files.createTempDirectory}) so the check covers that pool only.
 */
public final class LeakCheck {
  private LeakCheck() {}

  /** Every problem found, one line each; empty when nothing is left. */
  public static List<String> leftovers(Path tempRoot) {
    List<String> problems = new ArrayList<>();
    for (String process : processesReferencing(tempRoot)) {
      problems.add("process still running: " + process);
    }
    for (Path dir : profileDirs(tempRoot)) {
      problems.add("profile dir left behind: " + dir);
    }
    return problems;
  }

  /**
   * Live processes (other than this JVM) whose command line mentions {@code dir}, as
   * {@code "pid 123: <command line>"}. Reads {@code /proc/<pid>/cmdline}; zombies have an empty one
   * and so never match.
   */
  public static List<String> processesReferencing(Path dir) {
    String needle = dir.toAbsolutePath().normalize() + "/";
    long self = ProcessHandle.current().pid();
    List<String> found = new ArrayList<>();
    try (DirectoryStream<Path> proc = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
      for (Path p : proc) {
        long pid = Long.parseLong(p.getFileName().toString());
        if (pid == self) {
          continue;
        }
        String cmdline;
        try {
          cmdline = new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8)
              .replace('\0', ' ').trim();
        } catch (NoSuchFileException e) {
          continue; // exited while we looked
        } catch (IOException e) {
          continue; // exited or not readable: either way not one of ours to report
        }
        if (cmdline.contains(needle)) {
          found.add("pid " + pid + ": " + abbreviate(cmdline));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list /proc", e);
    }
    return found;
  }

  /** The {@code chromelambda-*} entries directly under {@code tempRoot}. */
  public static List<Path> profileDirs(Path tempRoot) {
    List<Path> found = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(tempRoot, "chromelambda-*")) {
      entries.forEach(found::add);
    } catch (NoSuchFileException e) {
      return found;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + tempRoot, e);
    }
    return found;
  }

  /**
   * Checks that nothing is left under {@code tempRoot} and deletes it; returns the problems found
   * (the dir is kept when anything is left in it, so it can be inspected).
   */
  public static List<String> verifyAndDelete(Path tempRoot) {
    List<String> problems = leftovers(tempRoot);
    if (problems.isEmpty()) {
      try {
        Files.deleteIfExists(tempRoot);
      } catch (IOException e) {
        problems.add("cannot delete " + tempRoot + " (" + e + "); it holds: " + list(tempRoot));
      }
    }
    return problems;
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

  private static String abbreviate(String s) {
    return s.length() <= 300 ? s : s.substring(0, 300) + "...";
  }
}
